package dev.motflow.tracking;

/**
 * Parameters of a {@link Tracker}. {@link #jdeLegacy(int)} and {@link #byteTrackLegacy()} are the reference
 * implementations' defaults (FairMOT's {@code multitracker.py}, ByteTrack's {@code byte_tracker.py});
 * {@link #byteTrack()}, motflow's appearance-free default, changes fourteen of ByteTrack's, and {@link #jde(int)},
 * motflow's policy with embeddings, changes FairMOT's memory and reports a settled track's missed frame (docs/tracking.md). Durations are given in frames at
 * 30 fps and scaled by {@code frameRate / 30} (the references' buffer truncated as they do, motflow's own durations
 * rounded half up: {@link #roundedFrames}), or in seconds.
 *
 * @param policy association rules
 * @param frameRate frames per second
 * @param trackBuffer frames a lost track is kept at 30 fps (30), when {@code maxLostSeconds} is 0
 * @param embeddingDim length of the re-ID embeddings (JDE: required, > 0; ByteTrack: ignored, 0)
 * @param detThresh JDE: detections need {@code score > detThresh} to be used at all and
 *     {@code score >= detThresh} to start a track (FairMOT's {@code conf_thres}, 0.4)
 * @param embeddingMatchThresh JDE: cost limit of the fused appearance+motion stage (0.4)
 * @param motionLambda JDE: weight of the appearance distance in the fused cost (0.98)
 * @param featureMomentum JDE: smoothing of a track's embedding (0.9)
 * @param iouMatchThresh JDE: IoU-distance limit of the second stage (0.5)
 * @param trackThresh ByteTrack: high-score detections have {@code score > trackThresh} (0.5)
 * @param lowThresh ByteTrack: low-score detections have {@code lowThresh < score < trackThresh} (0.1; 0 in
 *     {@link #byteTrack()}: every box above 0, e.g. MOTChallenge's Faster R-CNN boxes down to 0.05)
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
 * @param maxLostSeconds seconds a lost track is kept ({@link #maxTimeLost()}: {@code int(frameRate *
 *     maxLostSeconds)} frames); 0: {@code trackBuffer} frames at 30 fps, as in the references;
 *     {@value #JDE_MAX_LOST_SECONDS} in {@link #jde(int)}
 * @param reidAfterSeconds JDE with {@code reidThresh}: a track lost for more than this
 *     ({@link #reidAfterFrames()}) is matched by its embedding alone, anywhere, up to {@code reidThresh},
 *     and restarts its Kalman state when found
 * @param reidThresh JDE: cosine-distance limit of those embedding-only matches; 0: off, as in FairMOT and
 *     {@link #jde(int)} (measured: not better on the sets of docs/tracking.md, "With appearance")
 * @param widthState the Kalman filter holds the box width instead of the aspect ratio: state {@code cx, cy, w, h}
 *     and their velocities, noise of {@code cx} and {@code w} proportional to the width, of {@code cy} and
 *     {@code h} to the height (as BoT-SORT's filter), so a box that narrows or widens fast is followed at once
 *     rather than through the ratio; a lost track's width velocity is zeroed with its height velocity;
 *     {@code relativeAspectNoise} then has no effect; on in {@link #byteTrack()}
 * @param cameraShiftFromTracks ByteTrack: a camera pan estimated from the settled tracks' innovations moves the
 *     next frame's predictions (docs/tracking.md); on in {@link #byteTrack()}
 * @param shortTrackLostBuffer ByteTrack: a track followed over fewer than {@value #SHORT_TRACK_SPAN} frames (at
 *     30 fps) when it is lost is kept only this many frames at 30 fps ({@link #shortTrackLostFrames()}), not
 *     the full buffer: its velocity, learnt from a few boxes, carries its predicted box off into other people's
 *     paths; 0: off (every lost track kept the full buffer, as in the references); 10 in {@link #byteTrack()}
 * @param nestedBoxLimit ByteTrack: a high-score box left over after the three stages starts no track when more
 *     than this fraction of its area lies inside a box that a track took this frame: a detector's second, partial
 *     box on a person already followed (TUD-Campus), which would otherwise start a track that takes over that
 *     person's id; 0: off (every box left over may start one, as in the references); 0.9 in {@link #byteTrack()}
 * @param rematchAfterShift ByteTrack with {@code cameraShiftFromTracks}: when this frame's camera shift (the settled
 *     tracks' median innovation in the first stage, significant, at least 3 px on an axis) is known, the
 *     candidates the first stage left unmatched are moved by it and matched again against the high-score boxes it
 *     left over, with the same cost and limit: a camera that turns faster than the carried shift foresaw leaves
 *     predictions too far from their boxes for the first stage; on in {@link #byteTrack()}
 * @param reportMissedFrame a confirmed track that was matched at least {@value #SETTLED_RUN} times in a row and
 *     misses a frame is still reported in that frame, at its predicted box (a detector's one-frame miss on a person
 *     followed steadily is far likelier than the person vanishing); not in the frames after, and never a track that
 *     was not settled; off in the references (only tracks matched in the frame are reported); on in
 *     {@link #byteTrack()}
 */
