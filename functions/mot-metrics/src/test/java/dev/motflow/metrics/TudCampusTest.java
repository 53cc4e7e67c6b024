package dev.motflow.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.motflow.mot.TestData;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The published reference values of ../shared/testdata/README.md (py-motmetrics with --compat, TrackEval). */
class TudCampusTest {
    private static final double TOL = 1e-4;

    @Test
    void matchesPublishedReferenceValues() throws IOException {
        SequenceEvaluation e = MotEvaluator.evaluate(TestData.file("mot15/TUD-Campus/gt.txt"),
                TestData.file("mot15/TUD-Campus/result-cem.txt"), Benchmark.MOT15, MetricMode.PY_MOTMETRICS);
        assertEquals("result-cem", e.name());
        MotMetrics m = e.metrics();
        assertEquals(0.557659, m.idf1(), TOL);
        assertEquals(0.729730, m.idp(), TOL);
        assertEquals(0.451253, m.idr(), TOL);
        assertEquals(0.582173, m.recall(), TOL);
        assertEquals(0.941441, m.precision(), TOL);
        assertEquals(8, m.numUniqueObjects());
        assertEquals(1, m.mostlyTracked());
        assertEquals(6, m.partiallyTracked());
        assertEquals(1, m.mostlyLost());
        assertEquals(13, m.numFalsePositives());
        assertEquals(150, m.numMisses());
        assertEquals(7, m.numSwitches());
        assertEquals(7, m.numFragmentations());
        assertEquals(0.526462, m.mota(), TOL);
        assertEquals(0.277201, m.motp(), TOL);
        assertEquals(0.3914, m.hota(), TOL);
        assertEquals(0.4181, m.deta(), TOL);
        assertEquals(0.3691, m.assa(), TOL);
        assertEquals(0.7701, m.loca(), TOL);
    }

    @Test
    void combiningASequenceWithItselfKeepsRatiosAndDoublesCounts() throws IOException {
        SequenceEvaluation e = MotEvaluator.evaluate(TestData.file("mot15/TUD-Campus/gt.txt"),
                TestData.file("mot15/TUD-Campus/result-cem.txt"), Benchmark.MOT15);
        MotMetrics one = e.metrics();
        MotMetrics two = SequenceEvaluation.combine("overall", List.of(e, e)).metrics();
        assertEquals(2 * one.numUniqueObjects(), two.numUniqueObjects());
        assertEquals(2 * one.numSwitches(), two.numSwitches());
        assertEquals(2 * one.numFragmentations(), two.numFragmentations());
        assertEquals(one.mota(), two.mota(), 1e-12);
        assertEquals(one.motp(), two.motp(), 1e-12);
        assertEquals(one.idf1(), two.idf1(), 1e-12);
        assertEquals(one.hota(), two.hota(), 1e-12);
        assertEquals(one.loca(), two.loca(), 1e-12);
    }
}
