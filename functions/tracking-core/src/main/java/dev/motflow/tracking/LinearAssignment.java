package dev.motflow.tracking;

import java.util.Arrays;

/**
 * Exact minimum-cost assignment for rectangular cost matrices with a cost limit, with the semantics
 * of {@code lap.lapjv(cost, extend_cost=True, cost_limit=thresh)} as JDE, FairMOT and ByteTrack use
 * it: a pair whose cost exceeds the limit (or is NaN/infinite) is never matched, and among all
 * partial matchings the one minimising {@code sum(cost[i][j] - limit)} over its pairs is returned
 * (lap's extended square problem gives every unmatched row and column a cost of {@code limit / 2},
 * which is the same objective). Rows and columns left out are reported as unmatched.
 *
 * <p>Algorithm: shortest augmenting paths with dual potentials (the Jonker-Volgenant family, in the
 * rectangular form described by Crouse, "On implementing 2D rectangular assignment algorithms",
 * 2016). Each row additionally owns a private zero-cost "stay unmatched" column, so every row always
 * has a feasible choice and the threshold needs no extension of the matrix. Exact for real costs.
 * When several assignments have the same optimal total the choice is deterministic (lowest indices
 * scanned first; a free real column wins a tie against staying unmatched, so a pair whose cost
 * equals the limit is matched when nothing else competes) but may differ from lap's.
 *
 * <p>An instance keeps its scratch arrays (grown on demand, never shrunk): solving allocates
 * nothing in steady state. Not thread-safe.
 */
public final class LinearAssignment {
    private double[] reduced = new double[0];
    private double[] u = new double[0];
    private double[] v = new double[0];
    private double[] shortest = new double[0];
    private int[] path = new int[0];
    private int[] col4row = new int[0];
    private int[] row4col = new int[0];
    private int[] remaining = new int[0];
    private boolean[] scannedRow = new boolean[0];
    /** Per row of the current solve: whether any of its pairs is within the limit. */
    private boolean[] hasAllowed = new boolean[0];
    private boolean[] scannedCol = new boolean[0];

    private int rows;
    private int cols;
    private int matchCount;

    /**
     * Solves the assignment for {@code cost} (row-major, {@code rows x cols}, stride {@code cols}).
     *
     * @return the number of matched pairs; read them with {@link #colForRow} / {@link #rowForCol}
     */
    public int solve(double[] cost, int rows, int cols, double limit) {
        return solve(cost, 0, cols, rows, cols, limit);
    }

    /** As {@link #solve(double[], int, int, double)} with an offset and row stride into {@code cost}. */
    public int solve(double[] cost, int offset, int stride, int rows, int cols, double limit) {
        if (rows < 0 || cols < 0 || stride < cols) {
            throw new IllegalArgumentException("bad shape " + rows + "x" + cols + " stride " + stride);
        }
        this.rows = rows;
        this.cols = cols;
        ensureCapacity(rows, cols);
        Arrays.fill(col4row, 0, rows, -1);
        Arrays.fill(row4col, 0, cols + rows, -1);
        matchCount = 0;
        if (rows == 0 || cols == 0) {
            return 0;
        }
        int totalCols = cols + rows; // real columns, then one private "unmatched" column per row
        Arrays.fill(u, 0, rows, 0.0);
        Arrays.fill(v, 0, totalCols, 0.0);
        // Shift by the limit: a pair is worth taking only when cost - limit <= 0; forbidden ones are +inf.
        // In the same pass, a greedy start that keeps the duals feasible: a row whose cheapest column is still
        // free takes it with u = that cost (so every reduced cost of the row is >= 0, all v stay 0). In tracking
        // most rows have one obvious partner, so the shortest-path phase only sees the conflicts.
        boolean anyAllowed = false;
        for (int i = 0; i < rows; i++) {
            int src = offset + i * stride;
            int dst = i * cols;
            boolean rowAllowed = false;
            int best = -1;
            double bestCost = 0.0; // staying unmatched costs 0
            for (int j = 0; j < cols; j++) {
                double c = cost[src + j];
                if (c <= limit) {
                    double r = c - limit;
                    reduced[dst + j] = r;
                    rowAllowed = true;
                    if (r < bestCost || (best < 0 && r == bestCost)) {
                        bestCost = r;
                        best = j;
                    }
                } else {
                    reduced[dst + j] = Double.POSITIVE_INFINITY;
                }
            }
            hasAllowed[i] = rowAllowed;
            anyAllowed |= rowAllowed;
            if (best >= 0 && row4col[best] == -1) {
                row4col[best] = i;
                col4row[i] = best;
                u[i] = bestCost;
            }
        }
        if (!anyAllowed) {
            return 0;
        }
        for (int curRow = 0; curRow < rows; curRow++) {
            // A row with no allowed pair can only stay unmatched (its private column, reachable from it alone):
            // its shortest path is that column at length 0 and would change no potential, so it is not searched.
            // In tracking these are most lost tracks, far from every detection.
            if (col4row[curRow] == -1 && hasAllowed[curRow]) {
                augment(curRow, totalCols);
            }
        }
        for (int i = 0; i < rows; i++) {
            if (col4row[i] >= cols) {
                row4col[col4row[i]] = -1;
                col4row[i] = -1;
            } else if (col4row[i] >= 0) {
                matchCount++;
            }
        }
        return matchCount;
    }

