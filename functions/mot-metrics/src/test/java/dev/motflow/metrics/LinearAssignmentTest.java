package dev.motflow.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearAssignmentTest {
    private final LinearAssignment solver = new LinearAssignment();

    /** Best total over all ways to assign min(rows, cols) pairs, by enumeration. */
    private static double bruteForce(double[] c, int rows, int cols) {
        return rows <= cols ? best(c, rows, cols, 0, new boolean[cols], false)
                : best(c, cols, rows, 0, new boolean[rows], true);
    }

    private static double best(double[] c, int rows, int cols, int row, boolean[] used, boolean transposed) {
        if (row == rows) {
            return 0;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            if (!used[j]) {
                used[j] = true;
                double v = (transposed ? c[j * rows + row] : c[row * cols + j])
                        + best(c, rows, cols, row + 1, used, transposed);
                best = Math.min(best, v);
                used[j] = false;
            }
        }
        return best;
    }

    private static double total(double[] c, int rows, int cols, int[] colForRow) {
        double sum = 0;
        boolean[] usedCol = new boolean[cols];
        int assigned = 0;
        for (int i = 0; i < rows; i++) {
            int j = colForRow[i];
            if (j >= 0) {
                assertFalse(usedCol[j], "column used twice");
                usedCol[j] = true;
                sum += c[i * cols + j];
                assigned++;
            }
        }
        assertEquals(Math.min(rows, cols), assigned);
        return sum;
    }

    @Test
    void optimalOnRandomRectangularMatricesAgainstBruteForce() {
        Random rnd = new Random(3);
        for (int t = 0; t < 600; t++) {
            int rows = 1 + rnd.nextInt(6);
            int cols = 1 + rnd.nextInt(6);
            double[] c = new double[rows * cols];
            for (int k = 0; k < c.length; k++) {
                // small integers make many ties; negatives appear in maximisation problems
                c[k] = t % 2 == 0 ? rnd.nextInt(5) - 2 : rnd.nextGaussian() * 10;
            }
            int[] colForRow = new int[rows];
            int n = solver.solve(c, rows, cols, colForRow);
            assertEquals(Math.min(rows, cols), n);
            assertEquals(bruteForce(c, rows, cols), total(c, rows, cols, colForRow), 1e-9, "case " + t);
        }
    }

    @Test
    void forbiddenPairsAreAvoidedAndTheMostAllowedPairsChosenFirst() {
        double nan = Double.NaN;
        // Row 0 alone would prefer column 0 (0.1), but then row 1 could match nothing:
        // the rule takes two allowed pairs (0.4 + 0.3) over one cheap pair.
        double[] c = {0.1, 0.4, 0.3, nan};
        assertTrue(LinearAssignment.withExpensiveEdges(c, 2, 2));
        int[] colForRow = new int[2];
        solver.solve(c, 2, 2, colForRow);
        assertArrayEquals(new int[] {1, 0}, colForRow);

        double[] none = {nan, nan};
        assertFalse(LinearAssignment.withExpensiveEdges(none, 1, 2));
    }

    @Test
    void emptyAndDegenerateShapes() {
        int[] colForRow = {7, 7};
        assertEquals(0, solver.solve(new double[0], 2, 0, colForRow));
        assertArrayEquals(new int[] {-1, -1}, colForRow);
        int[] one = new int[3];
        assertEquals(1, solver.solve(new double[] {5, 1, 3}, 3, 1, one));
        assertArrayEquals(new int[] {-1, 0, -1}, one);
    }

    @Test
    void tiesBreakLikeScipy() {
        // scipy.optimize.linear_sum_assignment(np.zeros((2, 3))) -> columns [0, 1]; (3, 2) -> [0, 1, -]:
        // the remaining columns are scanned from the last, and a later free column of equal cost wins.
        int[] colForRow = new int[3];
        solver.solve(new double[6], 2, 3, colForRow);
        assertArrayEquals(new int[] {0, 1}, java.util.Arrays.copyOf(colForRow, 2));
        solver.solve(new double[6], 3, 2, colForRow);
        assertArrayEquals(new int[] {0, 1, -1}, colForRow);
    }
}
