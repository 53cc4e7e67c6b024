package dev.motflow.tracking;

import java.util.ArrayList;

/**
 * Online multi-object tracker with the JDE/FairMOT or ByteTrack association rules and their track
 * lifecycle, re-implemented from the public reference trackers ({@code FairMOT
 * src/lib/tracker/multitracker.py}, {@code ByteTrack yolox/tracker/byte_tracker.py}). Feed one
 * {@link Detections} per frame, every frame in order (empty frames too: they age lost tracks).
 *
 * <p>Lifecycle: a new track starts unconfirmed (confirmed at once on the tracker's first frame) and
 * is confirmed by a match in the next frame, else removed. A confirmed track that misses a frame is
 * lost; a lost track can be found again by the first stage and is removed when more than
 * {@link TrackerConfig#maxTimeLost()} frames passed since its last match. Like the references, a
 * timed-out track stays on the lost list (and can be matched) for one more frame, and a track that
 * was once put on the removed list is dropped the next time it is lost. After every frame, tracked
 * and lost tracks overlapping with IoU distance below {@link TrackerConfig#duplicateThresh()} are
 * duplicates: the one tracked for fewer frames goes. Track ids come from a per-tracker counter
 * starting at 1.
 *
 * <p>Deterministic: the same detections give the same ids and boxes, and an encoded state
 * ({@link TrackerStateCodec}) continues exactly as if it had never been encoded: all state is held
 * at its encoded precision (float32 Kalman state and scores, float16 embeddings). Lists, cost
 * matrices and scratch arrays are reused: steady-state updates allocate nothing. Not thread-safe.
 */
public final class Tracker {
    private final TrackerConfig config;
    private final int maxTimeLost;
    private final int dim;
    private final KalmanFilter kalman = new KalmanFilter();
    private final LinearAssignment assignment = new LinearAssignment();
    private final TrackerOutput output = new TrackerOutput();

    int frameId;
    int lastId;
    ArrayList<Track> tracked = new ArrayList<>();
    ArrayList<Track> lost = new ArrayList<>();

    private ArrayList<Track> nextTracked = new ArrayList<>();
    private ArrayList<Track> nextLost = new ArrayList<>();
    private final ArrayList<Track> unconfirmed = new ArrayList<>();
    private final ArrayList<Track> pool = new ArrayList<>();
    private final ArrayList<Track> rTracked = new ArrayList<>();
    private final ArrayList<Track> created = new ArrayList<>();
    private final ArrayList<Track> refound = new ArrayList<>();
    private final ArrayList<Track> newLost = new ArrayList<>();
    private final ArrayList<Track> newRemoved = new ArrayList<>();
    private final ArrayList<Track> free = new ArrayList<>();

    private int[] detsA = new int[32];
    private int[] detsB = new int[32];
    private int[] detsC = new int[32];
    private double[] xyah = new double[128];
    private double[] cost = new double[1024];
    private double[] gate = new double[64];
    private double[] keptXyah = new double[128];
    private boolean[] dupTracked = new boolean[32];
    private boolean[] dupLost = new boolean[32];

    public Tracker(TrackerConfig config) {
        this.config = config;
        this.maxTimeLost = config.maxTimeLost();
        this.dim = config.embeddingDim();
    }

    public TrackerConfig config() {
        return config;
    }

    /** Frames processed so far (the id of the last frame; 0 before the first update). */
    public int frameId() {
        return frameId;
    }

    /** The last track id handed out (0 before any). */
    public int lastTrackId() {
        return lastId;
    }

    /** Tracks on the tracked list (confirmed and unconfirmed). */
    public int trackedCount() {
        return tracked.size();
    }

    /** Tracks on the lost list. */
    public int lostCount() {
        return lost.size();
    }

