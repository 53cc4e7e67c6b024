package dev.motflow.metrics;

import dev.motflow.mot.MotFormatException;
import dev.motflow.mot.MotRow;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a ground-truth file and a result file into the frames each metric family scores, applying
 * the MOTChallenge rules of a {@link Benchmark} exactly as the reference tools do:
 *
 * <ul>
 *   <li>MOT15, CLEAR MOT / Identity (py-motmetrics {@code io.loadtxt} + {@code compare_to_groundtruth}):
 *     rows with conf &lt; -1 are dropped from both files (the loader's {@code min_confidence=-1}).</li>
 *   <li>MOT15, HOTA (TrackEval, benchmark MOT15): ground-truth rows whose conf truncates to 0
 *     ({@code zero_marked}) are dropped; every result row counts.</li>
 *   <li>MOT16/17/20, all metrics: TrackEval's preprocessing. Per frame, result boxes are matched to
 *     all ground-truth boxes by maximum total IoU among pairs with IoU &gt;= 0.5 - eps; those
 *     matched to a distractor class are removed. Then only ground truth with int(conf) != 0 and
 *     class 1 is kept.</li>
 * </ul>
 * Rows are identified by their index in the list; errors report line {@code index + 1}, which is
 * the file line for lists read by {@code MotFile.read} (blank lines only occur at the end).
 */
final class Preprocessing {
    /**
     * The selected rows for py-motmetrics' CLEAR MOT + Identity and for TrackEval (HOTA, and CLEAR +
     * Identity by default); the frames are packed on request, so a mode packs only what it scores.
     */
    record Prepared(List<MotRow> gt, List<MotRow> hyp, int[] gtClear, int[] hypClear, int[] gtHota, int[] hypHota) {
        /** py-motmetrics' frames (boxes shifted by -1 as its loader does). */
        Frames clear() {
            return Frames.of(gt, gtClear, hyp, hypClear, 1.0);
        }

        /** TrackEval's frames. */
        Frames hota() {
            return Frames.of(gt, gtHota, hyp, hypHota, 0.0);
        }
    }

    private Preprocessing() {
    }

    static Prepared prepare(List<MotRow> gt, Path gtFile, List<MotRow> hyp, Path hypFile, Benchmark benchmark)
            throws MotFormatException {
        checkUniqueIds(gt, gtFile);
        checkUniqueIds(hyp, hypFile);
        if (!benchmark.preprocesses()) {
            int[] gtClear = select(gt, r -> r.conf() >= -1);
            int[] hypClear = select(hyp, r -> r.conf() >= -1);
            int[] gtHota = select(gt, r -> (int) r.conf() != 0);
            int[] hypHota = select(hyp, r -> true);
            return new Prepared(gt, hyp, gtClear, hypClear, gtHota, hypHota);
        }
        for (int i = 0; i < gt.size(); i++) {
            int c = gt.get(i).classId();
            if (gt.get(i).c8() != c || c < 1 || c > Benchmark.MAX_CLASS) {
                throw new MotFormatException(gtFile, i + 1, "class " + MotRowText.number(gt.get(i).c8())
                        + " is not a MOTChallenge class (1.." + Benchmark.MAX_CLASS + "); ground truth without"
                        + " classes is scored with benchmark MOT15");
            }
        }
        for (int i = 0; i < hyp.size(); i++) {
            if ((int) hyp.get(i).c8() > Benchmark.PEDESTRIAN) {
                throw new MotFormatException(hypFile, i + 1, "class " + MotRowText.number(hyp.get(i).c8())
                        + " in a result: only pedestrians (class 1 or -1) are scored in " + benchmark);
            }
        }
        boolean[] removed = distractorMatches(gt, hyp, benchmark);
        int[] gtKept = select(gt, r -> (int) r.conf() != 0 && r.classId() == Benchmark.PEDESTRIAN);
        int n = 0;
        int[] hypKept = new int[hyp.size()];
        for (int i = 0; i < hyp.size(); i++) {
            if (!removed[i]) {
                hypKept[n++] = i;
            }
        }
        hypKept = Arrays.copyOf(hypKept, n);
        return new Prepared(gt, hyp, gtKept, hypKept, gtKept, hypKept);
    }

    /** Result rows matched (per frame, max total IoU, IoU >= 0.5) to a ground-truth distractor. */
    private static boolean[] distractorMatches(List<MotRow> gt, List<MotRow> hyp, Benchmark benchmark) {
        boolean[] removed = new boolean[hyp.size()];
        int[] gtOrder = byFrame(gt);
        int[] hypOrder = byFrame(hyp);
        LinearAssignment solver = new LinearAssignment();
        double[] cost = new double[0];
        double[] score = new double[0];
        int[] colForRow = new int[0];
        double[] gtBox = new double[0];
        double[] hypBox = new double[0];
        boolean[] distractor = new boolean[0];
        int g = 0;
        int h = 0;
        double threshold = 0.5 - BoxIou.EPS;
        while (g < gtOrder.length && h < hypOrder.length) {
            int gf = gt.get(gtOrder[g]).frame();
            int hf = hyp.get(hypOrder[h]).frame();
            if (gf != hf) {
                if (gf < hf) {
                    while (g < gtOrder.length && gt.get(gtOrder[g]).frame() == gf) {
                        g++;
                    }
                } else {
                    while (h < hypOrder.length && hyp.get(hypOrder[h]).frame() == hf) {
                        h++;
                    }
                }
                continue;
            }
            int gEnd = g;
            while (gEnd < gtOrder.length && gt.get(gtOrder[gEnd]).frame() == gf) {
                gEnd++;
            }
            int hEnd = h;
            while (hEnd < hypOrder.length && hyp.get(hypOrder[hEnd]).frame() == gf) {
                hEnd++;
            }
            int no = gEnd - g;
            int nh = hEnd - h;
            if (cost.length < no * nh) {
                cost = new double[no * nh];
                score = new double[no * nh];
            }
            if (colForRow.length < no) {
                colForRow = new int[no];
            }
            if (gtBox.length < 4 * no) {
                gtBox = new double[4 * no];
                distractor = new boolean[no];
            }
            if (hypBox.length < 4 * nh) {
                hypBox = new double[4 * nh];
            }
            for (int i = 0; i < no; i++) {
                MotRow a = gt.get(gtOrder[g + i]);
                copyBox(a, gtBox, i);
                distractor[i] = benchmark.isDistractor(a.classId());
            }
            for (int j = 0; j < nh; j++) {
                copyBox(hyp.get(hypOrder[h + j]), hypBox, j);
            }
            // Only a result box overlapping a distractor by IoU >= 0.5 can be removed: when there is
            // none, the assignment cannot remove anything and is skipped.
            boolean distractorOverlaps = false;
            for (int i = 0; i < no && !distractorOverlaps; i++) {
                if (distractor[i]) {
                    for (int j = 0; j < nh; j++) {
                        if (iou(gtBox, i, hypBox, j) >= threshold) {
                            distractorOverlaps = true;
                            break;
                        }
                    }
                }
            }
            if (!distractorOverlaps) {
                g = gEnd;
                h = hEnd;
                continue;
            }
            for (int i = 0; i < no; i++) {
                for (int j = 0; j < nh; j++) {
                    double s = iou(gtBox, i, hypBox, j);
                    if (s < threshold) {
                        s = 0;
                    }
                    score[i * nh + j] = s;
                    cost[i * nh + j] = -s;
                }
            }
            solver.solve(cost, no, nh, colForRow);
            for (int i = 0; i < no; i++) {
                int j = colForRow[i];
                if (j >= 0 && score[i * nh + j] > BoxIou.EPS && distractor[i]) {
                    removed[hypOrder[h + j]] = true;
                }
            }
            g = gEnd;
            h = hEnd;
        }
        return removed;
    }

    private static void copyBox(MotRow r, double[] boxes, int k) {
        boxes[4 * k] = r.x();
        boxes[4 * k + 1] = r.y();
        boxes[4 * k + 2] = r.w();
        boxes[4 * k + 3] = r.h();
    }

    private static double iou(double[] a, int i, double[] b, int j) {
        return BoxIou.trackeval(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3],
                b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3]);
    }

    /** Row indices sorted by frame, file order within a frame. */
    private static int[] byFrame(List<MotRow> rows) {
        long[] keys = new long[rows.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ((long) rows.get(i).frame() << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    private static int[] select(List<MotRow> rows, java.util.function.Predicate<MotRow> keep) {
        int[] out = new int[rows.size()];
        int n = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (keep.test(rows.get(i))) {
                out[n++] = i;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** The reference tools reject an id used twice in one frame; so does motflow, naming both lines. */
    static void checkUniqueIds(List<MotRow> rows, Path file) throws MotFormatException {
        long[] keys = new long[rows.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(rows.get(i));
        }
        long[] sorted = keys.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                int first = -1;
                for (int k = 0; k < keys.length; k++) {
                    if (keys[k] == sorted[i]) {
                        if (first < 0) {
                            first = k;
                        } else {
                            MotRow r = rows.get(k);
                            throw new MotFormatException(file, k + 1, "id " + r.id() + " appears twice in frame "
                                    + r.frame() + " (also on line " + (first + 1) + ")");
                        }
                    }
                }
            }
        }
    }

    private static long key(MotRow r) {
        return ((long) r.frame() << 32) | (r.id() & 0xffffffffL);
    }

    /** Number formatting for messages. */
    private static final class MotRowText {
        static String number(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        }
    }
}
