package dev.motflow.tracking;

import java.util.ArrayList;

/**
 * The track lifecycle of a {@link Tracker}: the tracked and lost lists, the frame and id counters,
 * Kalman prediction and correction, embedding smoothing, and the end-of-frame bookkeeping of the
 * reference trackers (timeouts, list rebuild, duplicate removal). Which track takes which detection
 * is not decided here: an {@link AssociationPolicy} decides it between {@link #beginFrame} and
 * {@link #endFrame} and reports each outcome through {@link #matchCandidate}, {@link #continueTrack},
 * {@link #markLost}, {@link #removeUnconfirmed} and {@link #startTrack}.
 *
 * <p>Every list is reused and removed tracks are recycled, so a steady-state frame allocates nothing.
 */
final class TrackLifecycle {
    private final int maxTimeLost;
    /** Frames a short track is kept once lost (0: as every track); short: followed over fewer than shortTrackSpan. */
    private final int shortTrackLost;
    private final int shortTrackSpan;
    /** JDE with re-identification: a track found again after more frames lost than this restarts its Kalman state. */
    private final int restartAfterFramesLost;
    private final int dim;
    private final boolean widthState;
    private final double featureMomentum;
    private final KalmanFilter kalman;
    private final DuplicateTracks duplicates;

    // ---- the state (what TrackerStateCodec encodes) ----

    /** Frames processed so far. */
    int frameId;
    /** The last track id handed out. */
    int lastId;
    /** Tracks in state tracked, confirmed or not, in the reference trackers' list order. */
    ArrayList<Track> tracked = new ArrayList<>();
    /** Tracks in state lost (and, for one frame, timed-out ones; see {@link #endFrame}). */
    ArrayList<Track> lost = new ArrayList<>();
    /**
     * ByteTrack with {@link TrackerConfig#cameraShiftFromTracks()}: the camera shift (pixels) the next frame's
     * predictions are moved by, set by the association from this frame's innovations; 0 otherwise.
     */
    double cameraDx;
    double cameraDy;

    // ---- this frame's association input, set by beginFrame ----

    /** The first stage's rows: confirmed tracked tracks, then lost tracks, all predicted to this frame. */
    final ArrayList<Track> candidates = new ArrayList<>();
    /** The last stage's rows: tracked tracks not confirmed yet (not predicted, as in the references). */
    final ArrayList<Track> unconfirmed = new ArrayList<>();
    /**
     * Each detection as a Kalman measurement (centre x, centre y, aspect w/h, height; with the width state
     * centre x, centre y, width, height), 4 values per detection.
     */
    private double[] measurements = new double[128];

    // ---- this frame's outcomes, read by endFrame ----

    private final ArrayList<Track> started = new ArrayList<>();
    private final ArrayList<Track> refound = new ArrayList<>();
    private final ArrayList<Track> newlyLost = new ArrayList<>();
    private final ArrayList<Track> newlyRemoved = new ArrayList<>();

    // Spare lists that endFrame fills and swaps with tracked/lost, and dropped tracks kept for reuse.
    private ArrayList<Track> nextTracked = new ArrayList<>();
    private ArrayList<Track> nextLost = new ArrayList<>();
    private final ArrayList<Track> recycled = new ArrayList<>();

    TrackLifecycle(TrackerConfig config) {
        this.maxTimeLost = config.maxTimeLost();
        this.shortTrackLost = config.shortTrackLostFrames();
        this.shortTrackSpan = config.shortTrackSpanFrames();
        this.restartAfterFramesLost = config.policy() == Policy.JDE && config.reidEnabled()
                ? config.reidAfterFrames() : Integer.MAX_VALUE;
        this.kalman = new KalmanFilter(config.relativeAspectNoise(), config.widthState());
        this.widthState = config.widthState();
        this.dim = config.embeddingDim();
        this.featureMomentum = config.featureMomentum();
        this.duplicates = new DuplicateTracks(config.duplicateThresh());
    }

    /** Detection measurements of this frame (see {@link #measurements}); valid until the next frame. */
    double[] measurements() {
        return measurements;
    }

