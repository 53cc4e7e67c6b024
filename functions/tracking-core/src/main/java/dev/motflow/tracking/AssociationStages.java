package dev.motflow.tracking;

import java.util.ArrayList;

/**
 * The matching steps both policies share: a cost matrix, the thresholded assignment over it, and
 * the IoU stages. Detections are passed as an index array ({@code detIdx[0..count)}, indices into
 * the frame's {@link Detections}); each stage writes the detections it left unmatched, in their
 * input order, to the caller's array for the next stage. The cost matrix is reused across stages
 * and frames (it only grows).
 */
final class AssociationStages {
    private final LinearAssignment assignment = new LinearAssignment();
    private double[] cost = new double[1024];
    // fillIouCost's detections, in column order: edges, inclusive-pixel area (as Boxes.iou), score, the cost of a
    // pair that does not overlap, the widest detection, and the sweep's keys (left edge, column) in edge order.
    private double[] detLeft = new double[32];
    private double[] detTop = new double[32];
    private double[] detRight = new double[32];
    private double[] detBottom = new double[32];
    private double[] detArea = new double[32];
    private double[] detScore = new double[32];
    private double[] detNoOverlap = new double[32];
    private double maxDetWidth;
    private long[] sortedKeys = new long[32];
    /** Below this many detections every pair is computed: sorting would cost more than it saves. */
    static final int SWEEP_MIN_DETECTIONS = 16;
    private static final int SWEEP_INDEX_BITS = 20;
    private static final long SWEEP_INDEX_MASK = (1L << SWEEP_INDEX_BITS) - 1;
    /** Edges beyond +-2^40 px do not fit the sweep's keys (the pairs are then all computed). */
    private static final double SWEEP_KEY_RANGE = 0x1p40;
    /** The first stage's candidates left unmatched that are still tracked (not lost): the IoU stage's rows. */
    final ArrayList<Track> unmatchedTracked = new ArrayList<>();

    /** The row-major cost matrix, with room for {@code rows x cols} cells. */
    double[] cost(int rows, int cols) {
        int cells = rows * cols;
        if (cost.length < cells) {
            cost = new double[Math.max(cells, cost.length * 2)];
        }
        return cost;
    }

    /** The column the last solve gave {@code row}, or -1. */
    int colForRow(int row) {
        return assignment.colForRow(row);
    }

    /** Assigns rows to columns on the current cost matrix; pairs costing more than {@code thresh} stay unmatched. */
    void solve(int rows, int cols, double thresh) {
        assignment.solve(cost, rows, cols, thresh);
    }

    /**
     * Fills the cost matrix with the IoU distance of each track's predicted box to each detection;
     * with {@code fuseScore}, ByteTrack's {@code 1 - IoU * score}. The values are bit for bit those of
     * {@link Boxes#iouDistance} (the same terms, computed the same way).
     *
     * <p>With many detections most pairs do not overlap: the detections are sorted by left edge once, each row
     * starts as the no-overlap costs and only the detections whose left edge lies within the widest detection's
     * width of the track's box (1 px of slack either side) are computed.
     */
    void fillIouCost(ArrayList<Track> tracks, Detections dets, int[] detIdx, int count, boolean fuseScore) {
        int rows = tracks.size();
        double[] c = cost(rows, count);
        gatherDetections(dets, detIdx, count, fuseScore);
        boolean sweep = count >= SWEEP_MIN_DETECTIONS && sortByLeftEdge(count);
        for (int r = 0; r < rows; r++) {
            Track t = tracks.get(r);
            double tw = t.w();
            double tx = t.mean[0] - tw / 2;
            double ty = t.y();
            double th = t.h();
            double tx2 = tx + tw;
            double ty2 = ty + th;
            double tArea = (tw + 1) * (th + 1);
            int base = r * count;
            double lo = tx - maxDetWidth - 2;
            double hi = tx2 + 2;
            if (sweep && lo > -SWEEP_KEY_RANGE && hi < SWEEP_KEY_RANGE) {
                System.arraycopy(detNoOverlap, 0, c, base, count);
                long loKey = (long) Math.floor(lo);
                long hiKey = (long) Math.floor(hi);
                for (int m = firstKeyAtLeast(loKey, count); m < count && (sortedKeys[m] >> SWEEP_INDEX_BITS) <= hiKey; m++) {
                    int k = (int) (sortedKeys[m] & SWEEP_INDEX_MASK);
                    c[base + k] = pairCost(tx, ty, tx2, ty2, tArea, k, fuseScore);
                }
            } else {
                for (int k = 0; k < count; k++) {
                    c[base + k] = pairCost(tx, ty, tx2, ty2, tArea, k, fuseScore);
                }
            }
        }
    }

