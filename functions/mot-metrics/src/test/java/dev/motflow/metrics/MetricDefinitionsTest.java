package dev.motflow.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.motflow.mot.MotFormatException;
import dev.motflow.mot.MotRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Small hand-worked cases for each rule of the py-motmetrics definitions ({@code --compat py-motmetrics}). */
class MetricDefinitionsTest {
    private static MotRow box(int frame, int id, double x, double y, double w, double h) {
        return MotRow.result(frame, id, x, y, w, h, 1);
    }

    private static MotRow gt(int frame, int id, double x, double y, double w, double h, int conf, int cls) {
        return new MotRow(frame, id, x, y, w, h, conf, cls, 1, -1);
    }

    private static MotMetrics mot15(List<MotRow> gt, List<MotRow> res) throws MotFormatException {
        return MotEvaluator.metrics(gt, res, Benchmark.MOT15, MetricMode.PY_MOTMETRICS);
    }

    @Test
    void perfectTrackingScoresOne() throws MotFormatException {
        List<MotRow> gt = new ArrayList<>();
        for (int f = 1; f <= 10; f++) {
            gt.add(box(f, 1, 10 * f, 20, 40, 100));
            gt.add(box(f, 2, 500 - 10 * f, 30, 50, 120));
        }
        List<MotRow> res = gt.stream().map(r -> r.withId(r.id() + 10)).toList();
        MotMetrics m = mot15(gt, res);
        assertEquals(1.0, m.mota());
        assertEquals(0.0, m.motp());
        assertEquals(1.0, m.idf1());
        assertEquals(2, m.mostlyTracked());
        assertEquals(1.0, m.hota(), 1e-12);
        assertEquals(1.0, m.deta(), 1e-12);
        assertEquals(1.0, m.assa(), 1e-12);
        assertEquals(1.0, m.loca(), 1e-12);
    }

    @Test
    void anEarlierPairingIsKeptWhileStillValidEvenIfAnotherBoxFitsBetter() throws MotFormatException {
        List<MotRow> gt = List.of(box(1, 1, 0, 0, 10, 10), box(2, 1, 0, 0, 10, 10));
        List<MotRow> res = List.of(box(1, 7, 0, 0, 10, 10),
                box(2, 7, 0, 0, 10, 6),    // IoU 0.6: still valid, kept
                box(2, 8, 0, 0, 10, 10));  // perfect, but a false positive
        MotMetrics m = mot15(gt, res);
        assertEquals(0, m.numSwitches());
        assertEquals(1, m.numFalsePositives());
        assertEquals(0.2, m.motp(), 1e-12); // (0 + 0.4) / 2
    }

    @Test
    void switchFragmentationAndIdentityOnOneObject() throws MotFormatException {
        List<MotRow> gt = new ArrayList<>();
        List<MotRow> res = new ArrayList<>();
        for (int f = 1; f <= 6; f++) {
            gt.add(box(f, 1, 0, 0, 10, 10));
            if (f != 3) {
                res.add(box(f, f < 3 ? 5 : 6, 0, 0, 10, 10)); // id 5, a gap, then id 6
            }
        }
        MotMetrics m = mot15(gt, res);
        assertEquals(1, m.numSwitches());
        assertEquals(1, m.numFragmentations());
        assertEquals(1, m.numMisses());
        assertEquals(1, m.mostlyTracked()); // 5 of 6 frames
        assertEquals(2.0 / 3, m.mota(), 1e-12);
        assertEquals(2.0 * 3 / (6 + 5), m.idf1(), 1e-12); // best id mapping: gt 1 -> 6 (3 frames)
        assertEquals(3.0 / 5, m.idp(), 1e-12);
        assertEquals(3.0 / 6, m.idr(), 1e-12);
    }

    @Test
    void mostlyTrackedPartlyTrackedMostlyLostThresholds() throws MotFormatException {
        List<MotRow> gt = new ArrayList<>();
        List<MotRow> res = new ArrayList<>();
        int[] trackedFrames = {8, 7, 2, 1}; // of 10: 80% MT, 70% PT, 20% PT, 10% ML
        for (int o = 0; o < 4; o++) {
            for (int f = 1; f <= 10; f++) {
                gt.add(box(f, o + 1, 100 * o, 0, 10, 10));
                if (f <= trackedFrames[o]) {
                    res.add(box(f, o + 1, 100 * o, 0, 10, 10));
                }
            }
        }
        MotMetrics m = mot15(gt, res);
        assertEquals(1, m.mostlyTracked());
        assertEquals(2, m.partiallyTracked());
        assertEquals(1, m.mostlyLost());
        assertEquals(4, m.numUniqueObjects());
    }

    @Test
    void iouOfExactlyOneHalfStillMatches() throws MotFormatException {
        MotMetrics m = mot15(List.of(box(1, 1, 0, 0, 10, 10)), List.of(box(1, 2, 0, 0, 10, 5)));
        assertEquals(0, m.numMisses());
        assertEquals(0.5, m.motp(), 1e-12);
        MotMetrics below = mot15(List.of(box(1, 1, 0, 0, 10, 10)), List.of(box(1, 2, 0, 0, 10, 4.99)));
        assertEquals(1, below.numMisses());
        assertEquals(1, below.numFalsePositives());
    }

