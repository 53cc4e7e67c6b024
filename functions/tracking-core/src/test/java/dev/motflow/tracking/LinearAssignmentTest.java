package dev.motflow.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearAssignmentTest {
    private final LinearAssignment la = new LinearAssignment();

    /** Best objective sum(cost - limit) over every partial matching of allowed pairs, by enumeration. */
    private static double bruteForce(double[] c, int rows, int cols, double limit, int row, boolean[] usedCols) {
        if (row == rows) {
            return 0;
        }
        double best = bruteForce(c, rows, cols, limit, row + 1, usedCols); // row stays unmatched
        for (int j = 0; j < cols; j++) {
            double v = c[row * cols + j];
            if (!usedCols[j] && v <= limit) {
                usedCols[j] = true;
                best = Math.min(best, v - limit + bruteForce(c, rows, cols, limit, row + 1, usedCols));
                usedCols[j] = false;
            }
        }
        return best;
    }

    private double checkSolution(double[] c, int rows, int cols, double limit) {
        int matched = la.solve(c, rows, cols, limit);
        double objective = 0;
        int count = 0;
        boolean[] seen = new boolean[cols];
        for (int i = 0; i < rows; i++) {
            int j = la.colForRow(i);
            if (j >= 0) {
                assertTrue(j < cols);
                assertTrue(!seen[j], "column used twice");
                seen[j] = true;
                assertEquals(i, la.rowForCol(j), "row/col views agree");
                assertTrue(c[i * cols + j] <= limit, "matched pair above the limit");
                objective += c[i * cols + j] - limit;
                count++;
            }
        }
        for (int j = 0; j < cols; j++) {
            if (!seen[j]) {
                assertEquals(-1, la.rowForCol(j));
            }
        }
        assertEquals(count, matched);
        assertEquals(count, la.matchCount());
        return objective;
    }

    @Test
    void matchesBruteForceOnRandomRectangularMatrices() {
        Random rnd = new Random(20261125);
        for (int trial = 0; trial < 4000; trial++) {
            int rows = rnd.nextInt(7);
            int cols = rnd.nextInt(7);
            double[] c = new double[rows * cols];
            int kind = trial % 4;
            for (int k = 0; k < c.length; k++) {
                c[k] = switch (kind) {
                    case 0 -> rnd.nextDouble();                           // continuous
                    case 1 -> rnd.nextInt(4) * 0.25;                        // many ties, some equal to the limit
                    case 2 -> rnd.nextDouble() < 0.3 ? Double.POSITIVE_INFINITY : rnd.nextDouble() * 2 - 0.5;
                    default -> rnd.nextDouble() < 0.1 ? Double.NaN : rnd.nextGaussian();
                };
            }
            double limit = kind == 1 ? 0.5 : rnd.nextDouble() * 1.2 - 0.1;
            double got = checkSolution(c, rows, cols, limit);
            double expected = bruteForce(c, rows, cols, limit, 0, new boolean[cols]);
            assertEquals(expected, got, 1e-9, "trial " + trial + " " + rows + "x" + cols);
        }
    }

    @Test
    void neverMatchesAboveTheLimitEvenWhenThatWouldMatchMore() {
        // The full assignment would pair (0,1) and (1,0) at 0.9 each; only (0,0) is under the limit.
        double[] c = {0.1, 0.9, 0.9, 5.0};
        assertEquals(1, la.solve(c, 2, 2, 0.5));
        assertEquals(0, la.colForRow(0));
        assertEquals(-1, la.colForRow(1));
        assertEquals(-1, la.rowForCol(1));
    }

    @Test
    void prefersTheCheaperTotalNotTheGreedyPair() {
        // Greedy would take (0,0)=0.1 and leave row 1 with 0.45; optimal is (0,1)+(1,0)=0.2+0.15.
        double[] c = {0.1, 0.2, 0.15, 0.45};
        assertEquals(2, la.solve(c, 2, 2, 0.5));
        assertEquals(1, la.colForRow(0));
        assertEquals(0, la.colForRow(1));
    }

    @Test
    void wideAndTallMatricesAndEmptyOnes() {
        double[] wide = {0.9, 0.2, 0.3, 0.8, 0.1, 0.7};
        assertEquals(2, la.solve(wide, 2, 3, 0.5));
        // (0,2)+(1,1) = 0.4 beats taking the single cheapest pair (0,1) = 0.2 and leaving row 1 out.
        assertEquals(2, la.colForRow(0));
        assertEquals(1, la.colForRow(1));
        assertEquals(-1, la.rowForCol(0));
        double[] tall = {0.3, 0.2, 0.1};
        assertEquals(1, la.solve(tall, 3, 1, 0.5));
        assertEquals(2, la.rowForCol(0));
        assertEquals(0, la.solve(new double[0], 0, 4, 0.5));
        assertEquals(-1, la.rowForCol(3));
        assertEquals(0, la.solve(new double[0], 3, 0, 0.5));
        assertEquals(-1, la.colForRow(2));
    }

    @Test
    void largerRandomProblemsKeepTheOptimalityCertificate() {
        // For sizes brute force cannot reach, check against an independent O(n^3) Hungarian on the
        // explicitly extended square matrix that lap builds (limit/2 for unmatched rows and columns).
        Random rnd = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int rows = 5 + rnd.nextInt(30);
            int cols = 5 + rnd.nextInt(30);
            double limit = 0.2 + rnd.nextDouble() * 0.6;
            double[] c = new double[rows * cols];
            for (int k = 0; k < c.length; k++) {
                c[k] = rnd.nextDouble() < 0.7 ? Double.POSITIVE_INFINITY : rnd.nextDouble();
            }
            double got = checkSolution(c, rows, cols, limit);
            double expected = extendedSquareOptimum(c, rows, cols, limit) - (rows + cols) * limit / 2;
            assertEquals(expected, got, 1e-7, "trial " + trial);
        }
    }

    @Test
    void rowsWithNoPairWithinTheLimitStayUnmatchedAndTheRestStayOptimal() {
        // Like a tracker's lost tracks far from every detection: whole rows forbidden, between rows that compete.
        Random rnd = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int rows = 2 + rnd.nextInt(20);
            int cols = 1 + rnd.nextInt(20);
            double limit = 0.3 + rnd.nextDouble() * 0.5;
            double[] c = new double[rows * cols];
            boolean[] forbiddenRow = new boolean[rows];
            for (int i = 0; i < rows; i++) {
                forbiddenRow[i] = rnd.nextBoolean();
                for (int j = 0; j < cols; j++) {
                    c[i * cols + j] = forbiddenRow[i] ? (rnd.nextBoolean() ? Double.POSITIVE_INFINITY : limit + 0.01)
                            : rnd.nextDouble() * limit * 1.5;
                }
            }
            double got = checkSolution(c, rows, cols, limit);
            for (int i = 0; i < rows; i++) {
                if (forbiddenRow[i]) {
                    assertEquals(-1, la.colForRow(i), "trial " + trial + " row " + i);
                }
            }
            double expected = extendedSquareOptimum(c, rows, cols, limit) - (rows + cols) * limit / 2;
            assertEquals(expected, got, 1e-7, "trial " + trial);
        }
    }

    /** Classic O(n^3) Hungarian (potentials) on lap's extended (rows+cols) square matrix. */
    private static double extendedSquareOptimum(double[] c, int rows, int cols, double limit) {
        int n = rows + cols;
        double big = 1e9;
        double[][] a = new double[n + 1][n + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v;
                if (i < rows && j < cols) {
                    v = c[i * cols + j] <= limit ? c[i * cols + j] : big;
                } else if (i >= rows && j >= cols) {
                    v = 0;
                } else {
                    v = limit / 2;
                }
                a[i + 1][j + 1] = v;
            }
        }
        double[] u = new double[n + 1];
        double[] v = new double[n + 1];
        int[] p = new int[n + 1];
        int[] way = new int[n + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            double[] minv = new double[n + 1];
            java.util.Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[n + 1];
            do {
                used[j0] = true;
                int i0 = p[j0];
                int j1 = 0;
                double delta = Double.POSITIVE_INFINITY;
                for (int j = 1; j <= n; j++) {
                    if (!used[j]) {
                        double cur = a[i0][j] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= n; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        double total = 0;
        for (int j = 1; j <= n; j++) {
            total += a[p[j]][j];
        }
        return total;
    }
}
