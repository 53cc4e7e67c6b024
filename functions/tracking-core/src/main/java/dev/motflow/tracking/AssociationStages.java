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
     * with {@code fuseScore}, ByteTrack's {@code 1 - IoU * score}.
     */
    void fillIouCost(ArrayList<Track> tracks, Detections dets, int[] detIdx, int count, boolean fuseScore) {
        int rows = tracks.size();
        double[] c = cost(rows, count);
        for (int r = 0; r < rows; r++) {
            Track t = tracks.get(r);
            double tw = t.w();
            double tx = t.mean[0] - tw / 2;
            double ty = t.y();
            double th = t.h();
            int base = r * count;
            for (int k = 0; k < count; k++) {
                int d = detIdx[k];
                double dist = Boxes.iouDistance(tx, ty, tw, th, dets.x(d), dets.y(d), dets.w(d), dets.h(d));
                c[base + k] = fuseScore ? 1 - (1 - dist) * dets.score(d) : dist;
            }
        }
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