    /** The cost of the track box ({@code tx, ty, tx2, ty2}, inclusive-pixel area) to gathered detection {@code k}. */
    private double pairCost(double tx, double ty, double tx2, double ty2, double tArea, int k, boolean fuseScore) {
        double dist = 1 - Boxes.iouOfEdges(tx, ty, tx2, ty2, tArea,
                detLeft[k], detTop[k], detRight[k], detBottom[k], detArea[k]);
        return fuseScore ? 1 - (1 - dist) * detScore[k] : dist;
    }

    /** Copies the stage's detections into the per-term arrays (column order) with their no-overlap costs. */
    private void gatherDetections(Detections dets, int[] detIdx, int count, boolean fuseScore) {
        if (detLeft.length < count) {
            int cap = Math.max(count, detLeft.length * 2);
            detLeft = new double[cap];
            detTop = new double[cap];
            detRight = new double[cap];
            detBottom = new double[cap];
            detArea = new double[cap];
            detScore = new double[cap];
            detNoOverlap = new double[cap];
            sortedKeys = new long[cap];
        }
        double maxWidth = 0;
        for (int k = 0; k < count; k++) {
            int d = detIdx[k];
            double x = dets.x(d);
            double y = dets.y(d);
            double w = dets.w(d);
            double h = dets.h(d);
            detLeft[k] = x;
            detTop[k] = y;
            detRight[k] = x + w;
            detBottom[k] = y + h;
            detArea[k] = (w + 1) * (h + 1);
            detScore[k] = dets.score(d);
            detNoOverlap[k] = fuseScore ? 1 - (1 - 1.0) * detScore[k] : 1.0;
            maxWidth = Math.max(maxWidth, detRight[k] - detLeft[k]);
        }
        maxDetWidth = maxWidth;
    }

    /**
     * Sorts the gathered detections' keys (floor of the left edge, then the column) for the sweep; false when an
     * edge is not finite or out of the key range (the caller then computes every pair).
     */
    private boolean sortByLeftEdge(int count) {
        if (!(maxDetWidth < SWEEP_KEY_RANGE) || count > SWEEP_INDEX_MASK) {
            return false;
        }
        for (int k = 0; k < count; k++) {
            double left = detLeft[k];
            if (!(left > -SWEEP_KEY_RANGE && left < SWEEP_KEY_RANGE)) {
                return false;
            }
            sortedKeys[k] = ((long) Math.floor(left) << SWEEP_INDEX_BITS) | k;
        }
        java.util.Arrays.sort(sortedKeys, 0, count);
        return true;
    }