    /**
     * Starts a frame: advances the frame counter, splits the tracked and lost lists into
     * {@link #candidates} and {@link #unconfirmed}, predicts the candidates and converts the
     * detections to measurements.
     */
    void beginFrame(Detections dets) {
        frameId++;
        int n = dets.size();
        if (measurements.length < n * 4) {
            measurements = new double[Math.max(n * 4, measurements.length * 2)];
        }
        started.clear();
        refound.clear();
        newlyLost.clear();
        newlyRemoved.clear();
        unconfirmed.clear();
        candidates.clear();
        for (int k = 0; k < tracked.size(); k++) {
            Track t = tracked.get(k);
            t.lastDet = -1;
            t.inNextTracked = false;
            if (t.activated) {
                candidates.add(t);
            } else {
                unconfirmed.add(t);
            }
        }
        for (int k = 0; k < lost.size(); k++) {
            Track t = lost.get(k);
            t.lastDet = -1;
            t.inNextTracked = false;
            candidates.add(t);
        }
        for (int k = 0; k < candidates.size(); k++) {
            Track t = candidates.get(k);
            if (t.state != Track.TRACKED) {
                t.mean[7] = 0f; // the references stop a lost track's height velocity before predicting
                if (widthState) {
                    t.mean[6] = 0f; // and the width is a size like the height: a lost box stops growing or shrinking
                }
            }
            kalman.predict(t.mean, 0, t.cov, 0);
        }
        for (int i = 0; i < n; i++) {
            double h = dets.h(i);
            measurements[i * 4] = dets.x(i) + dets.w(i) / 2;
            measurements[i * 4 + 1] = dets.y(i) + h / 2;
            measurements[i * 4 + 2] = widthState ? dets.w(i) : dets.w(i) / h;
            measurements[i * 4 + 3] = h;
        }
    }

    /**
     * A first-stage match of a {@link #candidates candidate}: a tracked one continues, a lost one is
     * found again. {@code refoundTakesNewScore}: ByteTrack's re-activation takes the detection's
     * score, FairMOT's keeps the track's old one.
     */
    void matchCandidate(Track t, Detections dets, int d, boolean refoundTakesNewScore) {
        if (t.state == Track.TRACKED) {
            continueTrack(t, dets, d);
            return;
        }
        // The references' re_activate: unlike an update, it restarts the tracklet length.
        if (frameId - t.frameId > restartAfterFramesLost) {
            // Found again by its embedding after a long gap: the drifted prediction is no start for an update.
            int b = d * 4;
            kalman.initiate(measurements[b], measurements[b + 1], measurements[b + 2], measurements[b + 3],
                    t.mean, 0, t.cov, 0);
        } else {
            correct(t, d);
        }
        if (t.feature != null) {
            smoothFeature(t, dets, d);
        }
        t.trackletLen = 0;
        t.state = Track.TRACKED;
        t.activated = true;
        t.frameId = frameId;
        if (refoundTakesNewScore) {
            t.score = (float) dets.score(d);
        }
        t.lastDet = d;
        refound.add(t);
    }

    /** A tracked track (confirmed or not) takes detection {@code d}; an unconfirmed one is confirmed by it. */
    void continueTrack(Track t, Detections dets, int d) {
        t.frameId = frameId;
        t.trackletLen++;
        correct(t, d);
        t.state = Track.TRACKED;
        t.activated = true;
        t.score = (float) dets.score(d);
        if (t.feature != null) {
            smoothFeature(t, dets, d);
        }
        t.lastDet = d;
    }

    /** A tracked track found no detection this frame. */
    void markLost(Track t) {
        if (t.state != Track.LOST) {
            t.state = Track.LOST;
            newlyLost.add(t);
        }
    }

    /** An unconfirmed track found no detection in the frame after its start: it goes. */
    void removeUnconfirmed(Track t) {
        t.state = Track.REMOVED;
        newlyRemoved.add(t);
    }

