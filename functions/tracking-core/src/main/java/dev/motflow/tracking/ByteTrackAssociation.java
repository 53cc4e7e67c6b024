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

    // EXPERIMENT (eval only): global-motion correction from the first stage's innovations.
    // mode bit 1 (A): shift the first stage's unmatched candidates by this frame's median innovation;
    // bit 2 (B): shift every track's prediction by a carried camera shift (damped).
    private final int egoMode = Integer.getInteger("motflow.ego.mode", 0);
    private final int egoMin = Integer.getInteger("motflow.ego.min", 4);
    private final double egoDamp = Double.parseDouble(System.getProperty("motflow.ego.damp", "0.5"));
    private final boolean egoNorm = Boolean.getBoolean("motflow.ego.norm");
    private final double egoZ = Double.parseDouble(System.getProperty("motflow.ego.z", "0"));
    private final boolean egoReset = Boolean.getBoolean("motflow.ego.reset");
    private final int egoSettled = Integer.getInteger("motflow.ego.settled", 0);
    private static final boolean EGO_TRACE = Boolean.getBoolean("motflow.ego.trace");
    private double camDx;
    private double camDy;
    private double[] innovX = new double[32];
    private double[] innovY = new double[32];

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
        if ((egoMode & 2) != 0 && (camDx != 0 || camDy != 0)) {
            shift(tracks.candidates, camDx, camDy, false);
            shift(tracks.unconfirmed, camDx, camDy, false);
        }
        // Stage 1: candidates against the high-score detections.
        stages.fillIouCost(tracks.candidates, dets, highScore, highCount, config.fuseScore());
        stages.solve(tracks.candidates.size(), highCount, config.matchThresh());
        double egoDx = 0;
        double egoDy = 0;
        boolean egoOk = false;
        if (egoMode != 0) {
            int m = 0;
            var cands = tracks.candidates;
            if (innovX.length < cands.size()) {
                innovX = new double[Math.max(cands.size(), innovX.length * 2)];
                innovY = new double[innovX.length];
            }
            for (int r = 0; r < cands.size(); r++) {
                int c = stages.colForRow(r);
                Track t = cands.get(r);
                if (c >= 0 && t.state == Track.TRACKED && t.trackletLen >= egoSettled) {
                    int d = highScore[c];
                    double ix = dets.x(d) + dets.w(d) / 2 - t.mean[0];
                    double iy = dets.y(d) + dets.h(d) / 2 - t.mean[1];
                    if (egoNorm) {
                        ix /= t.h();
                        iy /= t.h();
                    }
                    innovX[m] = ix;
                    innovY[m] = iy;
                    m++;
                }
            }
            if (m >= egoMin) {
                egoOk = true;
                egoDx = median(innovX, m);
                egoDy = median(innovY, m);
            }
            if (EGO_TRACE) {
                // innovX/innovY are sorted by median(); their median absolute deviation shows the noise.
                double madX = 0;
                double madY = 0;
                if (egoOk) {
                    double[] a = new double[m];
                    for (int k = 0; k < m; k++) {
                        a[k] = Math.abs(innovX[k] - egoDx);
                    }
                    madX = median(a, m);
                    for (int k = 0; k < m; k++) {
                        a[k] = Math.abs(innovY[k] - egoDy);
                    }
                    madY = median(a, m);
                }
                System.err.printf(java.util.Locale.ROOT, "EGO %d %d %.2f %.2f %.2f %.2f %.3f %.3f%n", tracks.frameId, m, egoDx,
                        egoDy, camDx, camDy, madX, madY);
            }
            if ((egoMode & 1) != 0 && egoOk) {
                for (int r = 0; r < cands.size(); r++) {
                    if (stages.colForRow(r) < 0) {
                        shiftOne(cands.get(r), egoDx, egoDy, egoNorm);
                    }
                }
            }
            if ((egoMode & 2) != 0) {
                boolean okX = egoOk && !egoNorm && significant(innovX, m, egoDx);
                boolean okY = egoOk && !egoNorm && significant(innovY, m, egoDy);
                camDx = okX ? egoDamp * (camDx + egoDx) : (egoReset ? 0 : camDx * egoDamp);
                // (egoDamp is also the decay when not reset: "halve" with 0.5)
                camDy = okY ? egoDamp * (camDy + egoDy) : (egoReset ? 0 : camDy * egoDamp);
            }
        }
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

    private static void shift(java.util.ArrayList<Track> ts, double dx, double dy, boolean norm) {
        for (int k = 0; k < ts.size(); k++) {
            shiftOne(ts.get(k), dx, dy, norm);
        }
    }

    private static void shiftOne(Track t, double dx, double dy, boolean norm) {
        double s = norm ? t.h() : 1;
        t.mean[0] = (float) (t.mean[0] + dx * s);
        t.mean[1] = (float) (t.mean[1] + dy * s);
    }

    private double[] absDev = new double[32];

    /** z = |med| / (1.4826 MAD / sqrt(m)) > egoZ; egoZ 0 = always. */
    private boolean significant(double[] v, int m, double med) {
        if (egoZ <= 0) {
            return true;
        }
        if (absDev.length < m) {
            absDev = new double[Math.max(m, absDev.length * 2)];
        }
        for (int k = 0; k < m; k++) {
            absDev[k] = Math.abs(v[k] - med);
        }
        double mad = median(absDev, m);
        double se = 1.4826 * mad / Math.sqrt(m);
        return Math.abs(med) > egoZ * se && med != 0;
    }

    private static double median(double[] v, int n) {
        java.util.Arrays.sort(v, 0, n);
        return (n & 1) == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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
