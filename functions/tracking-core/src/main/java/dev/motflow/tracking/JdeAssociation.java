package dev.motflow.tracking;

import java.util.ArrayList;

/**
 * JDE/FairMOT association ({@code multitracker.py}): detections scoring above {@code detThresh}
 * are matched in three stages. 1: all candidates (confirmed tracked and lost) by appearance fused
 * with motion, gated by the chi-square 95% bound (a track lost for more than
 * {@link TrackerConfig#reidAfterFrames()}: by the cosine distance alone, anywhere, up to the stricter
 * {@link TrackerConfig#reidThresh()}); 2: the tracked candidates left over, by IoU;
 * 3: unconfirmed tracks, by IoU. What is left starts tracks.
 */
final class JdeAssociation implements AssociationPolicy {
    /** FairMOT's re_activate keeps the score the track had before it was lost. */
    private static final boolean REFOUND_TAKES_NEW_SCORE = false;

    private final TrackerConfig config;
    private final int dim;
    private final AssociationStages stages = new AssociationStages();
    /**
     * For gating distances only; a filter holds nothing but scratch, so a second one is as good as the lifecycle's.
     * The references gate with the fixed aspect noise; a width-state tracker gates in its own measurement space.
     */
    private final KalmanFilter gating;

    // Detection indices per stage: its input, then what it left unmatched for the next.
    private int[] confident = new int[32];
    private int[] unmatchedAfterEmbedding = new int[32];
    private int[] unmatchedAfterIou = new int[32];
    private int[] newTrackCandidates = new int[32];
    // Stage 1 only: the confident detections' measurements, packed, and one row of gating distances.
    private double[] confidentMeasurements = new double[128];
    private double[] gatingRow = new double[64];

    JdeAssociation(TrackerConfig config) {
        this.config = config;
        this.dim = config.embeddingDim();
        this.gating = new KalmanFilter(false, config.widthState());
    }

    @Override
    public void associate(Detections dets, TrackLifecycle tracks) {
        int n = dets.size();
        ensureCapacity(n);
        double detThresh = config.detThresh();
        int confidentCount = 0;
        for (int i = 0; i < n; i++) {
            if (dets.score(i) > detThresh) {
                confident[confidentCount++] = i;
            }
        }
        // Stage 1: appearance fused with motion.
        fillFusedCost(dets, tracks, confidentCount);
        stages.solve(tracks.candidates.size(), confidentCount, config.embeddingMatchThresh());
        int afterEmbedding = stages.applyCandidateMatches(tracks, dets, confident, confidentCount,
                REFOUND_TAKES_NEW_SCORE, unmatchedAfterEmbedding);
        // Stage 2: IoU of the tracked candidates left over.
        int afterIou = stages.matchTrackedByIou(tracks, dets, unmatchedAfterEmbedding, afterEmbedding,
                config.iouMatchThresh(), REFOUND_TAKES_NEW_SCORE, unmatchedAfterIou);
        // Stage 3: unconfirmed tracks (FairMOT never fuses scores, and removes them at their first miss).
        int left = stages.matchUnconfirmed(tracks, dets, unmatchedAfterIou, afterIou, config.unconfirmedThresh(),
                false, 1, newTrackCandidates);
        for (int k = 0; k < left; k++) {
            int d = newTrackCandidates[k];
            if (dets.score(d) >= detThresh) {
                tracks.startTrack(dets, d);
            }
        }
    }

    /**
     * Cost of candidate r against confident detection c: {@code lambda * cosine distance + (1 - lambda) *
     * gating distance}, infinite past the chi-square gate.
     */
    private void fillFusedCost(Detections dets, TrackLifecycle tracks, int cols) {
        ArrayList<Track> rows = tracks.candidates;
        double[] cost = stages.cost(rows.size(), cols);
        if (gatingRow.length < cols) {
            gatingRow = new double[cols * 2];
        }
        if (confidentMeasurements.length < cols * 4) {
            confidentMeasurements = new double[cols * 8];
        }
        double[] measurements = tracks.measurements();
        for (int c = 0; c < cols; c++) {
            System.arraycopy(measurements, confident[c] * 4, confidentMeasurements, c * 4, 4);
        }
        float[] emb = dets.embeddingArray();
        double lambda = config.motionLambda();
        double reidThresh = config.reidThresh();
        int reidAfter = config.reidAfterFrames();
        boolean reidOn = config.reidEnabled();
        for (int r = 0; r < rows.size(); r++) {
            Track t = rows.get(r);
            int base = r * cols;
            float[] f = t.feature;
            double inv = t.featureNorm > 0 ? 1.0 / t.featureNorm : 0.0;
            if (reidOn && t.state == Track.LOST && tracks.frameId - t.frameId > reidAfter) {
                // After a long gap the prediction says nothing (its covariance has grown until the gate
                // takes in most of the image): the embedding alone decides, under a stricter limit.
                for (int c = 0; c < cols; c++) {
                    double cos = Math.max(0.0, 1.0 - dot(f, emb, confident[c] * dim) * inv);
                    cost[base + c] = cos <= reidThresh ? cos : Double.POSITIVE_INFINITY;
                }
                continue;
            }
            gating.gatingDistancesBounded(t.mean, 0, t.cov, 0, confidentMeasurements, 0, cols,
                    KalmanFilter.CHI2_95_4DOF, gatingRow, 0);
            for (int c = 0; c < cols; c++) {
                double gd = gatingRow[c];
                if (gd > KalmanFilter.CHI2_95_4DOF) {
                    cost[base + c] = Double.POSITIVE_INFINITY;
                    continue;
                }
                double cos = Math.max(0.0, 1.0 - dot(f, emb, confident[c] * dim) * inv);
                cost[base + c] = lambda * cos + (1 - lambda) * gd;
            }
        }
    }

    /** Dot product of a track feature with one detection's embedding; four partial sums for speed. */
    private static double dot(float[] f, float[] emb, int base) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int n = f.length;
        int k = 0;
        for (; k + 3 < n; k += 4) {
            s0 += (double) f[k] * emb[base + k];
            s1 += (double) f[k + 1] * emb[base + k + 1];
            s2 += (double) f[k + 2] * emb[base + k + 2];
            s3 += (double) f[k + 3] * emb[base + k + 3];
        }
        for (; k < n; k++) {
            s0 += (double) f[k] * emb[base + k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private void ensureCapacity(int n) {
        if (confident.length < n) {
            int cap = Math.max(n, confident.length * 2);
            confident = new int[cap];
            unmatchedAfterEmbedding = new int[cap];
            unmatchedAfterIou = new int[cap];
            newTrackCandidates = new int[cap];
        }
    }
}
