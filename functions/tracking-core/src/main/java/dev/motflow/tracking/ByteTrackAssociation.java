package dev.motflow.tracking;

/**
 * ByteTrack association ({@code byte_tracker.py}), by IoU only, in three stages. 1: all candidates
 * (confirmed tracked and lost) against the high-score detections ({@code score > trackThresh});
 * 2: the tracked candidates left over against the low-score detections
 * ({@code lowThresh < score < trackThresh}), which never start tracks; 3: unconfirmed tracks
 * against the high-score detections left over. What is left of those starts tracks when it
 * scores at least {@code trackThresh + newTrackMargin}.
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

    ByteTrackAssociation(TrackerConfig config) {
        this.config = config;
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
        // Stage 2: the tracked candidates left over against the low-score detections; leftovers are dropped.
        stages.matchTrackedByIou(tracks, dets, lowScore, lowCount, config.lowMatchThresh(), null);
        // Stage 3: unconfirmed tracks against the high-score detections left over.
        int left = stages.matchUnconfirmed(tracks, dets, highUnmatchedAfterFirst, highLeft,
                config.unconfirmedThresh(), config.fuseScore(), newTrackCandidates);
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
        }
    }
}
