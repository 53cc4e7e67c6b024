package dev.motflow.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.motflow.mot.MotFormatException;
import dev.motflow.mot.MotRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-worked scenes for the default definitions (TrackEval's CLEAR and Identity, the MOTChallenge
 * evaluation), each one where py-motmetrics' definitions give other numbers, asserted side by side.
 */
class TrackEvalDefinitionsTest {
    private static MotRow box(int frame, int id, double x, double y, double w, double h) {
        return MotRow.result(frame, id, x, y, w, h, 1);
    }

    private static MotMetrics official(List<MotRow> gt, List<MotRow> res) throws MotFormatException {
        return MotEvaluator.metrics(gt, res, Benchmark.MOT15);
    }

    private static MotMetrics compat(List<MotRow> gt, List<MotRow> res) throws MotFormatException {
        return MotEvaluator.metrics(gt, res, Benchmark.MOT15, MetricMode.PY_MOTMETRICS);
    }

    @Test
    void theDefaultIsTrackEval() throws MotFormatException {
        List<MotRow> gt = List.of(box(1, 1, 0, 0, 10, 10));
        SequenceEvaluation e = MotEvaluator.evaluate("s", gt, null, gt, null, Benchmark.MOT15);
        assertEquals(MetricMode.TRACKEVAL, e.clear().mode());
        assertEquals(MetricMode.PY_MOTMETRICS, MetricMode.parse("py-motmetrics"));
        assertEquals(MetricMode.TRACKEVAL, MetricMode.parse(" TrackEval "));
        assertThrows(IllegalArgumentException.class, () -> MetricMode.parse("motchallenge"));
    }

    /**
     * Frame 1: object matched to 7. Frame 2: 7 is gone and another box (9) is elsewhere, so the
     * object is missed. Frame 3: 7 is back with IoU 0.6, 8 fits exactly. TrackEval's continuity
     * bonus only covers last frame's matches, so 8 wins on IoU: a switch. py-motmetrics keeps the
     * pairing from frame 1 while it is valid: no switch, 8 is the false positive.
     */
    @Test
    void continuityOnlyReachesBackOneMatchedFrame() throws MotFormatException {
        List<MotRow> gt = List.of(box(1, 1, 0, 0, 10, 10), box(2, 1, 0, 0, 10, 10), box(3, 1, 0, 0, 10, 10));
        List<MotRow> res = List.of(box(1, 7, 0, 0, 10, 10), box(2, 9, 300, 0, 10, 10),
                box(3, 7, 0, 0, 10, 6), box(3, 8, 0, 0, 10, 10));
        MotMetrics te = official(gt, res);
        assertEquals(1, te.numSwitches());
        assertEquals(2, te.numFalsePositives());      // 9 and 7
        assertEquals(1, te.numMisses());
        assertEquals(1, te.numFragmentations());      // tracked, interrupted, resumed
        assertEquals(0.0, te.motp(), 1e-12);          // both matches exact
        assertEquals((2 - 2 - 1) / 3.0, te.mota(), 1e-12);
        MotMetrics mm = compat(gt, res);
        assertEquals(0, mm.numSwitches());
        assertEquals(2, mm.numFalsePositives());      // 9 and 8
        assertEquals(1, mm.numFragmentations());
        assertEquals(0.2, mm.motp(), 1e-12);          // (0 + 0.4) / 2
    }

    /** With the bonus, last frame's partner wins even against a better box, as in py-motmetrics. */
    @Test
    void lastFramesPartnerIsKeptOverABetterBox() throws MotFormatException {
        List<MotRow> gt = List.of(box(1, 1, 0, 0, 10, 10), box(2, 1, 0, 0, 10, 10));
        List<MotRow> res = List.of(box(1, 7, 0, 0, 10, 10), box(2, 7, 0, 0, 10, 6), box(2, 8, 0, 0, 10, 10));
        MotMetrics te = official(gt, res);
        assertEquals(0, te.numSwitches());
        assertEquals(1, te.numFalsePositives());
        assertEquals(0.2, te.motp(), 1e-12);
    }

    /**
     * A frame without any result box keeps the object's continuity in TrackEval (no fragmentation),
     * while py-motmetrics counts the miss as an interruption. A frame whose only box is elsewhere
     * interrupts in both.
     */
    @Test
    void aFrameWithoutResultBoxesDoesNotFragmentATrack() throws MotFormatException {
        List<MotRow> gt = new ArrayList<>();
        List<MotRow> res = new ArrayList<>();
        for (int f = 1; f <= 6; f++) {
            gt.add(box(f, 1, 0, 0, 10, 10));
            if (f != 3) {
                res.add(box(f, f < 3 ? 5 : 6, 0, 0, 10, 10)); // id 5, a frame without boxes, then id 6
            }
        }
        MotMetrics te = official(gt, res);
        assertEquals(0, te.numFragmentations());
        assertEquals(1, te.numSwitches());
        assertEquals(1, te.numMisses());
        assertEquals(1, te.mostlyTracked());          // 5/6 = 0.83 > 0.8
        assertEquals(3.0 / (3 + 0.5 * 2 + 0.5 * 3), te.idf1(), 1e-12); // IDTP 3, IDFP 2, IDFN 3
        assertEquals(1, compat(gt, res).numFragmentations());

        res.add(box(3, 9, 300, 0, 10, 10));
        assertEquals(1, official(gt, res).numFragmentations());
    }

