package dev.motflow.tracking;

/**
 * ByteTrack association ({@code byte_tracker.py}), by IoU only, in three stages. 1: all candidates
 * (confirmed tracked and lost) against the high-score detections ({@code score > trackThresh});
 * 2: the tracked candidates left over against the low-score detections
 * ({@code lowThresh < score < trackThresh}), which never start tracks; with
 * {@link TrackerConfig#lowScoreRefindFrames()} above 0, the lost tracks left over that were last matched
 * at most that many frames ago join this stage (after the tracked ones) and are found again by a
 * low-score box; 3: unconfirmed tracks against the high-score detections left over, and with
 * {@link TrackerConfig#lowScoreConfirm()} the low-score ones left over after them (an unmatched one
 * goes once {@link TrackerConfig#unconfirmedFrames()} have passed since its start). What is left of
 * those starts tracks when it scores at least {@code trackThresh + newTrackMargin} and, with
 * {@link TrackerConfig#nestedBoxLimit()} above 0, does not lie almost wholly inside a box a track took. With
 * {@link TrackerConfig#cameraShiftFromTracks()} the first stage's innovations also give the camera shift that
 * moves the next frame's predictions (kept in {@link TrackLifecycle#cameraDx}, {@code cameraDy}); with
 * {@link TrackerConfig#rematchAfterShift()} also, when it is at least {@value #REMATCH_MIN_SHIFT} px, the candidates
 * the first stage left unmatched, which are then matched again against the high-score detections it left over.
 */
final class ByteTrackAssociation implements AssociationPolicy {
    /** ByteTrack's re_activate takes the new detection's score. */
    private static final boolean REFOUND_TAKES_NEW_SCORE = true;

    private final TrackerConfig config;
    private final AssociationStages stages = new AssociationStages();

    // Detection indices per stage: its input, then what it left unmatched for the next.
    private int[] highScore = new int[32];
    private int[] lowScore = new int[32];
    private int[] highUnmatchedAfterFirst = new int[32];
    private int[] newTrackCandidates = new int[32];
    private int[] lowUnmatched = new int[32];
    private int[] rematchInput = new int[32];

    private final int lowScoreRefindFrames;
    private final int unconfirmedFrames;
    private final boolean lowScoreConfirms;

    /** Fewer settled tracks than this give no shift: a median of two or three walkers is no pan. */
    static final int MIN_SETTLED_TRACKS = 5;
    /** The median must stand this many robust standard errors ({@code 1.4826 MAD / sqrt(m)}) from 0. */
    static final double SHIFT_Z = 3;
    /** {@link TrackerConfig#rematchAfterShift()}: a frame's shift below this on both axes (pixels) gives no rematch. */
    static final double REMATCH_MIN_SHIFT = 3;

    private final boolean cameraShift;
    private final boolean rematchAfterShift;
    /** This frame's camera shift (the significant median innovation of the first stage; 0 when none), pixels. */
    private double frameDx;
    private double frameDy;
    /** The candidates the first stage left unmatched, for the rematch. */
    private final java.util.ArrayList<Track> unmatchedCandidates = new java.util.ArrayList<>();
    private final double nestedBoxLimit;
    private double[] innovX = new double[32];
    private double[] innovY = new double[32];
    private double[] absDev = new double[32];

    ByteTrackAssociation(TrackerConfig config) {
        this.config = config;
        this.lowScoreRefindFrames = config.lowScoreRefindFrames();
        this.unconfirmedFrames = config.unconfirmedFrames();
        this.lowScoreConfirms = config.lowScoreConfirm();
        this.cameraShift = config.cameraShiftFromTracks();
        this.rematchAfterShift = cameraShift && config.rematchAfterShift();
        this.nestedBoxLimit = config.nestedBoxLimit();
    }