    /**
     * Processes the next frame. JDE needs {@code dets.embeddingDim() == config.embeddingDim()}.
     *
     * @return the confirmed tracks of this frame; valid until the next call
     */
    public TrackerOutput update(Detections dets) {
        if (config.policy() == Policy.JDE && dets.embeddingDim() != dim) {
            throw new IllegalArgumentException("the jde policy needs " + dim + "-d embeddings, the detections have "
                    + dets.embeddingDim());
        }
        frameId++;
        int n = dets.size();
        ensureDetCapacity(n);
        created.clear();
        refound.clear();
        newLost.clear();
        newRemoved.clear();
        unconfirmed.clear();
        pool.clear();
        for (int k = 0; k < tracked.size(); k++) {
            Track t = tracked.get(k);
            t.lastDet = -1;
            t.inNextTracked = false;
            if (t.activated) {
                pool.add(t);
            } else {
                unconfirmed.add(t);
            }
        }
        for (int k = 0; k < lost.size(); k++) {
            Track t = lost.get(k);
            t.lastDet = -1;
            t.inNextTracked = false;
            pool.add(t);
        }
        for (int k = 0; k < pool.size(); k++) {
            Track t = pool.get(k);
            if (t.state != Track.TRACKED) {
                t.mean[7] = 0f;
            }
            kalman.predict(t.mean, 0, t.cov, 0);
        }
        for (int i = 0; i < n; i++) {
            double h = dets.h(i);
            xyah[i * 4] = dets.x(i) + dets.w(i) / 2;
            xyah[i * 4 + 1] = dets.y(i) + h / 2;
            xyah[i * 4 + 2] = dets.w(i) / h;
            xyah[i * 4 + 3] = h;
        }
        if (config.policy() == Policy.JDE) {
            associateJde(dets);
        } else {
            associateByteTrack(dets);
        }
        // Lost tracks past the buffer are removed (but, as in the references, only leave the lost list next frame).
        for (int k = 0; k < lost.size(); k++) {
            Track t = lost.get(k);
            if (frameId - t.frameId > maxTimeLost) {
                t.state = Track.REMOVED;
                newRemoved.add(t);
            }
        }
        rebuildLists();
        output.reset(frameId, n);
        for (int k = 0; k < tracked.size(); k++) {
            Track t = tracked.get(k);
            if (t.activated) {
                output.add(t);
            }
        }
        return output;
    }