    /** The first position in {@link #sortedKeys} whose edge key is at least {@code key}. */
    private int firstKeyAtLeast(long key, int count) {
        long target = key << SWEEP_INDEX_BITS;
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sortedKeys[mid] < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Applies a solved first stage (rows: {@code tracks.candidates}): matched candidates continue or
     * are found again, the unmatched tracked ones go to {@link #unmatchedTracked}, and the unmatched
     * detections to {@code unmatchedOut}.
     *
     * @return how many detections were left unmatched
     */
    int applyCandidateMatches(TrackLifecycle tracks, Detections dets, int[] detIdx, int count,
                              boolean refoundTakesNewScore, int[] unmatchedOut) {
        return applyMatches(tracks, tracks.candidates, dets, detIdx, count, refoundTakesNewScore, unmatchedOut);
    }

    /** {@link #applyCandidateMatches} for the given rows (candidates) of the solved cost matrix. */
    private int applyMatches(TrackLifecycle tracks, ArrayList<Track> candidates, Detections dets, int[] detIdx,
                             int count, boolean refoundTakesNewScore, int[] unmatchedOut) {
        int rows = candidates.size();
        for (int r = 0; r < rows; r++) {
            int c = assignment.colForRow(r);
            if (c >= 0) {
                tracks.matchCandidate(candidates.get(r), dets, detIdx[c], refoundTakesNewScore);
            }
        }
        unmatchedTracked.clear();
        for (int r = 0; r < rows; r++) {
            Track t = candidates.get(r);
            if (assignment.colForRow(r) < 0 && t.state == Track.TRACKED) {
                unmatchedTracked.add(t);
            }
        }
        return unmatchedColumns(detIdx, count, unmatchedOut);
    }

    /**
     * Adds the lost candidates that the first stage left unmatched and that were last matched at most
     * {@code maxFramesLost} frames ago to the rows of the IoU stage ({@link #unmatchedTracked}), after the
     * tracked ones, in candidate order.
     */
    void addRecentlyLost(TrackLifecycle tracks, int maxFramesLost) {
        ArrayList<Track> candidates = tracks.candidates;
        for (int r = 0; r < candidates.size(); r++) {
            Track t = candidates.get(r);
            if (t.state == Track.LOST && tracks.frameId - t.frameId <= maxFramesLost) {
                unmatchedTracked.add(t);
            }
        }
    }

    /**
     * The first stage again, for {@code rows} (the candidates it left unmatched, moved by the frame's camera shift)
     * against the detections it left over: matched rows continue or are found again, and {@link #unmatchedTracked}
     * becomes the rows still unmatched that are tracked, in their order.
     *
     * @return how many detections were left unmatched (written to {@code unmatchedOut}, in input order)
     */
    int rematch(TrackLifecycle tracks, ArrayList<Track> rows, Detections dets, int[] detIdx, int count, double thresh,
                boolean fuseScore, boolean refoundTakesNewScore, int[] unmatchedOut) {
        fillIouCost(rows, dets, detIdx, count, fuseScore);
        assignment.solve(cost, rows.size(), count, thresh);
        return applyMatches(tracks, rows, dets, detIdx, count, refoundTakesNewScore, unmatchedOut);
    }

    /**
     * The second stage: {@link #unmatchedTracked} against the given detections by IoU distance;
     * matched tracks continue (a lost one, see {@link #addRecentlyLost}, is found again), unmatched
     * tracked ones are lost.
     *
     * @param unmatchedOut receives the detections left unmatched, or null when the caller drops them
     * @return how many detections were left unmatched
     */
    int matchTrackedByIou(TrackLifecycle tracks, Detections dets, int[] detIdx, int count, double thresh,
                          boolean refoundTakesNewScore, int[] unmatchedOut) {
        ArrayList<Track> rows = unmatchedTracked;
        fillIouCost(rows, dets, detIdx, count, false);
        assignment.solve(cost, rows.size(), count, thresh);
        for (int r = 0; r < rows.size(); r++) {
            int c = assignment.colForRow(r);
            Track t = rows.get(r);
            if (c >= 0 && t.state == Track.LOST) {
                tracks.matchCandidate(t, dets, detIdx[c], refoundTakesNewScore);
            } else if (c >= 0) {
                tracks.continueTrack(t, dets, detIdx[c]);
            } else {
                tracks.markLost(t);
            }
        }
        return unmatchedColumns(detIdx, count, unmatchedOut);
    }

    /**
     * The last stage: {@code tracks.unconfirmed} against the given detections by IoU distance
     * (score-fused when {@code fuseScore}); matched tracks are confirmed, unmatched ones removed once
     * {@code unconfirmedFrames} frames have passed since their start (1: at their first miss).
     *
     * @return how many detections were left unmatched (written to {@code unmatchedOut})
     */
    int matchUnconfirmed(TrackLifecycle tracks, Detections dets, int[] detIdx, int count, double thresh,
                         boolean fuseScore, int unconfirmedFrames, int[] unmatchedOut) {
        ArrayList<Track> rows = tracks.unconfirmed;
        fillIouCost(rows, dets, detIdx, count, fuseScore);
        assignment.solve(cost, rows.size(), count, thresh);
        for (int r = 0; r < rows.size(); r++) {
            int c = assignment.colForRow(r);
            Track t = rows.get(r);
            if (c >= 0) {
                tracks.continueTrack(t, dets, detIdx[c]);
            } else if (tracks.frameId - t.startFrame >= unconfirmedFrames) {
                tracks.removeUnconfirmed(t);
            }
        }
        return unmatchedColumns(detIdx, count, unmatchedOut);
    }

    private int unmatchedColumns(int[] detIdx, int count, int[] out) {
        int n = 0;
        for (int c = 0; c < count; c++) {
            if (assignment.rowForCol(c) < 0) {
                if (out != null) {
                    out[n] = detIdx[c];
                }
                n++;
            }
        }
        return n;
    }
}
