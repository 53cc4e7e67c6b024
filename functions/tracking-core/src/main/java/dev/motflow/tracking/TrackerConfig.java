package dev.motflow.tracking;

/**
 * Parameters of a {@link Tracker}. {@link #jde(int)} and {@link #byteTrackLegacy()} are the reference
 * implementations' defaults (FairMOT's {@code multitracker.py}, ByteTrack's {@code byte_tracker.py});
 * {@link #byteTrack()}, motflow's appearance-free default, changes six of ByteTrack's (docs/tracking.md).
 * Every duration is given in frames at 30 fps and scaled by {@code frameRate / 30}.
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
 * @param newTrackMargin ByteTrack: a new track needs {@code score >= trackThresh + newTrackMargin} (0.1; 0 in
 *     {@link #byteTrack()}: every high-score box left over starts one)
 * @param fuseScore ByteTrack: multiply IoU similarity by the detection score in the first and
 *     unconfirmed stages (ByteTrack does this unless {@code --mot20}; on in {@link #byteTrack()})
 * @param unconfirmedThresh IoU-distance limit for unconfirmed tracks (0.7)
 * @param duplicateThresh tracked/lost pairs closer than this IoU distance are duplicates (0.15)
 * @param lowScoreRefindBuffer ByteTrack: the low-score stage may also find again tracks lost for at most
 *     this many frames at 30 fps ({@link #lowScoreRefindFrames()}); 0: only tracks tracked in the previous
 *     frame, as in ByteTrack; 30 in {@link #byteTrack()}
 * @param unconfirmedBuffer ByteTrack: frames at 30 fps a new track may wait for the match that confirms it
 *     ({@link #unconfirmedFrames()}); 1: the next frame or never, as in the references; 2 in {@link #byteTrack()}
 * @param relativeAspectNoise ByteTrack: the Kalman filter's noise on the aspect ratio {@code w/h} and its
 *     velocity is proportional to the aspect ratio (process 1/20 and 1/160, measurement 1/10 of it), as the
 *     position's is to the height, instead of the references' small fixed values (process 0.01 and 1e-5,
 *     measurement 0.1), so the box width follows walking people; on in {@link #byteTrack()}
 * @param lowScoreConfirm ByteTrack: the unconfirmed stage also takes the low-score detections the low-score
 *     stage left over (after the high-score ones), so a new track whose next box scores low is still
 *     confirmed; ByteTrack only confirms with high-score boxes; on in {@link #byteTrack()}
 */