    private void associateJde(Detections dets) {
        int n = dets.size();
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (dets.score(i) > config.detThresh()) {
                detsA[kept++] = i;
            }
        }
        // Stage 1: appearance fused with motion, gated by the chi-square 95% bound.
        int rows = pool.size();
        ensureCost(rows, kept);
        if (gate.length < kept) {
            gate = new double[kept * 2];
        }
        if (keptXyah.length < kept * 4) {
            keptXyah = new double[kept * 8];
        }
        for (int c = 0; c < kept; c++) {
            System.arraycopy(xyah, detsA[c] * 4, keptXyah, c * 4, 4);
        }
        float[] emb = dets.embeddingArray();
        double lambda = config.motionLambda();
        for (int r = 0; r < rows; r++) {
            Track t = pool.get(r);
            int base = r * kept;
            kalman.gatingDistancesBounded(t.mean, 0, t.cov, 0, keptXyah, 0, kept, KalmanFilter.CHI2_95_4DOF, gate, 0);
            float[] f = t.feature;
            double inv = t.featureNorm > 0 ? 1.0 / t.featureNorm : 0.0;
            for (int c = 0; c < kept; c++) {
                double gd = gate[c];
                if (gd > KalmanFilter.CHI2_95_4DOF) {
                    cost[base + c] = Double.POSITIVE_INFINITY;
                    continue;
                }
                double cos = Math.max(0.0, 1.0 - dot(f, emb, detsA[c] * dim) * inv);
                cost[base + c] = lambda * cos + (1 - lambda) * gd;
            }
        }
        assignment.solve(cost, rows, kept, config.embeddingMatchThresh());
        for (int r = 0; r < rows; r++) {
            int c = assignment.colForRow(r);
            if (c >= 0) {
                matchFirstStage(pool.get(r), dets, detsA[c]);
            }
        }
        int remaining = 0;
        for (int c = 0; c < kept; c++) {
            if (assignment.rowForCol(c) < 0) {
                detsB[remaining++] = detsA[c];
            }
        }
        collectUnmatchedTracked(rows);
        // Stage 2: IoU of the remaining confirmed tracks against the remaining detections.
        int left = iouStage(rTracked, dets, detsB, remaining, detsC, config.iouMatchThresh(), false, true);
        // Stage 3: unconfirmed tracks.
        int rest = unconfirmedStage(dets, detsC, left, detsA);
        for (int k = 0; k < rest; k++) {
            int d = detsA[k];
            if (dets.score(d) >= config.detThresh()) {
                startTrack(dets, d);
            }
        }
    }

    private void associateByteTrack(Detections dets) {
        int n = dets.size();
        int high = 0;
        int low = 0;
        double trackThresh = config.trackThresh();
        for (int i = 0; i < n; i++) {
            double s = dets.score(i);
            if (s > trackThresh) {
                detsA[high++] = i;
            } else if (s > config.lowThresh() && s < trackThresh) {
                detsB[low++] = i;
            }
        }
        // Stage 1: all tracked and lost tracks against the high-score detections, by IoU.
        int rows = pool.size();
        fillIouCost(pool, dets, detsA, high, config.fuseScore());
        assignment.solve(cost, rows, high, config.matchThresh());
        for (int r = 0; r < rows; r++) {
            int c = assignment.colForRow(r);
            if (c >= 0) {
                matchFirstStage(pool.get(r), dets, detsA[c]);
            }
        }
        int remainingHigh = 0;
        for (int c = 0; c < high; c++) {
            if (assignment.rowForCol(c) < 0) {
                detsC[remainingHigh++] = detsA[c];
            }
        }
        collectUnmatchedTracked(rows);
        // Stage 2: the remaining tracked tracks against the low-score detections (these never start tracks).
        iouStage(rTracked, dets, detsB, low, detsA, config.lowMatchThresh(), false, true);
        // Stage 3: unconfirmed tracks against the remaining high-score detections.
        int rest = unconfirmedStage(dets, detsC, remainingHigh, detsB);
        double newThresh = trackThresh + config.newTrackMargin();
        for (int k = 0; k < rest; k++) {
            int d = detsB[k];
            if (dets.score(d) >= newThresh) {
                startTrack(dets, d);
            }
        }
    }

    private void collectUnmatchedTracked(int rows) {
        rTracked.clear();
        for (int r = 0; r < rows; r++) {
            Track t = pool.get(r);
            if (assignment.colForRow(r) < 0 && t.state == Track.TRACKED) {
                rTracked.add(t);
            }
        }
    }

    /**
     * Matches {@code tracks} (all in state tracked) against {@code detIdx[0..count)} by IoU distance;
     * unmatched tracks become lost when {@code markLost}. Writes the unmatched detections, ascending,
     * to {@code unmatchedOut} and returns how many.
     */
    private int iouStage(ArrayList<Track> tracks, Detections dets, int[] detIdx, int count, int[] unmatchedOut,
                         double thresh, boolean fuse, boolean markLost) {
        int rows = tracks.size();
        fillIouCost(tracks, dets, detIdx, count, fuse);
        assignment.solve(cost, rows, count, thresh);
        for (int r = 0; r < rows; r++) {
            int c = assignment.colForRow(r);
            Track t = tracks.get(r);
            if (c >= 0) {
                updateTrack(t, dets, detIdx[c]);
            } else if (markLost && t.state != Track.LOST) {
                t.state = Track.LOST;
                newLost.add(t);
            }
        }
        int out = 0;
        for (int c = 0; c < count; c++) {
            if (assignment.rowForCol(c) < 0) {
                unmatchedOut[out++] = detIdx[c];
            }
        }
        return out;
    }

    private int unconfirmedStage(Detections dets, int[] detIdx, int count, int[] unmatchedOut) {
        boolean fuse = config.policy() == Policy.BYTETRACK && config.fuseScore();
        int rows = unconfirmed.size();
        fillIouCost(unconfirmed, dets, detIdx, count, fuse);
        assignment.solve(cost, rows, count, config.unconfirmedThresh());
        for (int r = 0; r < rows; r++) {
            int c = assignment.colForRow(r);
            Track t = unconfirmed.get(r);
            if (c >= 0) {
                updateTrack(t, dets, detIdx[c]);
            } else {
                t.state = Track.REMOVED;
                newRemoved.add(t);
            }
        }
        int out = 0;
        for (int c = 0; c < count; c++) {
            if (assignment.rowForCol(c) < 0) {
                unmatchedOut[out++] = detIdx[c];
            }
        }
        return out;
    }

    private void fillIouCost(ArrayList<Track> tracks, Detections dets, int[] detIdx, int count, boolean fuse) {
        int rows = tracks.size();
        ensureCost(rows, count);
        for (int r = 0; r < rows; r++) {
            Track t = tracks.get(r);
            double tw = t.w();
            double tx = t.mean[0] - tw / 2;
            double ty = t.y();
            double th = t.h();
            int base = r * count;
            for (int c = 0; c < count; c++) {
                int d = detIdx[c];
                double dist = Boxes.iouDistance(tx, ty, tw, th, dets.x(d), dets.y(d), dets.w(d), dets.h(d));
                cost[base + c] = fuse ? 1 - (1 - dist) * dets.score(d) : dist;
            }
        }
    }

    private void matchFirstStage(Track t, Detections dets, int d) {
        if (t.state == Track.TRACKED) {
            updateTrack(t, dets, d);
        } else {
            // re_activate: found again after being lost.
            kalmanUpdate(t, d);
            if (t.feature != null) {
                updateFeature(t, dets, d);
            }
            t.trackletLen = 0;
            t.state = Track.TRACKED;
            t.activated = true;
            t.frameId = frameId;
            if (config.policy() == Policy.BYTETRACK) {
                t.score = (float) dets.score(d); // FairMOT's re_activate keeps the old score, ByteTrack's takes the new
            }
            t.lastDet = d;
            refound.add(t);
        }
    }

    private void updateTrack(Track t, Detections dets, int d) {
        t.frameId = frameId;
        t.trackletLen++;
        kalmanUpdate(t, d);
        t.state = Track.TRACKED;
        t.activated = true;
        t.score = (float) dets.score(d);
        if (t.feature != null) {
            updateFeature(t, dets, d);
        }
        t.lastDet = d;
    }

    private void kalmanUpdate(Track t, int d) {
        int b = d * 4;
        kalman.update(t.mean, 0, t.cov, 0, xyah[b], xyah[b + 1], xyah[b + 2], xyah[b + 3]);
    }

    private void updateFeature(Track t, Detections dets, int d) {
        float[] f = t.feature;
        float[] emb = dets.embeddingArray();
        int base = d * dim;
        double m = config.featureMomentum();
        double m1 = 1 - m;
        double sq = 0;
        for (int k = 0; k < dim; k++) {
            double v = m * f[k] + m1 * emb[base + k];
            f[k] = (float) v;
            sq += v * v;
        }
        t.normalizeAndQuantizeFeature(sq > 0 ? 1.0 / Math.sqrt(sq) : 0.0);
    }

    private void startTrack(Detections dets, int d) {
        Track t = free.isEmpty() ? new Track(dim) : free.remove(free.size() - 1);
        t.id = ++lastId;
        int b = d * 4;
        kalman.initiate(xyah[b], xyah[b + 1], xyah[b + 2], xyah[b + 3], t.mean, 0, t.cov, 0);
        t.trackletLen = 0;
        t.state = Track.TRACKED;
        t.activated = frameId == 1;
        t.everRemoved = false;
        t.frameId = frameId;
        t.startFrame = frameId;
        t.score = (float) dets.score(d);
        if (t.feature != null) {
            float[] emb = dets.embeddingArray();
            System.arraycopy(emb, d * dim, t.feature, 0, dim);
            t.quantizeFeature();
        }
        t.lastDet = d;
        t.inNextTracked = false;
        created.add(t);
    }

    /** The end of the reference update: rebuild the tracked and lost lists, drop duplicates. */
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
        for (int k = 0; k < created.size(); k++) {
            Track t = created.get(k);
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
        for (int k = 0; k < newLost.size(); k++) {
            Track t = newLost.get(k);
            if (!t.everRemoved) {
                nl.add(t);
            }
        }
        for (int k = 0; k < newRemoved.size(); k++) {
            newRemoved.get(k).everRemoved = true;
        }
        removeDuplicates(nt, nl);
        for (int k = 0; k < nt.size(); k++) {
            nt.get(k).alive = true;
        }
        for (int k = 0; k < nl.size(); k++) {
            nl.get(k).alive = true;
        }
        recycleDead(tracked);
        recycleDead(lost);
        recycleDead(created);
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
                free.add(t);
            }
        }
    }

    private void removeDuplicates(ArrayList<Track> a, ArrayList<Track> b) {
        int na = a.size();
        int nb = b.size();
        if (na == 0 || nb == 0) {
            return;
        }
        if (dupTracked.length < na) {
            dupTracked = new boolean[na * 2];
        }
        if (dupLost.length < nb) {
            dupLost = new boolean[nb * 2];
        }
        java.util.Arrays.fill(dupTracked, 0, na, false);
        java.util.Arrays.fill(dupLost, 0, nb, false);
        boolean any = false;
        double limit = config.duplicateThresh();
        for (int p = 0; p < na; p++) {
            Track tp = a.get(p);
            double pw = tp.w();
            double px = tp.mean[0] - pw / 2;
            double py = tp.y();
            double ph = tp.h();
            for (int q = 0; q < nb; q++) {
                Track tq = b.get(q);
                double qw = tq.w();
                double dist = Boxes.iouDistance(px, py, pw, ph, tq.mean[0] - qw / 2, tq.y(), qw, tq.h());
                if (dist < limit) {
                    any = true;
                    if (tp.frameId - tp.startFrame > tq.frameId - tq.startFrame) {
                        dupLost[q] = true;
                    } else {
                        dupTracked[p] = true;
                    }
                }
            }
        }
        if (!any) {
            return;
        }
        int w = 0;
        for (int p = 0; p < na; p++) {
            if (!dupTracked[p]) {
                a.set(w++, a.get(p));
            }
        }
        while (a.size() > w) {
            a.remove(a.size() - 1);
        }
        w = 0;
        for (int q = 0; q < nb; q++) {
            if (!dupLost[q]) {
                b.set(w++, b.get(q));
            }
        }
        while (b.size() > w) {
            b.remove(b.size() - 1);
        }
    }

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

    private void ensureDetCapacity(int n) {
        if (detsA.length < n) {
            int cap = Math.max(n, detsA.length * 2);
            detsA = new int[cap];
            detsB = new int[cap];
            detsC = new int[cap];
        }
        if (xyah.length < n * 4) {
            xyah = new double[Math.max(n * 4, xyah.length * 2)];
        }
    }

    private void ensureCost(int rows, int cols) {
        int cells = rows * cols;
        if (cost.length < cells) {
            cost = new double[Math.max(cells, cost.length * 2)];
        }
    }

    // ---- state access for the codec ----

    /** Restores a tracker from decoded parts (see {@link TrackerStateCodec}). */
    static Tracker restore(TrackerConfig config, int frameId, int lastId, ArrayList<Track> tracked, ArrayList<Track> lost) {
        Tracker t = new Tracker(config);
        t.frameId = frameId;
        t.lastId = lastId;
        t.tracked = tracked;
        t.lost = lost;
        return t;
    }
}