public record TrackerConfig(Policy policy, double frameRate, int trackBuffer, int embeddingDim,
                            double detThresh, double embeddingMatchThresh, double motionLambda,
                            double featureMomentum, double iouMatchThresh,
                            double trackThresh, double lowThresh, double matchThresh, double lowMatchThresh,
                            double newTrackMargin, boolean fuseScore,
                            double unconfirmedThresh, double duplicateThresh,
                            int lowScoreRefindBuffer, int unconfirmedBuffer, boolean relativeAspectNoise,
                            boolean lowScoreConfirm, double maxLostSeconds, double reidAfterSeconds,
                            double reidThresh, boolean widthState, boolean cameraShiftFromTracks,
                            int shortTrackLostBuffer, double nestedBoxLimit, boolean rematchAfterShift,
                            boolean reportMissedFrame) {

    /** The reference trackers' values of the settings that came after them (see {@link #byteTrackLegacy()}). */
    static final int LEGACY_LOW_SCORE_REFIND_BUFFER = 0;
    static final int LEGACY_UNCONFIRMED_BUFFER = 1;
    static final boolean LEGACY_RELATIVE_ASPECT_NOISE = false;
    static final boolean LEGACY_LOW_SCORE_CONFIRM = false;
    static final double LEGACY_MAX_LOST_SECONDS = 0;
    static final double LEGACY_REID_AFTER_SECONDS = 0;
    static final double LEGACY_REID_THRESH = 0;
    static final boolean LEGACY_WIDTH_STATE = false;
    static final boolean LEGACY_CAMERA_SHIFT_FROM_TRACKS = false;
    static final int LEGACY_SHORT_TRACK_LOST_BUFFER = 0;
    static final double LEGACY_NESTED_BOX_LIMIT = 0;
    static final boolean LEGACY_REMATCH_AFTER_SHIFT = false;
    static final boolean LEGACY_REPORT_MISSED_FRAME = false;

    /**
     * A track followed over fewer frames than this (at 30 fps) when it is lost counts as short for
     * {@link #shortTrackLostBuffer()}: its velocity comes from a few boxes.
     */
    public static final int SHORT_TRACK_SPAN = 5;

    /**
     * Matches in a row (since a track's start or its last re-finding) after which its velocity counts as settled:
     * the camera shift takes its median from such tracks only, and {@link #reportMissedFrame()} reports only them.
     */
    public static final int SETTLED_RUN = 5;

    /**
     * {@link #byteTrack()}'s {@link #lowThresh()}: every box scoring above 0 may continue a track in the low-score
     * stage (ByteTrack: above 0.1); they never start one (docs/tracking.md).
     */
    public static final double BYTETRACK_LOW_THRESH = 0.0;

    /** {@link #byteTrack()}'s {@link #shortTrackLostBuffer()}, chosen by measurement (docs/tracking.md). */
    public static final int BYTETRACK_SHORT_TRACK_LOST_BUFFER = 10;

    /** {@link #byteTrack()}'s {@link #nestedBoxLimit()}, chosen by measurement (docs/tracking.md). */
    public static final double BYTETRACK_NESTED_BOX_LIMIT = 0.9;

    /** {@link #jde(int)}'s memory, chosen by measurement (docs/tracking.md, "With appearance"). */
    public static final double JDE_MAX_LOST_SECONDS = 4.0;

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
        if (shortTrackLostBuffer < 0) {
            throw new IllegalArgumentException("shortTrackLostBuffer must be >= 0");
        }
        if (!(nestedBoxLimit >= 0 && nestedBoxLimit <= 1)) {
            throw new IllegalArgumentException("nestedBoxLimit must be in [0, 1] (0: off), got " + nestedBoxLimit);
        }
        if (unconfirmedBuffer < 1) {
            throw new IllegalArgumentException("unconfirmedBuffer must be >= 1");
        }
        if (!(maxLostSeconds >= 0) || Double.isInfinite(maxLostSeconds)) {
            throw new IllegalArgumentException("maxLostSeconds must be >= 0, got " + maxLostSeconds);
        }
        if (!(reidAfterSeconds >= 0) || Double.isInfinite(reidAfterSeconds)) {
            throw new IllegalArgumentException("reidAfterSeconds must be >= 0, got " + reidAfterSeconds);
        }
        if (!(reidThresh >= 0 && reidThresh <= 2)) {
            throw new IllegalArgumentException("reidThresh must be in [0, 2] (a cosine distance), got " + reidThresh);
        }
    }

    /** The settings up to {@code unconfirmedBuffer}; the later ones at their reference values. */
    public TrackerConfig(Policy policy, double frameRate, int trackBuffer, int embeddingDim,
                         double detThresh, double embeddingMatchThresh, double motionLambda,
                         double featureMomentum, double iouMatchThresh,
                         double trackThresh, double lowThresh, double matchThresh, double lowMatchThresh,
                         double newTrackMargin, boolean fuseScore,
                         double unconfirmedThresh, double duplicateThresh,
                         int lowScoreRefindBuffer, int unconfirmedBuffer) {
        this(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh, motionLambda,
                featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh, lowMatchThresh, newTrackMargin,
                fuseScore, unconfirmedThresh, duplicateThresh, lowScoreRefindBuffer, unconfirmedBuffer,
                LEGACY_RELATIVE_ASPECT_NOISE, LEGACY_LOW_SCORE_CONFIRM,
                LEGACY_MAX_LOST_SECONDS, LEGACY_REID_AFTER_SECONDS, LEGACY_REID_THRESH, LEGACY_WIDTH_STATE,
                LEGACY_CAMERA_SHIFT_FROM_TRACKS, LEGACY_SHORT_TRACK_LOST_BUFFER, LEGACY_NESTED_BOX_LIMIT,
                LEGACY_REMATCH_AFTER_SHIFT, LEGACY_REPORT_MISSED_FRAME);
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
                fuseScore, unconfirmedThresh, duplicateThresh, LEGACY_LOW_SCORE_REFIND_BUFFER, LEGACY_UNCONFIRMED_BUFFER);
    }

    /**
     * motflow's JDE policy for embeddings of {@code embeddingDim} at 30 fps: FairMOT's rules and thresholds,
     * with lost tracks kept {@value #JDE_MAX_LOST_SECONDS} s (FairMOT: 30 frames at 30 fps, 1 s), and a settled
     * track reported in the first frame it misses ({@link #reportMissedFrame()}, as in {@link #byteTrack()}).
     * Embedding-only re-identification ({@link #withReid}) is off, as in FairMOT.
     */
    public static TrackerConfig jde(int embeddingDim) {
        return jdeLegacy(embeddingDim).withMaxLostSeconds(JDE_MAX_LOST_SECONDS).withReportMissedFrame(true);
    }

    /** FairMOT's own defaults (lost tracks kept 30 frames at 30 fps, no embedding-only matches) at 30 fps. */
    public static TrackerConfig jdeLegacy(int embeddingDim) {
        return new TrackerConfig(Policy.JDE, 30, 30, embeddingDim, 0.4, 0.4, 0.98, 0.9, 0.5,
                0.5, 0.1, 0.8, 0.5, 0.1, false, 0.7, 0.15);
    }

    /**
     * motflow's appearance-free policy at 30 fps: ByteTrack's rules and thresholds with the changes kept by
     * measurement (docs/tracking.md): score-fused IoU in the first and unconfirmed stages, low-score boxes
     * also find again tracks lost up to 30 frames (at 30 fps), and a new track has 2 frames (at 30 fps)
     * to be confirmed, the Kalman filter's aspect-ratio noise proportional to the aspect ratio, and every
     * high-score detection left over starts a track (new-track margin 0), and low-score boxes confirm new
     * tracks too; the Kalman filter holds the width rather than the aspect ratio ({@link #widthState()}; the
     * aspect-ratio noise setting stays on so that {@code withWidthState(false)} is the previous default), and a
     * camera pan estimated from the settled tracks moves the predictions ({@link #cameraShiftFromTracks()}), and a
     * track followed over only a few frames is kept 10 frames (at 30 fps) once lost ({@link #shortTrackLostBuffer()}),
     * and the low-score stage takes every box scoring above 0 ({@link #BYTETRACK_LOW_THRESH}), and a box lying
     * almost wholly inside a box a track took starts no track ({@link #nestedBoxLimit()}), and the first stage's
     * unmatched tracks get a second look once this frame's camera shift is known ({@link #rematchAfterShift()}).
     */
    public static TrackerConfig byteTrack() {
        return new TrackerConfig(Policy.BYTETRACK, 30, 30, 0, 0.4, 0.4, 0.98, 0.9, 0.5,
                0.5, BYTETRACK_LOW_THRESH, 0.8, 0.5, 0.0, true, 0.7, 0.15, 30, 2).withRelativeAspectNoise(true).withLowScoreConfirm(true)
                .withWidthState(true).withCameraShiftFromTracks(true).withShortTrackLostBuffer(BYTETRACK_SHORT_TRACK_LOST_BUFFER)
                .withNestedBoxLimit(BYTETRACK_NESTED_BOX_LIMIT).withRematchAfterShift(true).withReportMissedFrame(true);
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
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    public TrackerConfig withTrackThresh(double value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, value, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    public TrackerConfig withDetThresh(double value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, value, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    public TrackerConfig withFuseScore(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, value, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    public TrackerConfig withNewTrackMargin(double value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, value, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    public TrackerConfig withLowScoreRefindBuffer(int frames) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                frames, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    public TrackerConfig withUnconfirmedBuffer(int frames) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, frames, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    public TrackerConfig withRelativeAspectNoise(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, value, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    public TrackerConfig withLowScoreConfirm(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, value, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    /** The Kalman filter's width state ({@code true}) or the references' aspect-ratio state. */
    public TrackerConfig withWidthState(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, value, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    /** ByteTrack: the carried camera shift estimated from the settled tracks' innovations (on) or none. */
    public TrackerConfig withCameraShiftFromTracks(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, value, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    /** ByteTrack: frames at 30 fps a short track is kept once lost (0: the full buffer, as every track). */
    public TrackerConfig withShortTrackLostBuffer(int frames) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, frames, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    /**
     * ByteTrack: a box left over starts no track when more than this fraction of its area lies inside a box a
     * track took this frame (0: off).
     */
    public TrackerConfig withNestedBoxLimit(double limit) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, limit, rematchAfterShift, reportMissedFrame);
    }

    /**
     * ByteTrack with {@link #cameraShiftFromTracks()}: the first stage's unmatched candidates moved by the frame's
     * camera shift and matched again (on) or not.
     */
    public TrackerConfig withRematchAfterShift(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, value, reportMissedFrame);
    }

    /**
     * A settled track (at least {@value #SETTLED_RUN} matches in a row) that misses a frame is reported in that
     * frame at its predicted box (on) or, as in the references, not.
     */
    public TrackerConfig withReportMissedFrame(boolean value) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, value);
    }

    /** Lost tracks kept {@code seconds} (0: {@code trackBuffer} frames at 30 fps). */
    public TrackerConfig withMaxLostSeconds(double seconds) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, seconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    /** JDE: embedding-only matches for tracks lost more than {@code afterSeconds}, below {@code thresh} (0: none). */
    public TrackerConfig withReid(double afterSeconds, double thresh) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, featureMomentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, afterSeconds,
                thresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    /** JDE: the smoothing of a track's embedding, {@code momentum * old + (1 - momentum) * new} (FairMOT: 0.9). */
    public TrackerConfig withFeatureMomentum(double momentum) {
        return new TrackerConfig(policy, frameRate, trackBuffer, embeddingDim, detThresh, embeddingMatchThresh,
                motionLambda, momentum, iouMatchThresh, trackThresh, lowThresh, matchThresh,
                lowMatchThresh, newTrackMargin, fuseScore, unconfirmedThresh, duplicateThresh,
                lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise, lowScoreConfirm, maxLostSeconds, reidAfterSeconds,
                reidThresh, widthState, cameraShiftFromTracks, shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift, reportMissedFrame);
    }

    /**
     * Frames a lost track is kept before removal: {@code int(frameRate * maxLostSeconds)}, or without
     * {@code maxLostSeconds} {@code int(frameRate / 30 * trackBuffer)}.
     */
    public int maxTimeLost() {
        return maxLostSeconds > 0 ? (int) (frameRate * maxLostSeconds) : atFrameRate(trackBuffer);
    }

    /** JDE: frames since its last match after which a lost track may be found again by embedding alone. */
    public int reidAfterFrames() {
        return (int) (frameRate * reidAfterSeconds);
    }

    /** JDE: whether embedding-only matches are on ({@code reidThresh > 0}). */
    public boolean reidEnabled() {
        return reidThresh > 0;
    }

    /** Frames since its last match within which a lost track may take a low-score detection (0: never). */
    public int lowScoreRefindFrames() {
        return roundedAtFrameRate(lowScoreRefindBuffer);
    }

    /** Frames since its start within which an unconfirmed track may still be confirmed (at least 1). */
    public int unconfirmedFrames() {
        return Math.max(1, roundedAtFrameRate(unconfirmedBuffer));
    }

    /**
     * Frames a short track (followed over fewer than {@link #shortTrackSpanFrames()} frames) is kept once lost;
     * 0 when the setting is off.
     */
    public int shortTrackLostFrames() {
        return roundedAtFrameRate(shortTrackLostBuffer);
    }

    /** {@value #SHORT_TRACK_SPAN} frames at 30 fps at this frame rate. */
    public int shortTrackSpanFrames() {
        return roundedAtFrameRate(SHORT_TRACK_SPAN);
    }

    /**
     * The references' buffer given in frames at 30 fps, in frames at this frame rate as they compute it:
     * {@code int(frameRate / 30 * frames)}.
     */
    private int atFrameRate(int framesAt30) {
        return (int) (frameRate / 30.0 * framesAt30);
    }

    /**
     * One of motflow's durations given in frames at 30 fps, in frames at this frame rate, rounded half up:
     * {@code floor(frameRate / 30 * frames + 0.5)}. Truncating, as the references do for their buffer, made 2
     * frames at 30 fps (67 ms) a single frame at 25 fps (40 ms) instead of two (80 ms).
     */
    static int roundedFrames(double frameRate, int framesAt30) {
        return (int) Math.floor(frameRate / 30.0 * framesAt30 + 0.5);
    }

    private int roundedAtFrameRate(int framesAt30) {
        return roundedFrames(frameRate, framesAt30);
    }

    /**
     * The real-valued parameters in their encoding order (see {@link TrackerStateCodec}); each group added
     * after the first 13 only when it or a later one differs from its reference values, so a configuration
     * that only uses the older settings keeps the older layout.
     */
    double[] realParams() {
        double[] all = {frameRate, detThresh, embeddingMatchThresh, motionLambda, featureMomentum,
            iouMatchThresh, trackThresh, lowThresh, matchThresh, lowMatchThresh, newTrackMargin,
            unconfirmedThresh, duplicateThresh,
            lowScoreRefindBuffer, unconfirmedBuffer, relativeAspectNoise ? 1 : 0, lowScoreConfirm ? 1 : 0,
            maxLostSeconds, reidAfterSeconds, reidThresh, widthState ? 1 : 0, cameraShiftFromTracks ? 1 : 0,
            shortTrackLostBuffer, nestedBoxLimit, rematchAfterShift ? 1 : 0, reportMissedFrame ? 1 : 0};
        // The settings after the first 13 only up to the last one that differs from its reference value,
        // so that states written before a setting existed stay byte-equal.
        double[] reference = {LEGACY_LOW_SCORE_REFIND_BUFFER, LEGACY_UNCONFIRMED_BUFFER,
            LEGACY_RELATIVE_ASPECT_NOISE ? 1 : 0, LEGACY_LOW_SCORE_CONFIRM ? 1 : 0,
            LEGACY_MAX_LOST_SECONDS, LEGACY_REID_AFTER_SECONDS, LEGACY_REID_THRESH, LEGACY_WIDTH_STATE ? 1 : 0,
            LEGACY_CAMERA_SHIFT_FROM_TRACKS ? 1 : 0, LEGACY_SHORT_TRACK_LOST_BUFFER, LEGACY_NESTED_BOX_LIMIT,
            LEGACY_REMATCH_AFTER_SHIFT ? 1 : 0, LEGACY_REPORT_MISSED_FRAME ? 1 : 0};
        int length = 13;
        for (int i = 0; i < reference.length; i++) {
            if (all[13 + i] != reference[i]) {
                length = 14 + i;
            }
        }
        return java.util.Arrays.copyOf(all, length);
    }

    /** The inverse of {@link #realParams()}; a state written before a parameter existed gets its reference value. */
    static TrackerConfig fromParams(Policy policy, int trackBuffer, int embeddingDim, boolean fuseScore, double[] p) {
        int lowScoreRefind = p.length > 13 ? (int) p[13] : LEGACY_LOW_SCORE_REFIND_BUFFER;
        int unconfirmed = p.length > 14 ? (int) p[14] : LEGACY_UNCONFIRMED_BUFFER;
        boolean relativeAspect = p.length > 15 ? p[15] != 0 : LEGACY_RELATIVE_ASPECT_NOISE;
        boolean lowConfirm = p.length > 16 ? p[16] != 0 : LEGACY_LOW_SCORE_CONFIRM;
        double maxLost = p.length > 17 ? p[17] : LEGACY_MAX_LOST_SECONDS;
        double reidAfter = p.length > 18 ? p[18] : LEGACY_REID_AFTER_SECONDS;
        double reid = p.length > 19 ? p[19] : LEGACY_REID_THRESH;
        // A state written before the width state existed holds an aspect-ratio Kalman state.
        boolean width = p.length > 20 ? p[20] != 0 : LEGACY_WIDTH_STATE;
        // A state written before the camera shift existed carries none and goes on without it.
        boolean cameraShift = p.length > 21 ? p[21] != 0 : LEGACY_CAMERA_SHIFT_FROM_TRACKS;
        // Before the short-track buffer every lost track was kept the full buffer.
        int shortLost = p.length > 22 ? (int) p[22] : LEGACY_SHORT_TRACK_LOST_BUFFER;
        // Before the nested-box limit every high-score box left over could start a track.
        double nested = p.length > 23 ? p[23] : LEGACY_NESTED_BOX_LIMIT;
        // Before the rematch the first stage's unmatched candidates waited for the low-score stage.
        boolean rematch = p.length > 24 ? p[24] != 0 : LEGACY_REMATCH_AFTER_SHIFT;
        // Before the missed-frame report a track missing a frame was not reported in it.
        boolean reportMissed = p.length > 25 ? p[25] != 0 : LEGACY_REPORT_MISSED_FRAME;
        return new TrackerConfig(policy, p[0], trackBuffer, embeddingDim, p[1], p[2], p[3], p[4], p[5],
                p[6], p[7], p[8], p[9], p[10], fuseScore, p[11], p[12], lowScoreRefind, unconfirmed, relativeAspect,
                lowConfirm, maxLost, reidAfter, reid, width, cameraShift, shortLost, nested, rematch, reportMissed);
    }
}
