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
 * those starts tracks when it scores at least {@code trackThresh + newTrackMargin}.
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

    private final int lowScoreRefindFrames;
    private final int unconfirmedFrames;
    private final boolean lowScoreConfirms;

    ByteTrackAssociation(TrackerConfig config) {
        this.config = config;
        this.lowScoreRefindFrames = config.lowScoreRefindFrames();
        this.unconfirmedFrames = config.unconfirmedFrames();
        this.lowScoreConfirms = config.lowScoreConfirm();
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
        // Stage 1: candidates against the high-score detections.
        stages.fillIouCost(tracks.candidates, dets, highScore, highCount, config.fuseScore());
        stages.solve(tracks.candidates.size(), highCount, config.matchThresh());
        int highLeft = stages.applyCandidateMatches(tracks, dets, highScore, highCount, REFOUND_TAKES_NEW_SCORE,
                highUnmatchedAfterFirst);
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
            if (dets.score(d) >= newTrackThresh) {
                tracks.startTrack(dets, d);
            }
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
        }
    }
}
