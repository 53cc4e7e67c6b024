package dev.motflow.tracking;

/**
 * Constant-velocity Kalman filter for boxes, as in SORT/DeepSORT/JDE/FairMOT/ByteTrack.
 *
 * <p>State (8): {@code cx, cy, a, h, vcx, vcy, va, vh} with centre {@code (cx, cy)}, aspect ratio
 * {@code a = w / h} and height {@code h}; the measurement is {@code (cx, cy, a, h)}. Process and
 * measurement noise are proportional to the box height ({@code 1/20} for positions, {@code 1/160}
 * for velocities), with small fixed terms for the aspect ratio, so the filter is scale-invariant. With
 * {@code relativeAspectNoise} (motflow's ByteTrack default, {@link TrackerConfig#relativeAspectNoise()}) the
 * aspect ratio's noise is proportional to the aspect ratio instead ({@code 1/20} process, {@code 1/160}
 * velocity, {@code 1/10} measurement): the fixed terms (measurement std 0.1 for ratios around 0.4) make the
 * width lag behind a walking person's changing box.
 *
 * <p>With {@code widthState} (motflow's ByteTrack default, {@link TrackerConfig#widthState()}) the state is
 * {@code cx, cy, w, h, vcx, vcy, vw, vh} and the measurement {@code (cx, cy, w, h)}, as in BoT-SORT: the noise of
 * {@code cx} and {@code w} (and their velocities) is proportional to the width, that of {@code cy} and {@code h}
 * to the height, with the same weights. A box that narrows fast is then followed at the width's own pace instead
 * of through a ratio whose noise is tied to the height. {@code relativeAspectNoise} has no effect in that mode.
 *
 * <p>Storage: a mean is 8 floats, a covariance the 36 floats of its upper triangle, row by row
 * ({@link #covIndex}). All arithmetic runs in double on scratch arrays and the result is stored as
 * float: the float32 values are the canonical state, which is why an encoded tracker state (see
 * {@link TrackerStateCodec}) continues bit-identically. An instance holds scratch space: it is not
 * thread-safe and never allocates after construction.
 */
public final class KalmanFilter {
    /** State dimension. */
    public static final int STATE = 8;
    /** Floats of one packed covariance (upper triangle of 8x8). */
    public static final int COV = 36;
    /** 0.95 quantile of chi-square with 4 degrees of freedom: gate on the full measurement. */
    public static final double CHI2_95_4DOF = 9.4877;
    /** 0.95 quantile of chi-square with 2 degrees of freedom: gate on the centre only. */
    public static final double CHI2_95_2DOF = 5.9915;

    static final double STD_WEIGHT_POSITION = 1.0 / 20;
    static final double STD_WEIGHT_VELOCITY = 1.0 / 160;
    static final double STD_WEIGHT_ASPECT_MEASUREMENT = 1.0 / 10;

    private static final int[] PACKED = new int[64];
    // Packed indices for the block form of the prediction (see predict).
    private static final int[] A_IDX = new int[10];
    private static final int[] A_B = new int[10];
    private static final int[] A_BT = new int[10];
    private static final int[] A_C = new int[10];
    private static final int[] B_IDX = new int[16];
    private static final int[] B_C = new int[16];
    // Per axis (cx, cy, a or w, h): the packed indices of its variance, its covariance with its velocity and its
    // velocity's variance; and the 24 entries that couple different axes (see axesIndependent).
    private static final int[] AXIS_POS = new int[4];
    private static final int[] AXIS_CROSS = new int[4];
    private static final int[] AXIS_VEL = new int[4];
    private static final int[] CROSS_AXIS = new int[COV - 12];