    @Override
    public void associate(Detections dets, TrackLifecycle tracks) {
        int n = dets.size();
        ensureCapacity(n);
        double trackThresh = config.trackThresh();
        double lowThresh = config.lowThresh();
        int highCount = 0;
        int lowCount = 0;
        for (int i = 0; i < n; i++) {
            double s = dets.score(i);
            if (s > trackThresh) {
                highScore[highCount++] = i;
            } else if (s > lowThresh && s < trackThresh) {
                lowScore[lowCount++] = i;
            }
        }
        if (cameraShift && (tracks.cameraDx != 0 || tracks.cameraDy != 0)) {
            // The camera moved last frame and is assumed to move alike now: every prediction moves with it.
            shift(tracks.candidates, tracks.cameraDx, tracks.cameraDy);
            shift(tracks.unconfirmed, tracks.cameraDx, tracks.cameraDy);
        }
        // Stage 1: candidates against the high-score detections.
        stages.fillIouCost(tracks.candidates, dets, highScore, highCount, config.fuseScore());
        stages.solve(tracks.candidates.size(), highCount, config.matchThresh());
        if (cameraShift) {
            // Before the matches update the tracks: the innovations are against this frame's predictions.
            updateCameraShift(tracks, dets);
        }
        int highLeft = stages.applyCandidateMatches(tracks, dets, highScore, highCount, REFOUND_TAKES_NEW_SCORE,
                highUnmatchedAfterFirst);
        if (rematchAfterShift && (Math.abs(frameDx) >= REMATCH_MIN_SHIFT || Math.abs(frameDy) >= REMATCH_MIN_SHIFT)) {
            highLeft = rematchShifted(tracks, dets, highLeft);
        }
        // Stage 2: the tracked candidates left over (and the recently lost ones) against the low-score
        // detections; leftover detections are dropped.
        if (lowScoreRefindFrames > 0) {
            stages.addRecentlyLost(tracks, lowScoreRefindFrames);
        }
        int lowLeft = stages.matchTrackedByIou(tracks, dets, lowScore, lowCount, config.lowMatchThresh(), REFOUND_TAKES_NEW_SCORE,
                lowUnmatched);
        if (lowScoreConfirms) {
            // The low-score boxes left over may confirm new tracks too (after the high ones); being below
            // trackThresh, none of them starts a track.
            for (int k = 0; k < lowLeft; k++) {
                highUnmatchedAfterFirst[highLeft++] = lowUnmatched[k];
            }
        }
        // Stage 3: unconfirmed tracks against the high-score detections left over.
        int left = stages.matchUnconfirmed(tracks, dets, highUnmatchedAfterFirst, highLeft,
                config.unconfirmedThresh(), config.fuseScore(), unconfirmedFrames, newTrackCandidates);
        double newTrackThresh = trackThresh + config.newTrackMargin();
        for (int k = 0; k < left; k++) {
            int d = newTrackCandidates[k];
            if (dets.score(d) >= newTrackThresh && !(nestedBoxLimit > 0 && nestedInTakenBox(tracks, dets, d))) {
                tracks.startTrack(dets, d);
            }
        }
    }

    /**
     * The camera moved this frame by more than the carried shift foresaw: the candidates the first stage left
     * unmatched are moved by this frame's shift (as the matched ones were by their detections) and matched again,
     * with the first stage's cost and limit, against the high-score detections it left over. Returns how many of
     * those are still left (in {@link #highUnmatchedAfterFirst}).
     */
    private int rematchShifted(TrackLifecycle tracks, Detections dets, int highLeft) {
        unmatchedCandidates.clear();
        for (int r = 0; r < tracks.candidates.size(); r++) {
            Track t = tracks.candidates.get(r);
            if (t.lastDet < 0) {
                t.mean[0] = (float) (t.mean[0] + frameDx);
                t.mean[1] = (float) (t.mean[1] + frameDy);
                unmatchedCandidates.add(t);
            }
        }
        if (unmatchedCandidates.isEmpty() || highLeft == 0) {
            return highLeft;
        }
        System.arraycopy(highUnmatchedAfterFirst, 0, rematchInput, 0, highLeft);
        return stages.rematch(tracks, unmatchedCandidates, dets, rematchInput, highLeft, config.matchThresh(),
                config.fuseScore(), REFOUND_TAKES_NEW_SCORE, highUnmatchedAfterFirst);
    }