public record TrackerConfig(Policy policy, double frameRate, int trackBuffer, int embeddingDim,
                            double detThresh, double embeddingMatchThresh, double motionLambda,
                            double featureMomentum, double iouMatchThresh,
                            double trackThresh, double lowThresh, double matchThresh, double lowMatchThresh,
                            double newTrackMargin, boolean fuseScore,
                            double unconfirmedThresh, double duplicateThresh,
                            int lowScoreRefindBuffer, int unconfirmedBuffer, boolean relativeAspectNoise,
                            boolean lowScoreConfirm) {

    /** The reference trackers' values of the settings that came after them (see {@link #byteTrackLegacy()}). */
    static final int LEGACY_LOW_SCORE_REFIND_BUFFER = 0;
    static final int LEGACY_UNCONFIRMED_BUFFER = 1;
    static final boolean LEGACY_RELATIVE_ASPECT_NOISE = false;
    static final boolean LEGACY_LOW_SCORE_CONFIRM = false;

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
        if (lowScoreRefindBuffer < 0) {
            throw new IllegalArgumentException("lowScoreRefindBuffer must be >= 0");
        }
        if (unconfirmedBuffer < 1) {
            throw new IllegalArgumentException("unconfirmedBuffer must be >= 1");
        }
    }

    /** The parameters of the reference trackers (the settings added since at their reference values). */
    public TrackerConfig(Policy policy, double frameRate, int trackBuffer, int embeddingDim,
                         double detThresh, double embeddingMatchThresh, double motionLambda,
                         double featureMomentum, double iouMatchThresh,
                         double trackThresh, double lowThresh, double matchThresh, double lowMatchThresh,
                         double newTrackMargin, boolean fuseScore,
                         double unconfirmedThresh, double duplicateThresh) {
        this(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh, motionLambda,
                featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh, lowMatchThresh, newTrackMargin,
                fuseScore, unconfirmedThresh, duplicateThresh, LEGACY_LOW_SCORE_REFIND_BUFFER, LEGACY_UNCONFIRMED_BUFFER,
                LEGACY_RELATIVE_ASPECT_NOISE, LEGACY_LOW_SCORE_CONFIRM);
    }

    /** FairMOT's defaults for embeddings of {@code embeddingDim} at 30 fps. */
    public static TrackerConfig jde(int embeddingDim) {
        return new TrackerConfig(Policy.JDE, 30, 30, embeddingDim, 0.4, 0.4, 0.98, 0.9, 0.5,
                0.5, 0.1, 0.8, 0.5, 0.1, false, 0.7, 0.15);
    }

    /**
     * motflow's appearance-free policy at 30 fps: ByteTrack's rules and thresholds with the changes kept by
     * measurement (docs/tracking.md): score-fused IoU in the first and unconfirmed stages, low-score boxes
     * also find again tracks lost up to 30 frames (at 30 fps), and a new track has 2 frames (at 30 fps)
     * to be confirmed, the Kalman filter's aspect-ratio noise proportional to the aspect ratio, and every
     * high-score detection left over starts a track (new-track margin 0), and low-score boxes confirm new
     * tracks too.
     */
    public static TrackerConfig byteTrack() {
        return new TrackerConfig(Policy.BYTETRACK, 30, 30, 0, 0.4, 0.4, 0.98, 0.9, 0.5,
                0.5, 0.1, 0.8, 0.5, 0.0, true, 0.7, 0.15, 30, 2, true, true);
    }

    /** ByteTrack's own defaults (score fusion off) at 30 fps, exactly the reference rules. */
    public static TrackerConfig byteTrackLegacy() {
        return new TrackerConfig(Policy.BYTETRACK, 30, 30, 0, 0.4, 0.4, 0.98, 0.9, 0.5,
                0.5, 0.1, 0.8, 0.5, 0.1, false, 0.7, 0.15);
    }

    public TrackerConfig withFrameRate(double fps) {
        return new TrackerConfig(policy, fps, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm);
    }

    public TrackerConfig withTrackThresh(double value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, value, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm);
    }

    public TrackerConfig withDetThresh(double value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, value, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm);
    }

    public TrackerConfig withFuseScore(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, value, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm);
    }

    public TrackerConfig withNewTrackMargin(double value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, value, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm);
    }

    public TrackerConfig withLowScoreRefindBuffer(int frames) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                frames, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm);
    }

    public TrackerConfig withUnconfirmedBuffer(int frames) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, frames, relativeAspectNoise, lowScoreConfirm);
    }

    public TrackerConfig withRelativeAspectNoise(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, value, lowScoreConfirm);
    }

    public TrackerConfig withLowScoreConfirm(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, value);
    }

    /** Frames a lost track is kept before removal: {@code int(frameRate / 30 * trackBuffer)}. */
    public int maxTimeLost() {
        return atFrameRate(trackBuffer);
    }

    /** Frames since its last match within which a lost track may take a low-score detection (0: never). */
    public int lowScoreRefindFrames() {
        return atFrameRate(lowScoreRefindBuffer);
    }

    /** Frames since its start within which an unconfirmed track may still be confirmed (at least 1). */
    public int unconfirmedFrames() {
        return Math.max(1, atFrameRate(unconfirmedBuffer));
    }

    /** A duration given in frames at 30 fps, in frames at this frame rate: {@code int(frameRate / 30 * frames)}. */
    private int atFrameRate(int framesAt30) {
        return (int) (frameRate / 30.0 * framesAt30);
    }

    /**
     * The real-valued parameters in their encoding order (see {@link TrackerStateCodec}); the ones added
     * after the first 13 only when they differ from their reference values.
     */
    double[] realParams() {
        boolean reference = lowScoreRefindBuffer == LEGACY_LOW_SCORE_REFIND_BUFFER
                && unconfirmedBuffer == LEGACY_UNCONFIRMED_BUFFER && relativeAspectNoise == LEGACY_RELATIVE_ASPECT_NOISE
                && lowScoreConfirm == LEGACY_LOW_SCORE_CONFIRM;
        double[] first = {frameRate, detThresh, embeddingMatchThresh, motionLambda, featureMomentum,
            iouMatchThresh, trackThresh, lowThresh, matchThresh, lowMatchThresh, newTrackMargin,
            unconfirmedThresh, duplicateThresh};
        if (reference) {
            return first;
        }
        // The flags (16th: aspect noise, 17th: low-score confirmation) only up to the last one that is on, so
        // states written before them stay byte-equal.
        int extra = lowScoreConfirm ? 4 : relativeAspectNoise ? 3 : 2;
        double[] all = java.util.Arrays.copyOf(first, first.length + extra);
        all[13] = lowScoreRefindBuffer;
        all[14] = unconfirmedBuffer;
        if (extra > 2) {
            all[15] = relativeAspectNoise ? 1 : 0;
        }
        if (extra > 3) {
            all[16] = 1;
        }
        return all;
    }

    /** The inverse of {@link #realParams()}; a state written before a parameter existed gets its reference value. */
    static TrackerConfig fromParams(Policy policy, int trackBuffer, int embeddingDim, boolean fuseScore, double[] p) {
        int lowScoreRefind = p.length > 13 ? (int) p[13] : LEGACY_LOW_SCORE_REFIND_BUFFER;
        int unconfirmed = p.length > 14 ? (int) p[14] : LEGACY_UNCONFIRMED_BUFFER;
        boolean relativeAspect = p.length > 15 ? p[15] != 0 : LEGACY_RELATIVE_ASPECT_NOISE;
        boolean lowConfirm = p.length > 16 ? p[16] != 0 : LEGACY_LOW_SCORE_CONFIRM;
        return new TrackerConfig(policy, p[0], trackBuffer, embeddingDim, p[1], p[2], p[3], p[4], p[5],
                p[6], p[7], p[8], p[9], p[10], fuseScore, p[11], p[12], lowScoreRefind, unconfirmed, relativeAspect,
                lowConfirm);
    }
}