    private void augment(int curRow, int totalCols) {
        // Columns still to scan: the real ones plus the private column of each row scanned so far
        // (a row's private column is reachable from that row only, so others need no visit).
        int numRemaining = cols;
        for (int it = 0; it < cols; it++) {
            remaining[it] = it;
        }
        Arrays.fill(scannedRow, 0, rows, false);
        Arrays.fill(scannedCol, 0, totalCols, false);
        Arrays.fill(shortest, 0, totalCols, Double.POSITIVE_INFINITY);
        double minVal = 0;
        int i = curRow;
        int sink = -1;
        while (sink == -1) {
            scannedRow[i] = true;
            int ownDummy = cols + i;
            remaining[numRemaining++] = ownDummy;
            int index = -1;
            double lowest = Double.POSITIVE_INFINITY;
            int base = i * cols;
            double ui = u[i];
            for (int it = 0; it < numRemaining; it++) {
                int j = remaining[it];
                double c = j < cols ? reduced[base + j] : (j == ownDummy ? 0.0 : Double.POSITIVE_INFINITY);
                if (c != Double.POSITIVE_INFINITY) {
                    double r = minVal + c - ui - v[j];
                    if (r < shortest[j]) {
                        path[j] = i;
                        shortest[j] = r;
                    }
                }
                double sj = shortest[j];
                if (sj < lowest || (sj == lowest && sj != Double.POSITIVE_INFINITY
                        && row4col[j] == -1 && row4col[remaining[index]] != -1)) {
                    lowest = sj;
                    index = it;
                }
            }
            if (index < 0) {
                throw new IllegalStateException("no augmenting path (cannot happen: every row may stay unmatched)");
            }
            minVal = lowest;
            int j = remaining[index];
            scannedCol[j] = true;
            remaining[index] = remaining[--numRemaining];
            if (row4col[j] == -1) {
                sink = j;
            } else {
                i = row4col[j];
            }
        }
        u[curRow] += minVal;
        for (int r = 0; r < rows; r++) {
            if (scannedRow[r] && r != curRow) {
                u[r] += minVal - shortest[col4row[r]];
            }
        }
        for (int c = 0; c < totalCols; c++) {
            if (scannedCol[c]) {
                v[c] -= minVal - shortest[c];
            }
        }
        int j = sink;
        while (true) {
            int r = path[j];
            row4col[j] = r;
            int prev = col4row[r];
            col4row[r] = j;
            if (r == curRow) {
                break;
            }
            j = prev;
        }
    }

    private void ensureCapacity(int rows, int cols) {
        int cells = rows * cols;
        if (reduced.length < cells) {
            reduced = new double[Math.max(cells, reduced.length * 2)];
        }
        int total = rows + cols;
        if (u.length < rows) {
            int n = Math.max(rows, u.length * 2);
            u = new double[n];
            col4row = new int[n];
            scannedRow = new boolean[n];
            hasAllowed = new boolean[n];
        }
        if (v.length < total) {
            int n = Math.max(total, v.length * 2);
            v = new double[n];
            shortest = new double[n];
            path = new int[n];
            row4col = new int[n];
            remaining = new int[n];
            scannedCol = new boolean[n];
        }
    }

    /** Matched pairs of the last solve. */
    public int matchCount() {
        return matchCount;
    }

    /** Column matched to {@code row} in the last solve, or -1. */
    public int colForRow(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException(row);
        }
        return col4row[row];
    }

    /** Row matched to {@code col} in the last solve, or -1. */
    public int rowForCol(int col) {
        if (col < 0 || col >= cols) {
            throw new IndexOutOfBoundsException(col);
        }
        return row4col[col];
    }
}
