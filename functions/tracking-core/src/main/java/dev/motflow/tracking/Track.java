package dev.motflow.tracking;

/** Mutable state of one track inside a {@link Tracker}. Package-private: read it through the outputs. */
final class Track {
    static final int TRACKED = 1;
    static final int LOST = 2;
    static final int REMOVED = 3;

    int id;
    int state;
    /** Confirmed: matched at least once after creation, or created on the tracker's first frame. */
    boolean activated;
    /**
     * Was put on the removed list in an earlier frame. The reference trackers drop a lost track
     * whose id is on that list when they rebuild the lost list, even if it was found again since.
     */
    boolean everRemoved;
    /** Last frame with a matched detection ({@code end_frame}). */
    int frameId;
    int startFrame;
    int trackletLen;
    float score;
    /** Kalman mean: {@code cx, cy, a, h} and velocities, or with {@link #widthState} {@code cx, cy, w, h} and velocities. */
    final float[] mean = new float[KalmanFilter.STATE];
    final float[] cov = new float[KalmanFilter.COV];
    /** Smoothed, normalised embedding held at float16 precision; null without embeddings. */
    final float[] feature;
    /** Euclidean norm of {@link #feature} as stored (close to, not exactly, 1). */
    double featureNorm;

    // Per-frame scratch (not part of the state).
    int lastDet = -1;
    boolean inNextTracked;
    boolean alive;

    /** The third Kalman component is the width (the tracker's {@link TrackerConfig#widthState()}). */
    final boolean widthState;

    Track(int embeddingDim, boolean widthState) {
        feature = embeddingDim > 0 ? new float[embeddingDim] : null;
        this.widthState = widthState;
    }

    double x() {
        return mean[0] - w() / 2;
    }

    double y() {
        return mean[1] - (double) mean[3] / 2;
    }

    double w() {
        return widthState ? mean[2] : (double) mean[2] * mean[3];
    }

    double h() {
        return mean[3];
    }

    /** Scales the feature by {@code scale}, then rounds it to float16 and refreshes its norm. */
    void normalizeAndQuantizeFeature(double scale) {
        double sq = 0;
        for (int k = 0; k < feature.length; k++) {
            float q = Float.float16ToFloat(Float.floatToFloat16((float) (feature[k] * scale)));
            feature[k] = q;
            sq += (double) q * q;
        }
        featureNorm = Math.sqrt(sq);
    }

    /** Rounds the feature to float16 and refreshes its norm (the canonical stored precision). */
    void quantizeFeature() {
        double sq = 0;
        for (int k = 0; k < feature.length; k++) {
            float q = Float.float16ToFloat(Float.floatToFloat16(feature[k]));
            feature[k] = q;
            sq += (double) q * q;
        }
        featureNorm = Math.sqrt(sq);
    }
}