    /** Starts a track from detection {@code d}, confirmed at once only on the tracker's first frame. */
    void startTrack(Detections dets, int d) {
        Track t = recycled.isEmpty() ? new Track(dim, widthState) : recycled.remove(recycled.size() - 1);
        t.id = ++lastId;
        int b = d * 4;
        kalman.initiate(measurements[b], measurements[b + 1], measurements[b + 2], measurements[b + 3],
                t.mean, 0, t.cov, 0);
        t.trackletLen = 0;
        t.state = Track.TRACKED;
        t.activated = frameId == 1;
        t.everRemoved = false;
        t.frameId = frameId;
        t.startFrame = frameId;
        t.score = (float) dets.score(d);
        if (t.feature != null) {
            System.arraycopy(dets.embeddingArray(), d * dim, t.feature, 0, dim);
            t.quantizeFeature();
        }
        t.lastDet = d;
        t.inNextTracked = false;
        started.add(t);
    }

    private void correct(Track t, int d) {
        int b = d * 4;
        kalman.update(t.mean, 0, t.cov, 0, measurements[b], measurements[b + 1], measurements[b + 2],
                measurements[b + 3]);
    }

    private void smoothFeature(Track t, Detections dets, int d) {
        float[] f = t.feature;
        float[] emb = dets.embeddingArray();
        int base = d * dim;
        double m = featureMomentum;
        double m1 = 1 - m;
        double sq = 0;
        for (int k = 0; k < dim; k++) {
            double v = m * f[k] + m1 * emb[base + k];
            f[k] = (float) v;
            sq += v * v;
        }
        t.normalizeAndQuantizeFeature(sq > 0 ? 1.0 / Math.sqrt(sq) : 0.0);
    }

    /**
     * Ends a frame as the reference update does: lost tracks past the buffer are removed (but, as in
     * the references, only leave the lost list next frame), the tracked and lost lists are rebuilt
     * from this frame's outcomes, and duplicates between them are dropped.
     */
    void endFrame() {
        for (int k = 0; k < lost.size(); k++) {
            Track t = lost.get(k);
            int framesLost = frameId - t.frameId;
            boolean shortTrack = t.frameId - t.startFrame < shortTrackSpan;
            if (framesLost > maxTimeLost || (shortTrackLost > 0 && shortTrack && framesLost > shortTrackLost)) {
                t.state = Track.REMOVED;
                newlyRemoved.add(t);
            }
        }
        rebuildLists();
    }

    private void rebuildLists() {
        ArrayList<Track> nt = nextTracked;
        ArrayList<Track> nl = nextLost;
        nt.clear();
        nl.clear();
        for (int k = 0; k < tracked.size(); k++) {
            Track t = tracked.get(k);
            t.alive = false;
            if (t.state == Track.TRACKED) {
                t.inNextTracked = true;
                nt.add(t);
            }
        }
        for (int k = 0; k < started.size(); k++) {
            Track t = started.get(k);
            t.alive = false;
            t.inNextTracked = true;
            nt.add(t);
        }
        for (int k = 0; k < refound.size(); k++) {
            Track t = refound.get(k);
            if (!t.inNextTracked) {
                t.inNextTracked = true;
                nt.add(t);
            }
        }
        for (int k = 0; k < lost.size(); k++) {
            Track t = lost.get(k);
            t.alive = false;
            if (!t.inNextTracked && !t.everRemoved) {
                nl.add(t);
            }
        }
        for (int k = 0; k < newlyLost.size(); k++) {
            Track t = newlyLost.get(k);
            if (!t.everRemoved) {
                nl.add(t);
            }
        }
        for (int k = 0; k < newlyRemoved.size(); k++) {
            newlyRemoved.get(k).everRemoved = true;
        }
        duplicates.remove(nt, nl);
        for (int k = 0; k < nt.size(); k++) {
            nt.get(k).alive = true;
        }
        for (int k = 0; k < nl.size(); k++) {
            nl.get(k).alive = true;
        }
        recycleDead(tracked);
        recycleDead(lost);
        recycleDead(started);
        nextTracked = tracked;
        nextLost = lost;
        tracked = nt;
        lost = nl;
    }

    private void recycleDead(ArrayList<Track> list) {
        for (int k = 0; k < list.size(); k++) {
            Track t = list.get(k);
            if (!t.alive) {
                t.alive = true; // recycle once even if it appears in two lists
                recycled.add(t);
            }
        }
    }
}
