package dev.motflow.bench;

import dev.motflow.tracking.Detections;
import dev.motflow.tracking.LinearAssignment;
import dev.motflow.tracking.Tracker;
import dev.motflow.tracking.TrackerConfig;
import dev.motflow.tracking.TrackerOutput;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One frame of online association in steady state: 30 confirmed tracks, 30 detections per frame,
 * 128-d embeddings for JDE. Goal: at most 50 us per frame on one core, and (almost) no allocation
 * per frame ({@code -prof gc}). Run: {@code ./motflow bench Association -f 1 -wi 3 -i 5 -prof gc}.
 *
 * <p>The scene: 30 people on a grid, each walking a circle of radius 40 px once every 240 frames,
 * so the frame sequence repeats without a jump and the tracker never starts or loses a track;
 * embeddings are a fixed vector per person plus fresh noise in every frame (precomputed).
 *
 * <p>On a shared, oversubscribed machine JMH's wall-clock times include time spent waiting for a
 * core; {@link #main} reports the thread's CPU time per frame instead:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.motflow.bench.AssociationBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AssociationBenchmark {
    static final int OBJECTS = 30;
    static final int DIM = 128;
    static final int PERIOD = 240;

    private Detections[] jdeFrames;
    private Detections[] boxFrames;
    private Tracker jde;
    private Tracker byteTrack;
    private Tracker byteTrackReference;
    private int jdeFrame;
    private int byteFrame;
    private int byteReferenceFrame;
    private double[] costs;
    private final LinearAssignment assignment = new LinearAssignment();

    @Setup(Level.Trial)
    public void setUp() {
        Random rnd = new Random(30);
        float[][] base = new float[OBJECTS][DIM];
        for (float[] b : base) {
            for (int k = 0; k < DIM; k++) {
                b[k] = (float) rnd.nextGaussian();
            }
        }
        jdeFrames = new Detections[PERIOD];
        boxFrames = new Detections[PERIOD];
        float[] emb = new float[DIM];
        for (int f = 0; f < PERIOD; f++) {
            Detections withEmb = new Detections(DIM, OBJECTS);
            Detections boxes = new Detections(0, OBJECTS);
            double angle = 2 * Math.PI * f / PERIOD;
            for (int o = 0; o < OBJECTS; o++) {
                double phase = o * 0.7;
                double x = 100 + (o % 6) * 220 + 40 * Math.cos(angle + phase);
                double y = 100 + (o / 6) * 240 + 40 * Math.sin(angle + phase);
                double score = 0.6 + 0.39 * ((o * 7 + f) % 10) / 10.0;
                for (int k = 0; k < DIM; k++) {
                    emb[k] = base[o][k] + (float) (rnd.nextGaussian() * 0.3);
                }
                withEmb.add(x, y, 50, 120, score, emb, 0);
                boxes.add(x, y, 50, 120, score);
            }
            jdeFrames[f] = withEmb;
            boxFrames[f] = boxes;
        }
        jde = new Tracker(TrackerConfig.jde(DIM));
        byteTrack = new Tracker(TrackerConfig.byteTrack());
        byteTrackReference = new Tracker(TrackerConfig.byteTrackLegacy());
        for (int f = 0; f < PERIOD; f++) {
            jde.update(jdeFrames[f]);
            byteTrack.update(boxFrames[f]);
            byteTrackReference.update(boxFrames[f]);
        }
        if (jde.update(jdeFrames[0]).size() != OBJECTS || byteTrack.update(boxFrames[0]).size() != OBJECTS
                || byteTrackReference.update(boxFrames[0]).size() != OBJECTS
                || jde.lastTrackId() != OBJECTS || byteTrack.lastTrackId() != OBJECTS) {
            throw new IllegalStateException("the benchmark scene is not in steady state");
        }
        jdeFrame = 1;
        byteFrame = 1;
        byteReferenceFrame = 1;
        costs = new double[OBJECTS * OBJECTS];
        for (int i = 0; i < costs.length; i++) {
            costs[i] = rnd.nextDouble() < 0.8 ? Double.POSITIVE_INFINITY : rnd.nextDouble() * 0.6;
        }
    }

    /** Full JDE/FairMOT update: predict, fused appearance+motion cost, assignment, IoU stages, lifecycle. */
    @Benchmark
    public int jdeFrame30x30Emb128() {
        TrackerOutput out = jde.update(jdeFrames[jdeFrame]);
        jdeFrame = jdeFrame + 1 == PERIOD ? 0 : jdeFrame + 1;
        return out.size();
    }

    /** Full update of motflow's appearance-free default ({@link TrackerConfig#byteTrack()}, IoU only). */
    @Benchmark
    public int byteTrackFrame30x30() {
        TrackerOutput out = byteTrack.update(boxFrames[byteFrame]);
        byteFrame = byteFrame + 1 == PERIOD ? 0 : byteFrame + 1;
        return out.size();
    }

    /** The same with ByteTrack's reference rules ({@link TrackerConfig#byteTrackLegacy()}), for comparison. */
    @Benchmark
    public int byteTrackReferenceFrame30x30() {
        TrackerOutput out = byteTrackReference.update(boxFrames[byteReferenceFrame]);
        byteReferenceFrame = byteReferenceFrame + 1 == PERIOD ? 0 : byteReferenceFrame + 1;
        return out.size();
    }

    /** The thresholded assignment alone on a sparse 30x30 cost matrix. */
    @Benchmark
    public int linearAssignment30x30() {
        return assignment.solve(costs, OBJECTS, OBJECTS, 0.4);
    }

    /** CPU time per operation (thread CPU clock), after a warm-up: 5 rounds of 200,000 frames each. */
    public static void main(String[] args) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AssociationBenchmark b = new AssociationBenchmark();
        b.setUp();
        int n = 200_000;
        long sink = 0;
        for (int round = 0; round < 6; round++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += b.jdeFrame30x30Emb128();
            }
            long c1 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += b.byteTrackFrame30x30();
            }
            long c2 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += b.byteTrackReferenceFrame30x30();
            }
            long c3 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += b.linearAssignment30x30();
            }
            long c4 = mx.getCurrentThreadCpuTime();
            if (round > 0) {
                System.out.printf(java.util.Locale.ROOT,
                        "CPU us/op: jdeFrame30x30Emb128 %.2f  byteTrackFrame30x30 %.2f  byteTrackReferenceFrame30x30 %.2f"
                                + "  linearAssignment30x30 %.2f%n",
                        (c1 - c0) / 1e3 / n, (c2 - c1) / 1e3 / n, (c3 - c2) / 1e3 / n, (c4 - c3) / 1e3 / n);
            }
        }
        if (sink == 42) {
            System.out.println();
        }
    }
}
