package dev.motflow.bench;

import dev.motflow.metrics.Benchmark;
import dev.motflow.metrics.MetricMode;
import dev.motflow.metrics.MotEvaluator;
import dev.motflow.metrics.MotMetrics;
import dev.motflow.mot.MotFormatException;
import dev.motflow.mot.MotRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * All metrics (CLEAR MOT, Identity, HOTA) of one generated 600-frame sequence with 30 ground-truth
 * objects per frame and a tracker output with noise, misses, false positives, identity swaps and
 * fragments. Goal: &lt;= 200 ms per sequence. {@code rules=MOT17} adds the distractor preprocessing
 * (3 of the 30 objects per frame are static people, class 7).
 *
 * <p>Run: {@code ./motflow bench MetricsBenchmark -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MetricsBenchmark {
    static final int FRAMES = 600;
    static final int OBJECTS = 30;

    @Param({"MOT15", "MOT17"})
    public String rules;

    /** CLEAR MOT / Identity definitions: the default (TrackEval's) or {@code --compat py-motmetrics}. */
    @Param({"trackeval", "py-motmetrics"})
    public String definitions;

    private List<MotRow> gt;
    private List<MotRow> result;
    private Benchmark benchmark;
    private MetricMode mode;

    @Setup
    public void generate() {
        benchmark = Benchmark.parse(rules);
        mode = MetricMode.parse(definitions);
        Random rnd = new Random(42);
        gt = new ArrayList<>(FRAMES * OBJECTS);
        result = new ArrayList<>(FRAMES * OBJECTS);
        double[] x = new double[OBJECTS];
        double[] y = new double[OBJECTS];
        double[] vx = new double[OBJECTS];
        double[] vy = new double[OBJECTS];
        double[] w = new double[OBJECTS];
        int[] gtId = new int[OBJECTS];
        int[] trackId = new int[OBJECTS];
        int nextGtId = 1;
        int nextTrackId = 1;
        for (int o = 0; o < OBJECTS; o++) {
            gtId[o] = nextGtId++;
            trackId[o] = nextTrackId++;
            respawn(rnd, o, x, y, vx, vy, w);
        }
        for (int f = 1; f <= FRAMES; f++) {
            if (rnd.nextDouble() < 0.05) { // identity swap between two tracks
                int a = rnd.nextInt(OBJECTS);
                int b = rnd.nextInt(OBJECTS);
                int t = trackId[a];
                trackId[a] = trackId[b];
                trackId[b] = t;
            }
            for (int o = 0; o < OBJECTS; o++) {
                x[o] += vx[o];
                y[o] += vy[o];
                if (x[o] < 0 || x[o] > 1900 || y[o] < 0 || y[o] > 1000 || rnd.nextDouble() < 0.005) {
                    respawn(rnd, o, x, y, vx, vy, w); // leaves; a new object enters
                    gtId[o] = nextGtId++;
                    trackId[o] = nextTrackId++;
                }
                double h = 2.5 * w[o];
                int cls = o < 3 ? 7 : 1;
                gt.add(new MotRow(f, gtId[o], x[o], y[o], w[o], h, 1, cls, 1, -1));
                if (rnd.nextDouble() < 0.1) {
                    if (rnd.nextDouble() < 0.2) {
                        trackId[o] = nextTrackId++; // fragment: resumes under a new id
                    }
                    continue; // miss
                }
                double jitter = 0.08 * w[o];
                result.add(MotRow.result(f, trackId[o], x[o] + rnd.nextGaussian() * jitter,
                        y[o] + rnd.nextGaussian() * jitter, w[o] * (0.9 + 0.2 * rnd.nextDouble()),
                        h * (0.9 + 0.2 * rnd.nextDouble()), rnd.nextDouble()));
            }
            for (int k = rnd.nextInt(4); k > 0; k--) { // false positives
                double fw = 30 + 60 * rnd.nextDouble();
                result.add(MotRow.result(f, 100_000 + rnd.nextInt(1000) * 4 + k, 1800 * rnd.nextDouble(),
                        900 * rnd.nextDouble(), fw, 2.5 * fw, rnd.nextDouble()));
            }
        }
    }

    private static void respawn(Random rnd, int o, double[] x, double[] y, double[] vx, double[] vy, double[] w) {
        x[o] = 100 + 1700 * rnd.nextDouble();
        y[o] = 100 + 800 * rnd.nextDouble();
        vx[o] = 4 * rnd.nextGaussian();
        vy[o] = rnd.nextGaussian();
        w[o] = 30 + 70 * rnd.nextDouble();
    }

    @org.openjdk.jmh.annotations.Benchmark
    public MotMetrics allMetrics() throws MotFormatException {
        return MotEvaluator.metrics(gt, result, benchmark, mode);
    }
}
