package dev.motflow.tracking;

/**
 * Parameters of a {@link Tracker}. Defaults follow the reference implementations: FairMOT's
 * {@code multitracker.py} (JDE policy) and ByteTrack's {@code byte_tracker.py}.
 *
 * @param policy association rules
 * @param frameRate frames per second; lost tracks are kept {@code int(frameRate / 30 * trackBuffer)} frames
 * @param trackBuffer frames a lost track is kept at 30 fps (30)
 * @param embeddingDim length of the re-ID embeddings (JDE: required, > 0; ByteTrack: ignored, 0)
 * @param detThresh JDE: detections need {@code score > detThresh} to be used at all and
 *     {@code score >= detThresh} to start a track (FairMOT's {@code conf_thres}, 0.4)
 * @param embeddingMatchThresh JDE: cost limit of the fused appearance+motion stage (0.4)
 * @param motionLambda JDE: weight of the appearance distance in the fused cost (0.98)
 * @param featureMomentum JDE: smoothing of a track's embedding (0.9)
 * @param iouMatchThresh JDE: IoU-distance limit of the second stage (0.5)
 * @param trackThresh ByteTrack: high-score detections have {@code score > trackThresh} (0.5)
 * @param lowThresh ByteTrack: low-score detections have {@code lowThresh < score < trackThresh} (0.1)
 * @param matchThresh ByteTrack: IoU-distance limit of the first stage (0.8)
 * @param lowMatchThresh ByteTrack: IoU-distance limit of the low-score stage (0.5)
 * @param newTrackMargin ByteTrack: a new track needs {@code score >= trackThresh + newTrackMargin} (0.1)
 * @param fuseScore ByteTrack: multiply IoU similarity by the detection score in the first and
 *     unconfirmed stages (ByteTrack does this unless {@code --mot20}; off by default here)
 * @param unconfirmedThresh IoU-distance limit for unconfirmed tracks (0.7)
 * @param duplicateThresh tracked/lost pairs closer than this IoU distance are duplicates (0.15)
 */
public record TrackerConfig(Policy policy, double frameRate, int trackBuffer, int embeddingDim,
                            double detThresh, double embeddingMatchThresh, double motionLambda,
                            double featureMomentum, double iouMatchThresh,
                            double trackThresh, double lowThresh, double matchThresh, double lowMatchThresh,
                            double newTrackMargin, boolean fuseScore,
                            double unconfirmedThresh, double duplicateThresh) {

    public TrackerConfig {
        if (policy == null) {
            throw new IllegalArgumentException("policy is required");
        }
        if (!(frameRate > 0) || Double.isInfinite(frameRate)) {
            throw new IllegalArgumentException("frameRate must be > 0, got " + frameRate);
        }
        if (trackBuffer < 0) {
            throw new IllegalArgumentException("trackBuffer must be >= 0");
        }
        if (embeddingDim < 0) {
            throw new IllegalArgumentException("embeddingDim must be >= 0");
        }
        if (policy == Policy.JDE && embeddingDim == 0) {
            throw new IllegalArgumentException("the jde policy needs re-ID embeddings (embeddingDim > 0)");
        }
        if (policy == Policy.BYTETRACK) {
            embeddingDim = 0;
        }
    }

    /** FairMOT's defaults for embeddings of {@code embeddingDim} at 30 fps. */
    public static TrackerConfig jde(int embeddingDim) {
        return new TrackerConfig(Policy.JDE, 30, 30, embeddingDim, 0.4, 0.4, 0.98, 0.9, 0.5,
                0.5, 0.1, 0.8, 0.5, 0.1, false, 0.7, 0.15);
    }

    /** ByteTrack's defaults (score fusion off) at 30 fps. */
    public static TrackerConfig byteTrack() {
        return new TrackerConfig(Policy.BYTETRACK, 30, 30, 0, 0.4, 0.4, 0.98, 0.9, 0.5,
                0.5, 0.1, 0.8, 0.5, 0.1, false, 0.7, 0.15);
    }

    public TrackerConfig withFrameRate(double fps) {
        return new TrackerConfig(policy, fps, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh);
    }

    public TrackerConfig withTrackThresh(double value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, value, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh);
    }

    public TrackerConfig withDetThresh(double value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, value, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh);
    }

    public TrackerConfig withFuseScore(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, value, unconfirmedThresh, duplicateThresh);
    }

    /** Frames a lost track is kept before removal: {@code int(frameRate / 30 * trackBuffer)}. */
    public int maxTimeLost() {
        return (int) (frameRate / 30.0 * trackBuffer);
    }

    /** The real-valued parameters in their encoding order (see {@link TrackerStateCodec}). */
    double[] realParams() {
        return new double[] {frameRate, detThresh, embeddingMatchThresh, motionLambda, featureMomentum,
            iouMatchThresh, trackThresh, lowThresh, matchThresh, lowMatchThresh, newTrackMargin,
            unconfirmedThresh, duplicateThresh};
    }

    static TrackerConfig fromParams(Policy policy, int trackBuffer, int embeddingDim, boolean fuseScore, double[] p) {
        return new TrackerConfig(policy, p[0], trackBuffer, embeddingDim, p[1], p[2], p[3], p[4], p[5],
                p[6], p[7], p[8], p[9], p[10], fuseScore, p[11], p[12]);
    }
}