    @Test
    void hotaOfAnIdentitySwitchHalfway() throws MotFormatException {
        List<MotRow> gt = new ArrayList<>();
        List<MotRow> res = new ArrayList<>();
        for (int f = 1; f <= 10; f++) {
            gt.add(box(f, 1, 0, 0, 10, 10));
            res.add(box(f, f <= 5 ? 1 : 2, 0, 0, 10, 10));
        }
        MotMetrics m = mot15(gt, res);
        // Each of the two pairs is matched 5 times: A = 5 / (10 + 5 - 5) = 0.5, AssA = (5*0.5 + 5*0.5) / 10.
        assertEquals(1.0, m.deta(), 1e-12);
        assertEquals(0.5, m.assa(), 1e-12);
        assertEquals(Math.sqrt(0.5), m.hota(), 1e-12);
        assertEquals(1.0, m.loca(), 1e-12);
    }

    @Test
    void mot17RulesRemoveDistractorMatchesAndIgnoreNonTargets() throws MotFormatException {
        List<MotRow> gt = List.of(
                gt(1, 1, 0, 0, 50, 100, 1, 1),     // pedestrian: the only target
                gt(1, 2, 200, 0, 50, 100, 1, 7),   // static person: distractor
                gt(1, 3, 400, 0, 50, 100, 1, 3),   // car: not a target, not a distractor
                gt(1, 4, 600, 0, 50, 100, 0, 1),   // pedestrian marked conf 0: not a target
                gt(1, 5, 800, 0, 50, 100, 1, 6));  // non-MOT vehicle: distractor in MOT20 only
        List<MotRow> res = new ArrayList<>();
        for (MotRow g : gt) {
            res.add(box(1, g.id() + 10, g.x() + 1, g.y() + 1, g.w(), g.h()));
        }
        MotMetrics mot17 = MotEvaluator.metrics(gt, res, Benchmark.MOT17, MetricMode.PY_MOTMETRICS);
        assertEquals(1, mot17.numUniqueObjects());
        assertEquals(0, mot17.numMisses());
        assertEquals(3, mot17.numFalsePositives()); // car, conf-0 pedestrian, vehicle
        MotMetrics mot20 = MotEvaluator.metrics(gt, res, Benchmark.MOT20, MetricMode.PY_MOTMETRICS);
        assertEquals(2, mot20.numFalsePositives());
        MotMetrics mot15 = MotEvaluator.metrics(gt, res, Benchmark.MOT15, MetricMode.PY_MOTMETRICS);
        assertEquals(5, mot15.numUniqueObjects());
        assertEquals(0, mot15.numFalsePositives());
        // HOTA follows the same rules: 1 TP, 3 FP in MOT17 -> DetA = 1/4 at every alpha the IoU passes
        assertTrue(mot17.deta() < 0.26, Double.toString(mot17.deta()));
    }

    @Test
    void mot17RulesRejectGroundTruthWithoutClassesAndNonPedestrianResults() {
        MotFormatException noClass = assertThrows(MotFormatException.class, () -> MotEvaluator.metrics(
                List.of(box(1, 1, 0, 0, 10, 10), new MotRow(1, 2, 5, 5, 10, 10, 1, -1, -1, -1)),
                List.of(), Benchmark.MOT17));
        assertEquals(1, noClass.line());
        MotFormatException car = assertThrows(MotFormatException.class, () -> MotEvaluator.metrics(
                List.of(gt(1, 1, 0, 0, 10, 10, 1, 1)),
                List.of(box(1, 1, 0, 0, 10, 10), new MotRow(1, 2, 5, 5, 10, 10, 1, 3, -1, -1)), Benchmark.MOT17));
        assertEquals(2, car.line());
    }

    @Test
    void anEmptyResultHasUndefinedPrecisionAndMotpLikePyMotmetrics() throws MotFormatException {
        List<MotRow> gt = List.of(box(1, 1, 0, 0, 10, 10), box(2, 1, 0, 0, 10, 10));
        MotMetrics m = mot15(gt, List.of());
        assertEquals(0.0, m.mota());
        assertEquals(0.0, m.recall());
        assertTrue(Double.isNaN(m.precision()));
        assertTrue(Double.isNaN(m.motp()));
        assertEquals(0.0, m.hota());
        assertEquals(2, m.numMisses());

        SequenceEvaluation empty = MotEvaluator.evaluate("a", gt, null, List.of(), null, Benchmark.MOT15,
                MetricMode.PY_MOTMETRICS);
        SequenceEvaluation full = MotEvaluator.evaluate("b", gt, null, gt, null, Benchmark.MOT15, MetricMode.PY_MOTMETRICS);
        MotMetrics overall = SequenceEvaluation.combine("overall", List.of(empty, full)).metrics();
        assertEquals(0.5, overall.mota(), 1e-12);
        assertTrue(Double.isNaN(overall.motp()), "py-motmetrics' weighted MOTP propagates the NaN");
        assertEquals(Math.sqrt(0.5), overall.hota(), 1e-12); // DetA 2/4, AssA 1
    }
}