    /**
     * Whether more than {@link TrackerConfig#nestedBoxLimit()} of detection {@code d}'s area lies inside a box
     * that a track (confirmed or not) took this frame.
     */
    private boolean nestedInTakenBox(TrackLifecycle tracks, Detections dets, int d) {
        return nestedIn(tracks.candidates, dets, d) || nestedIn(tracks.unconfirmed, dets, d);
    }

    private boolean nestedIn(java.util.ArrayList<Track> ts, Detections dets, int d) {
        for (int k = 0; k < ts.size(); k++) {
            int e = ts.get(k).lastDet;
            if (e >= 0 && Boxes.insideFraction(dets.x(d), dets.y(d), dets.w(d), dets.h(d),
                    dets.x(e), dets.y(e), dets.w(e), dets.h(e)) > nestedBoxLimit) {
                return true;
            }
        }
        return false;
    }

    /**
     * Per axis, the median innovation (detection centre minus predicted centre) of the settled tracks that the
     * first stage matched; carried damped ({@code (shift + median) / 2}) when it is significant, else reset to 0.
     * Young tracks are left out: before their velocity is learnt, walkers' common motion looks like a pan.
     */
    private void updateCameraShift(TrackLifecycle tracks, Detections dets) {
        var cands = tracks.candidates;
        if (innovX.length < cands.size()) {
            innovX = new double[Math.max(cands.size(), innovX.length * 2)];
            innovY = new double[innovX.length];
            absDev = new double[innovX.length];
        }
        int m = 0;
        for (int r = 0; r < cands.size(); r++) {
            int c = stages.colForRow(r);
            Track t = cands.get(r);
            if (c >= 0 && t.state == Track.TRACKED && t.trackletLen >= TrackerConfig.SETTLED_RUN) {
                int d = highScore[c];
                innovX[m] = dets.x(d) + dets.w(d) / 2 - t.mean[0];
                innovY[m] = dets.y(d) + dets.h(d) / 2 - t.mean[1];
                m++;
            }
        }
        frameDx = m >= MIN_SETTLED_TRACKS ? significantMedian(innovX, m) : 0;
        frameDy = m >= MIN_SETTLED_TRACKS ? significantMedian(innovY, m) : 0;
        tracks.cameraDx = frameDx != 0 ? 0.5 * (tracks.cameraDx + frameDx) : 0;
        tracks.cameraDy = frameDy != 0 ? 0.5 * (tracks.cameraDy + frameDy) : 0;
    }

    /** The median of the {@code m} innovations {@code v} (sorted in place) when significant, else 0. */
    private double significantMedian(double[] v, int m) {
        double med = median(v, m);
        for (int k = 0; k < m; k++) {
            absDev[k] = Math.abs(v[k] - med);
        }
        double se = 1.4826 * median(absDev, m) / Math.sqrt(m);
        return Math.abs(med) > SHIFT_Z * se ? med : 0;
    }

    /** The median of the first {@code n} values (the mean of the two middle ones for even n); sorts them. */
    static double median(double[] v, int n) {
        java.util.Arrays.sort(v, 0, n);
        return (n & 1) == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static void shift(java.util.ArrayList<Track> ts, double dx, double dy) {
        for (int k = 0; k < ts.size(); k++) {
            Track t = ts.get(k);
            t.mean[0] = (float) (t.mean[0] + dx);
            t.mean[1] = (float) (t.mean[1] + dy);
        }
    }

    private void ensureCapacity(int n) {
        if (highScore.length < n) {
            int cap = Math.max(n, highScore.length * 2);
            highScore = new int[cap];
            lowScore = new int[cap];
            highUnmatchedAfterFirst = new int[cap];
            newTrackCandidates = new int[cap];
            lowUnmatched = new int[cap];
            rematchInput = new int[cap];
        }
    }
}
