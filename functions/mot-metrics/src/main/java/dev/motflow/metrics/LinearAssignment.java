package dev.motflow.metrics;

import java.util.Arrays;

/**
 * Exact minimum-cost assignment for dense rectangular matrices: the shortest augmenting path
 * method for rectangular problems (Jonker-Volgenant style, as described by D. F. Crouse, "On
 * implementing 2D rectangular assignment algorithms", IEEE TAES 2016), the algorithm behind
 * scipy's {@code linear_sum_assignment}. Following that method step for step, including its
 * tie rule (among equally cheap columns prefer an unassigned one, scanning the remaining columns
 * in the same order), makes it pick the same optimum as the reference tools when several are
 * equally good, which matters for identity-based metrics.
 *
 * <p>Every one of {@code min(rows, cols)} rows (or columns) is assigned; costs must be finite.
 * Forbidden pairs are expressed by the callers with a large finite cost (see
 * {@link #withExpensiveEdges}). Instances reuse their work arrays: not thread-safe.
 */
final class LinearAssignment {
    private double[] u = new double[0];
    private double[] v = new double[0];
    private double[] shortest = new double[0];
    private int[] path = new int[0];
    private int[] col4row = new int[0];
    private int[] row4col = new int[0];
    private boolean[] rowSeen = new boolean[0];
    private boolean[] colSeen = new boolean[0];
    private int[] remaining = new int[0];
    private double[] transposed = new double[0];

    /**
     * Solves {@code rows x cols} (row-major {@code cost}). Writes the column of each row into
     * {@code colForRow} (length &gt;= rows; -1 for rows left unassigned when rows &gt; cols) and
     * returns the number of assigned pairs, {@code min(rows, cols)}.
     */
    int solve(double[] cost, int rows, int cols, int[] colForRow) {
        Arrays.fill(colForRow, 0, rows, -1);
        if (rows == 0 || cols == 0) {
            return 0;
        }
        if (cols >= rows) {
            solveWide(cost, rows, cols);
            System.arraycopy(col4row, 0, colForRow, 0, rows);
            return rows;
        }
        // More rows than columns: solve the transpose so that every column gets a row.
        int n = rows * cols;
        if (transposed.length < n) {
            transposed = new double[n];
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                transposed[j * rows + i] = cost[i * cols + j];
            }
        }
        solveWide(transposed, cols, rows);
        for (int j = 0; j < cols; j++) {
            colForRow[col4row[j]] = j;
        }
        return cols;
    }

    private void ensure(int rows, int cols) {
        if (u.length < rows) {
            u = new double[rows];
            col4row = new int[rows];
            rowSeen = new boolean[rows];
        }
        if (v.length < cols) {
            v = new double[cols];
            shortest = new double[cols];
            path = new int[cols];
            row4col = new int[cols];
            colSeen = new boolean[cols];
            remaining = new int[cols];
        }
    }

    /** rows &lt;= cols: every row is assigned; the result is in col4row. */
    private void solveWide(double[] cost, int rows, int cols) {
        ensure(rows, cols);
        Arrays.fill(u, 0, rows, 0.0);
        Arrays.fill(v, 0, cols, 0.0);
        Arrays.fill(path, 0, cols, -1);
        Arrays.fill(col4row, 0, rows, -1);
        Arrays.fill(row4col, 0, cols, -1);
        for (int current = 0; current < rows; current++) {
            // Dijkstra-like search for the cheapest augmenting path from row `current`.
            int open = cols;
            for (int k = 0; k < cols; k++) {
                remaining[k] = cols - k - 1;
            }
            Arrays.fill(rowSeen, 0, rows, false);
            Arrays.fill(colSeen, 0, cols, false);
            Arrays.fill(shortest, 0, cols, Double.POSITIVE_INFINITY);
            double minVal = 0;
            int sink = -1;
            int i = current;
            while (sink == -1) {
                int best = -1;
                double lowest = Double.POSITIVE_INFINITY;
                rowSeen[i] = true;
                int rowBase = i * cols;
                double ui = u[i];
                for (int k = 0; k < open; k++) {
                    int j = remaining[k];
                    double r = minVal + cost[rowBase + j] - ui - v[j];
                    if (r < shortest[j]) {
                        path[j] = i;
                        shortest[j] = r;
                    }
                    if (shortest[j] < lowest || (shortest[j] == lowest && row4col[j] == -1)) {
                        lowest = shortest[j];
                        best = k;
                    }
                }
                minVal = lowest;
                if (best < 0 || minVal == Double.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException("cost matrix is infeasible (non-finite costs)");
                }
                int j = remaining[best];
                if (row4col[j] == -1) {
                    sink = j;
                } else {
                    i = row4col[j];
                }
                colSeen[j] = true;
                remaining[best] = remaining[--open];
            }
            // Update the dual variables.
            u[current] += minVal;
            for (int r = 0; r < rows; r++) {
                if (rowSeen[r] && r != current) {
                    u[r] += minVal - shortest[col4row[r]];
                }
            }
            for (int c = 0; c < cols; c++) {
                if (colSeen[c]) {
                    v[c] -= minVal - shortest[c];
                }
            }
            // Augment along the path back to `current`.
            int j = sink;
            while (true) {
                int r = path[j];
                row4col[j] = r;
                int previous = col4row[r];
                col4row[r] = j;
                j = previous;
                if (r == current) {
                    break;
                }
            }
        }
    }

    /**
     * Replaces NaN (forbidden) entries of {@code cost} in place with a cost so large that an optimum
     * uses as many allowed pairs as possible before minimising their cost (py-motmetrics' rule:
     * {@code 2 * min(rows, cols) * (max|allowed| + 1) + 1}). Returns false when no entry is allowed
     * (then nothing can be matched and the matrix is left as it is).
     */
    static boolean withExpensiveEdges(double[] cost, int rows, int cols) {
        int n = rows * cols;
        double maxAbs = -1;
        boolean anyForbidden = false;
        for (int k = 0; k < n; k++) {
            double c = cost[k];
            if (Double.isFinite(c)) {
                double a = Math.abs(c);
                if (a > maxAbs) {
                    maxAbs = a;
                }
            } else {
                anyForbidden = true;
            }
        }
        if (maxAbs < 0) {
            return false;
        }
        if (anyForbidden) {
            double large = 2.0 * Math.min(rows, cols) * (maxAbs + 1) + 1;
            for (int k = 0; k < n; k++) {
                if (!Double.isFinite(cost[k])) {
                    cost[k] = large;
                }
            }
        }
        return true;
    }
}
