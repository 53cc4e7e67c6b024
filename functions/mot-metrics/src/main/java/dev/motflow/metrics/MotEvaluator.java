package dev.motflow.metrics;

import dev.motflow.mot.MotFile;
import dev.motflow.mot.MotFormatException;
import dev.motflow.mot.MotRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Scores a tracker result against ground truth with the MOTChallenge rules of the chosen
 * {@link Benchmark}: CLEAR MOT and Identity as TrackEval 1.3.0 computes them (the benchmark's
 * official numbers; {@link MetricMode#TRACKEVAL}, the default) or as py-motmetrics 1.4.0 does
 * ({@link MetricMode#PY_MOTMETRICS}); HOTA as TrackEval does in both. Thread-safe (no shared state).
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
        return evaluate(gtFile, resultFile, benchmark, MetricMode.TRACKEVAL);
    }

    /** As {@link #evaluate(Path, Path, Benchmark)} with the given CLEAR MOT / Identity definitions. */
    public static SequenceEvaluation evaluate(Path gtFile, Path resultFile, Benchmark benchmark, MetricMode mode)
            throws IOException {
        List<MotRow> gt = MotFile.read(gtFile);
        List<MotRow> result = MotFile.read(resultFile);
        return evaluate(sequenceName(resultFile), gt, gtFile, result, resultFile, benchmark, mode);
    }

    /**
     * Scores rows already in memory. {@code gtFile} / {@code resultFile} only label errors (may be
     * null); the line of an error is the row's index + 1.
     */
    public static SequenceEvaluation evaluate(String name, List<MotRow> gt, Path gtFile, List<MotRow> result,
                                              Path resultFile, Benchmark benchmark) throws MotFormatException {
        return evaluate(name, gt, gtFile, result, resultFile, benchmark, MetricMode.TRACKEVAL);
    }

    /** As {@link #evaluate(String, List, Path, List, Path, Benchmark)} with the given definitions. */
    public static SequenceEvaluation evaluate(String name, List<MotRow> gt, Path gtFile, List<MotRow> result,
                                              Path resultFile, Benchmark benchmark, MetricMode mode)
            throws MotFormatException {
        Preprocessing.Prepared prepared = Preprocessing.prepare(gt, gtFile, result, resultFile, benchmark);
        // TrackEval scores CLEAR and Identity on the same frames as HOTA; py-motmetrics on its own
        // loader's rows (boxes shifted, its MOT15 confidence filter).
        Frames trackEvalFrames = prepared.hota();
        ClearCounts clear = switch (mode) {
            case TRACKEVAL -> TrackEvalClear.compute(trackEvalFrames);
            case PY_MOTMETRICS -> ClearMot.compute(prepared.clear());
        };
        HotaCounts hota = Hota.compute(trackEvalFrames);
        return new SequenceEvaluation(name, clear, hota);
    }

    /** All metrics of in-memory rows (default definitions). */
    public static MotMetrics metrics(List<MotRow> gt, List<MotRow> result, Benchmark benchmark)
            throws MotFormatException {
        return metrics(gt, result, benchmark, MetricMode.TRACKEVAL);
    }

    /** All metrics of in-memory rows with the given definitions. */
    public static MotMetrics metrics(List<MotRow> gt, List<MotRow> result, Benchmark benchmark, MetricMode mode)
            throws MotFormatException {
        return evaluate("sequence", gt, null, result, null, benchmark, mode).metrics();
    }

    /** The result file's name without its extension ({@code MOT17-02-DPM.txt -> MOT17-02-DPM}). */
    public static String sequenceName(Path resultFile) {
        String file = resultFile.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}