    /** An object absent from the ground truth for a frame (others present) starts a new run in TrackEval. */
    @Test
    void anObjectThatLeavesTheGroundTruthAndReturnsIsAFragmentation() throws MotFormatException {
        List<MotRow> gt = new ArrayList<>();
        List<MotRow> res = new ArrayList<>();
        for (int f = 1; f <= 4; f++) {
            gt.add(box(f, 2, 100, 0, 10, 10));
            res.add(box(f, 20, 100, 0, 10, 10));
            res.add(box(f, 10, 0, 0, 10, 10));
            if (f != 3) {
                gt.add(box(f, 1, 0, 0, 10, 10));
            }
        }
        MotMetrics te = official(gt, res);
        assertEquals(1, te.numFragmentations());
        assertEquals(0, te.numSwitches());
        assertEquals(1, te.numFalsePositives());      // 10 in frame 3 has nothing to match
        MotMetrics mm = compat(gt, res);
        assertEquals(0, mm.numFragmentations());       // no miss in between: nothing to fragment
    }

    /** MT needs strictly more than 80% in TrackEval; exactly 80% is mostly tracked in py-motmetrics. */
    @Test
    void mostlyTrackedIsStrictlyAboveEightyPercent() throws MotFormatException {
        List<MotRow> gt = new ArrayList<>();
        List<MotRow> res = new ArrayList<>();
        int[] trackedFrames = {9, 8, 7, 2, 1}; // of 10
        for (int o = 0; o < trackedFrames.length; o++) {
            for (int f = 1; f <= 10; f++) {
                gt.add(box(f, o + 1, 100 * o, 0, 10, 10));
                if (f <= trackedFrames[o]) {
                    res.add(box(f, o + 1, 100 * o, 0, 10, 10));
                }
            }
        }
        MotMetrics te = official(gt, res);
        assertEquals(1, te.mostlyTracked());
        assertEquals(3, te.partiallyTracked());
        assertEquals(1, te.mostlyLost());
        assertEquals(5, te.numUniqueObjects());
        MotMetrics mm = compat(gt, res);
        assertEquals(2, mm.mostlyTracked());
        assertEquals(2, mm.partiallyTracked());
        assertEquals(1, mm.mostlyLost());
    }

    /**
     * Two objects cross. TrackEval maximises (bonus + IoU) jointly: both keep last frame's partners
     * although swapping would give each a better IoU.
     */
    @Test
    void continuityIsPreferredJointlyOverIou() throws MotFormatException {
        List<MotRow> gt = List.of(box(1, 1, 0, 0, 10, 10), box(1, 2, 100, 0, 10, 10),
                box(2, 1, 0, 0, 10, 10), box(2, 2, 2, 0, 10, 10));
        List<MotRow> res = List.of(box(1, 7, 0, 0, 10, 10), box(1, 8, 100, 0, 10, 10),
                box(2, 7, 2, 0, 10, 10),   // IoU 80/120 with gt 1, exact with gt 2
                box(2, 8, 0, 0, 10, 10));  // exact with gt 1, 80/120 with gt 2
        MotMetrics te = official(gt, res);
        assertEquals(0, te.numSwitches());
        assertEquals(0, te.numMisses());
        assertEquals((2 * (1 - 80.0 / 120)) / 4, te.motp(), 1e-12);
        assertEquals(1.0, te.idf1(), 1e-12);
    }

    /** TrackEval divides by max(1, x): no result gives precision 0 and MOTP 0 (motp distance 1), not NaN. */
    @Test
    void undefinedRatiosAreZeroAsTrackEvalReportsThem() throws MotFormatException {
        List<MotRow> gt = List.of(box(1, 1, 0, 0, 10, 10), box(2, 1, 0, 0, 10, 10));
        MotMetrics m = official(gt, List.of());
        assertEquals(0.0, m.mota());
        assertEquals(0.0, m.precision());
        assertEquals(1.0, m.motp());
        assertEquals(0.0, m.idf1());
        assertEquals(1, m.mostlyLost());
        assertEquals(2, m.numMisses());

        MotMetrics noGt = official(List.of(), List.of(box(1, 1, 0, 0, 10, 10), box(1, 2, 50, 0, 10, 10)));
        assertEquals(-2.0, noGt.mota()); // (TP - FP - IDSW) / max(1, 0)
        assertEquals(0.0, noGt.recall());

        SequenceEvaluation empty = MotEvaluator.evaluate("a", gt, null, List.of(), null, Benchmark.MOT15);
        SequenceEvaluation full = MotEvaluator.evaluate("b", gt, null, gt, null, Benchmark.MOT15);
        MotMetrics overall = SequenceEvaluation.combine("overall", List.of(empty, full)).metrics();
        assertEquals(0.5, overall.mota(), 1e-12);
        assertEquals(0.0, overall.motp(), 1e-12); // the IoU sum over the matches of both
        SequenceEvaluation compatFull = MotEvaluator.evaluate("c", gt, null, gt, null, Benchmark.MOT15,
                MetricMode.PY_MOTMETRICS);
        assertThrows(IllegalArgumentException.class,
                () -> SequenceEvaluation.combine("mixed", List.of(full, compatFull)));
    }
}
