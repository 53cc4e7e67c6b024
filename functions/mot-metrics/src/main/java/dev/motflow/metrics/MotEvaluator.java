package dev.motflow.metrics;

import dev.motflow.mot.MotFile;
import dev.motflow.mot.MotFormatException;
import dev.motflow.mot.MotRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Scores a tracker result against ground truth: CLEAR MOT and Identity as py-motmetrics 1.4.0
 * computes them (IoU distance, matches need IoU &gt;= 0.5), HOTA as TrackEval 1.3.0 does, with the
 * MOTChallenge rules of the chosen {@link Benchmark}. Thread-safe (no shared state).
 *
 * <pre>{@code
 * SequenceEvaluation a = MotEvaluator.evaluate(gtA, resultA, Benchmark.MOT17);
 * SequenceEvaluation b = MotEvaluator.evaluate(gtB, resultB, Benchmark.MOT17);
 * MotMetrics overall = SequenceEvaluation.combine("overall", List.of(a, b)).metrics();
 * }</pre>
 */
public final class MotEvaluator {
    private MotEvaluator() {
    }

    /**
     * Reads and scores two MOTChallenge files; the sequence is named after the result file (without
     * extension). Malformed input, an id repeated within a frame, or (MOT16/17/20) a ground-truth
     * class outside 1..13 or a result class other than pedestrian is a {@link MotFormatException}
     * naming the file and line.
     */
    public static SequenceEvaluation evaluate(Path gtFile, Path resultFile, Benchmark benchmark) throws IOException {
        List<MotRow> gt = MotFile.read(gtFile);
        List<MotRow> result = MotFile.read(resultFile);
        return evaluate(sequenceName(resultFile), gt, gtFile, result, resultFile, benchmark);
    }

    /**
     * Scores rows already in memory. {@code gtFile} / {@code resultFile} only label errors (may be
     * null); the line of an error is the row's index + 1.
     */
    public static SequenceEvaluation evaluate(String name, List<MotRow> gt, Path gtFile, List<MotRow> result,
                                              Path resultFile, Benchmark benchmark) throws MotFormatException {
        Preprocessing.Prepared prepared = Preprocessing.prepare(gt, gtFile, result, resultFile, benchmark);
        ClearCounts clear = ClearMot.compute(prepared.clear());
        HotaCounts hota = Hota.compute(prepared.hota());
        return new SequenceEvaluation(name, clear, hota);
    }

    /** All metrics of in-memory rows. */
    public static MotMetrics metrics(List<MotRow> gt, List<MotRow> result, Benchmark benchmark)
            throws MotFormatException {
        return evaluate("sequence", gt, null, result, null, benchmark).metrics();
    }

    /** The result file's name without its extension ({@code MOT17-02-DPM.txt -> MOT17-02-DPM}). */
    public static String sequenceName(Path resultFile) {
        String file = resultFile.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}