    static {
        int k = 0;
        for (int i = 0; i < 8; i++) {
            for (int j = i; j < 8; j++) {
                PACKED[i * 8 + j] = k;
                PACKED[j * 8 + i] = k;
                k++;
            }
        }
        int a = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = i; j < 4; j++) {
                A_IDX[a] = PACKED[i * 8 + j];
                A_B[a] = PACKED[i * 8 + 4 + j];
                A_BT[a] = PACKED[j * 8 + 4 + i];
                A_C[a] = PACKED[(4 + i) * 8 + 4 + j];
                a++;
            }
        }
        int b = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                B_IDX[b] = PACKED[i * 8 + 4 + j];
                B_C[b] = PACKED[(4 + i) * 8 + 4 + j];
                b++;
            }
        }
        for (int ax = 0; ax < 4; ax++) {
            AXIS_POS[ax] = PACKED[ax * 9];
            AXIS_CROSS[ax] = PACKED[ax * 8 + ax + 4];
            AXIS_VEL[ax] = PACKED[(ax + 4) * 9];
        }
        int c = 0;
        for (int i = 0; i < 8; i++) {
            for (int j = i; j < 8; j++) {
                if (i % 4 != j % 4) {
                    CROSS_AXIS[c++] = PACKED[i * 8 + j];
                }
            }
        }
    }

    private final double[] pht = new double[32];
    private final double[] s = new double[16];
    private final double[] chol = new double[16];
    private final double[] gain = new double[32];
    private final double[] pm = new double[4];
    private final boolean relativeAspectNoise;
    private final boolean widthState;

    /** The references' filter (fixed aspect-ratio noise). */
    public KalmanFilter() {
        this(false, false);
    }

    /** @param relativeAspectNoise aspect-ratio noise proportional to the aspect ratio (see the class comment) */
    public KalmanFilter(boolean relativeAspectNoise) {
        this(relativeAspectNoise, false);
    }

    /**
     * @param relativeAspectNoise aspect-ratio noise proportional to the aspect ratio (aspect state only)
     * @param widthState the state and measurement hold the width instead of the aspect ratio (see the class comment)
     */
    public KalmanFilter(boolean relativeAspectNoise, boolean widthState) {
        this.relativeAspectNoise = relativeAspectNoise;
        this.widthState = widthState;
    }

    /** Whether the third state component is the width (else the aspect ratio {@code w / h}). */
    public boolean widthState() {
        return widthState;
    }

    /** Index of element (i, j) of the 8x8 covariance in its packed form (either order). */
    public static int covIndex(int i, int j) {
        return PACKED[i * 8 + j];
    }

    /**
     * Starts a track at a measurement: zero velocity, uncertainty scaled by the height (and, in the width
     * state, by the width for {@code cx} and {@code w}). {@code a} is the third measurement component: the
     * aspect ratio, or the width with {@code widthState}.
     */
    public void initiate(double cx, double cy, double a, double h, float[] mean, int mo, float[] cov, int co) {
        mean[mo] = (float) cx;
        mean[mo + 1] = (float) cy;
        mean[mo + 2] = (float) a;
        mean[mo + 3] = (float) h;
        for (int i = 4; i < 8; i++) {
            mean[mo + i] = 0f;
        }
        for (int i = 0; i < COV; i++) {
            cov[co + i] = 0f;
        }
        double sp = 2 * STD_WEIGHT_POSITION * h;
        double sv = 10 * STD_WEIGHT_VELOCITY * h;
        double[] std;
        if (widthState) {
            double spw = 2 * STD_WEIGHT_POSITION * a;
            double svw = 10 * STD_WEIGHT_VELOCITY * a;
            std = new double[] {spw, sp, spw, sp, svw, sv, svw, sv};
        } else {
            std = relativeAspectNoise
                ? new double[] {sp, sp, 2 * STD_WEIGHT_POSITION * a, sp, sv, sv, 10 * STD_WEIGHT_VELOCITY * a, sv}
                : new double[] {sp, sp, 1e-2, sp, sv, sv, 1e-5, sv};
        }
        for (int i = 0; i < 8; i++) {
            cov[co + PACKED[i * 9]] = (float) (std[i] * std[i]);
        }
    }

    /** One constant-velocity step: {@code x = F x}, {@code P = F P F^T + Q(h)} (width state: {@code Q(w, h)}). */
    public void predict(float[] mean, int mo, float[] cov, int co) {
        double h = mean[mo + 3];
        double sp = STD_WEIGHT_POSITION * h;
        double sv = STD_WEIGHT_VELOCITY * h;
        // With P = [[A, B], [B^T, C]] (4x4 blocks) and F = [[I, I], [0, I]]:
        // A' = A + B + B^T + C, B' = B + C, C' = C; then Q on the diagonal. A' reads the old B and C.
        for (int k = 0; k < 10; k++) {
            cov[co + A_IDX[k]] = (float) ((double) cov[co + A_IDX[k]] + cov[co + A_B[k]] + cov[co + A_BT[k]]
                    + cov[co + A_C[k]]);
        }
        for (int k = 0; k < 16; k++) {
            cov[co + B_IDX[k]] = (float) ((double) cov[co + B_IDX[k]] + cov[co + B_C[k]]);
        }
        double qp = sp * sp;
        double qv = sv * sv;
        if (widthState) {
            double w = mean[mo + 2];
            double spw = STD_WEIGHT_POSITION * w;
            double svw = STD_WEIGHT_VELOCITY * w;
            double qpw = spw * spw;
            double qvw = svw * svw;
            addDiag(cov, co, 0, qpw);
            addDiag(cov, co, 1, qp);
            addDiag(cov, co, 2, qpw);
            addDiag(cov, co, 3, qp);
            addDiag(cov, co, 4, qvw);
            addDiag(cov, co, 5, qv);
            addDiag(cov, co, 6, qvw);
            addDiag(cov, co, 7, qv);
            advanceMean(mean, mo);
            return;
        }
        addDiag(cov, co, 0, qp);
        addDiag(cov, co, 1, qp);
        double a = mean[mo + 2];
        double spa = STD_WEIGHT_POSITION * a;
        double sva = STD_WEIGHT_VELOCITY * a;
        addDiag(cov, co, 2, relativeAspectNoise ? spa * spa : 1e-4);
        addDiag(cov, co, 3, qp);
        addDiag(cov, co, 4, qv);
        addDiag(cov, co, 5, qv);
        addDiag(cov, co, 6, relativeAspectNoise ? sva * sva : 1e-10);
        addDiag(cov, co, 7, qv);
        advanceMean(mean, mo);
    }

    private static void advanceMean(float[] mean, int mo) {
        for (int i = 0; i < 4; i++) {
            mean[mo + i] = (float) ((double) mean[mo + i] + mean[mo + i + 4]);
        }
    }

    private static void addDiag(float[] cov, int co, int i, double q) {
        int k = co + PACKED[i * 9];
        cov[k] = (float) (cov[k] + q);
    }

    /**
     * Predicts {@code count} states stored back to back ({@code means}: 8 floats each, {@code covs}:
     * 36 floats each).
     */
    public void predictBatch(float[] means, float[] covs, int count) {
        for (int t = 0; t < count; t++) {
            predict(means, t * STATE, covs, t * COV);
        }
    }

    /**
     * Projects the state into measurement space: {@code outMean} (4) and {@code outCov} (4x4 row-major)
     * including the measurement noise.
     */
    public void project(float[] mean, int mo, float[] cov, int co, double[] outMean, double[] outCov) {
        double h = mean[mo + 3];
        double r = STD_WEIGHT_POSITION * h;
        double rr = r * r;
        for (int i = 0; i < 4; i++) {
            outMean[i] = mean[mo + i];
            for (int j = 0; j < 4; j++) {
                outCov[i * 4 + j] = cov[co + PACKED[i * 8 + j]];
            }
        }
        if (widthState) {
            double rw = STD_WEIGHT_POSITION * mean[mo + 2];
            outCov[0] += rw * rw;
            outCov[5] += rr;
            outCov[10] += rw * rw;
            outCov[15] += rr;
            return;
        }
        outCov[0] += rr;
        outCov[5] += rr;
        double ra = STD_WEIGHT_ASPECT_MEASUREMENT * mean[mo + 2];
        outCov[10] += relativeAspectNoise ? ra * ra : 1e-2;
        outCov[15] += rr;
    }

    /** Correction step with measurement {@code (cx, cy, a, h)} ({@code (cx, cy, w, h)} with {@code widthState}). */
    public void update(float[] mean, int mo, float[] cov, int co, double cx, double cy, double a, double h) {
        if (axesIndependent(cov, co)) {
            project(mean, mo, cov, co, pm, s);
            updateAxes(mean, mo, cov, co, cx - pm[0], cy - pm[1], a - pm[2], h - pm[3]);
            return;
        }
        updateGeneral(mean, mo, cov, co, cx, cy, a, h);
    }

    /** {@link #update} for any covariance (package-private for the test that holds the two paths equal). */
    void updateGeneral(float[] mean, int mo, float[] cov, int co, double cx, double cy, double a, double h) {
        project(mean, mo, cov, co, pm, s);
        cholesky4(s, chol);
        double[] l = chol;
        double i0 = 1 / l[0];
        double i1 = 1 / l[5];
        double i2 = 1 / l[10];
        double i3 = 1 / l[15];
        // P H^T: the first 4 columns of P. gain (8x4) = P H^T S^-1: solve S g = P[r, 0:4] per row r.
        for (int r = 0; r < 8; r++) {
            int g = r * 4;
            double b0 = cov[co + PACKED[r * 8]];
            double b1 = cov[co + PACKED[r * 8 + 1]];
            double b2 = cov[co + PACKED[r * 8 + 2]];
            double b3 = cov[co + PACKED[r * 8 + 3]];
            pht[g] = b0;
            pht[g + 1] = b1;
            pht[g + 2] = b2;
            pht[g + 3] = b3;
            double z0 = b0 * i0;
            double z1 = (b1 - l[4] * z0) * i1;
            double z2 = (b2 - l[8] * z0 - l[9] * z1) * i2;
            double z3 = (b3 - l[12] * z0 - l[13] * z1 - l[14] * z2) * i3;
            double x3 = z3 * i3;
            double x2 = (z2 - l[14] * x3) * i2;
            double x1 = (z1 - l[9] * x2 - l[13] * x3) * i1;
            double x0 = (z0 - l[4] * x1 - l[8] * x2 - l[12] * x3) * i0;
            gain[g] = x0;
            gain[g + 1] = x1;
            gain[g + 2] = x2;
            gain[g + 3] = x3;
        }
        double y0 = cx - pm[0];
        double y1 = cy - pm[1];
        double y2 = a - pm[2];
        double y3 = h - pm[3];
        for (int r = 0; r < 8; r++) {
            int g = r * 4;
            mean[mo + r] = (float) (mean[mo + r] + gain[g] * y0 + gain[g + 1] * y1 + gain[g + 2] * y2 + gain[g + 3] * y3);
        }
        // P' = P - K S K^T = P - (P H^T) K^T, upper triangle.
        int k = co;
        for (int i = 0; i < 8; i++) {
            int gi = i * 4;
            for (int j = i; j < 8; j++) {
                int gj = j * 4;
                double d = pht[gi] * gain[gj] + pht[gi + 1] * gain[gj + 1]
                        + pht[gi + 2] * gain[gj + 2] + pht[gi + 3] * gain[gj + 3];
                cov[k] = (float) (cov[k] - d);
                k++;
            }
        }
    }

    /**
     * Whether every covariance entry outside the four (component, its velocity) pairs is 0. It always is for a
     * state this filter made: the initial covariance and the noises are diagonal, and {@code F} only couples a
     * component with its own velocity, so predictions and updates keep each axis to itself.
     */
    private static boolean axesIndependent(float[] cov, int co) {
        for (int k = 0; k < CROSS_AXIS.length; k++) {
            if (cov[co + CROSS_AXIS[k]] != 0f) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #update} for a covariance with independent axes ({@link #axesIndependent}): the same arithmetic
     * without the terms that are 0, so the result is bit for bit the general one's. With {@code S} diagonal
     * (its Cholesky factor {@code sqrt(s)} per axis), a row's gain is {@code (p / l) / l}, and only the
     * component, its velocity and their covariance change. {@code y*}: the innovation.
     */
    private void updateAxes(float[] mean, int mo, float[] cov, int co, double y0, double y1, double y2, double y3) {
        for (int ax = 0; ax < 4; ax++) {
            double inv = 1 / Math.sqrt(s[ax * 5]);
            double y = ax == 0 ? y0 : ax == 1 ? y1 : ax == 2 ? y2 : y3;
            int kp = co + AXIS_POS[ax];
            int kb = co + AXIS_CROSS[ax];
            int kv = co + AXIS_VEL[ax];
            double p = cov[kp];
            double b = cov[kb];
            double v = cov[kv];
            double gainPos = p * inv * inv;
            double gainVel = b * inv * inv;
            mean[mo + ax] = (float) (mean[mo + ax] + gainPos * y);
            mean[mo + ax + 4] = (float) (mean[mo + ax + 4] + gainVel * y);
            cov[kp] = (float) (p - p * gainPos);
            cov[kb] = (float) (b - p * gainVel);
            cov[kv] = (float) (v - b * gainVel);
        }
    }

    /**
     * Squared Mahalanobis distances between the projected state and {@code count} measurements
     * ({@code xyah}: 4 doubles each, from {@code xyahOffset}), written to {@code out[outOffset..]}.
     * With {@code onlyPosition} only the centre counts (compare with {@link #CHI2_95_2DOF}),
     * otherwise all four (compare with {@link #CHI2_95_4DOF}).
     */
    public void gatingDistances(float[] mean, int mo, float[] cov, int co, double[] xyah, int xyahOffset,
                                int count, boolean onlyPosition, double[] out, int outOffset) {
        project(mean, mo, cov, co, pm, s);
        if (onlyPosition) {
            double l00 = Math.sqrt(s[0]);
            double l10 = s[4] / l00;
            double l11 = Math.sqrt(s[5] - l10 * l10);
            for (int k = 0; k < count; k++) {
                int b = xyahOffset + k * 4;
                double z0 = (xyah[b] - pm[0]) / l00;
                double z1 = (xyah[b + 1] - pm[1] - l10 * z0) / l11;
                out[outOffset + k] = z0 * z0 + z1 * z1;
            }
            return;
        }
        cholesky4(s, chol);
        double[] l = chol;
        double i0 = 1 / l[0];
        double i1 = 1 / l[5];
        double i2 = 1 / l[10];
        double i3 = 1 / l[15];
        for (int k = 0; k < count; k++) {
            int b = xyahOffset + k * 4;
            double z0 = (xyah[b] - pm[0]) * i0;
            double z1 = (xyah[b + 1] - pm[1] - l[4] * z0) * i1;
            double z2 = (xyah[b + 2] - pm[2] - l[8] * z0 - l[9] * z1) * i2;
            double z3 = (xyah[b + 3] - pm[3] - l[12] * z0 - l[13] * z1 - l[14] * z2) * i3;
            out[outOffset + k] = z0 * z0 + z1 * z1 + z2 * z2 + z3 * z3;
        }
    }

    /**
     * As {@link #gatingDistances} on all four dimensions, but a distance that exceeds {@code bound} may
     * be reported as {@code +infinity} (it stops summing as soon as the bound is passed). For gating,
     * where only {@code distance > bound} matters, this is exact and cheaper.
     */
    public void gatingDistancesBounded(float[] mean, int mo, float[] cov, int co, double[] xyah, int xyahOffset,
                                       int count, double bound, double[] out, int outOffset) {
        project(mean, mo, cov, co, pm, s);
        cholesky4(s, chol);
        double[] l = chol;
        double i0 = 1 / l[0];
        double i1 = 1 / l[5];
        double i2 = 1 / l[10];
        double i3 = 1 / l[15];
        for (int k = 0; k < count; k++) {
            int b = xyahOffset + k * 4;
            double z0 = (xyah[b] - pm[0]) * i0;
            double d = z0 * z0;
            if (d > bound) {
                out[outOffset + k] = Double.POSITIVE_INFINITY;
                continue;
            }
            double z1 = (xyah[b + 1] - pm[1] - l[4] * z0) * i1;
            d += z1 * z1;
            if (d > bound) {
                out[outOffset + k] = Double.POSITIVE_INFINITY;
                continue;
            }
            double z2 = (xyah[b + 2] - pm[2] - l[8] * z0 - l[9] * z1) * i2;
            double z3 = (xyah[b + 3] - pm[3] - l[12] * z0 - l[13] * z1 - l[14] * z2) * i3;
            out[outOffset + k] = d + z2 * z2 + z3 * z3;
        }
    }

    /** Single-measurement form of {@link #gatingDistances}. */
    public double gatingDistance(float[] mean, float[] cov, double cx, double cy, double a, double h,
                                 boolean onlyPosition) {
        double[] z = {cx, cy, a, h};
        double[] out = new double[1];
        gatingDistances(mean, 0, cov, 0, z, 0, 1, onlyPosition, out, 0);
        return out[0];
    }

    /** Lower Cholesky factor of a symmetric positive-definite 4x4 matrix (row-major). */
    static void cholesky4(double[] a, double[] l) {
        double l00 = Math.sqrt(a[0]);
        double r0 = 1 / l00;
        double l10 = a[4] * r0;
        double l20 = a[8] * r0;
        double l30 = a[12] * r0;
        double l11 = Math.sqrt(a[5] - l10 * l10);
        double r1 = 1 / l11;
        double l21 = (a[9] - l20 * l10) * r1;
        double l31 = (a[13] - l30 * l10) * r1;
        double l22 = Math.sqrt(a[10] - l20 * l20 - l21 * l21);
        double l32 = (a[14] - l30 * l20 - l31 * l21) / l22;
        double l33 = Math.sqrt(a[15] - l30 * l30 - l31 * l31 - l32 * l32);
        l[0] = l00;
        l[1] = 0;
        l[2] = 0;
        l[3] = 0;
        l[4] = l10;
        l[5] = l11;
        l[6] = 0;
        l[7] = 0;
        l[8] = l20;
        l[9] = l21;
        l[10] = l22;
        l[11] = 0;
        l[12] = l30;
        l[13] = l31;
        l[14] = l32;
        l[15] = l33;
    }
}
