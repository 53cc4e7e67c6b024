package dev.motflow.tools.trackingeval;

import dev.motflow.metrics.Benchmark;
import dev.motflow.metrics.MotEvaluator;
import dev.motflow.metrics.MotMetrics;
import dev.motflow.mot.MotFile;
import dev.motflow.mot.MotRow;
import dev.motflow.mot.SeqInfo;
import dev.motflow.tracking.Detections;
import dev.motflow.tracking.Tracker;
import dev.motflow.tracking.TrackerConfig;
import dev.motflow.tracking.TrackerOutput;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * The appearance-free tracking table: runs ByteTrack configurations ("variants") over
 * (a) public detections with ground truth (MOT15 TUD-Campus, TUD-Stadtmitte; MOT17-02 and -04 Faster R-CNN) and
 * (b) seeded detections generated from ground truth (the 7 MOT17 train sequences of mot17-lift, MOT20-01):
 * misses and low scores that rise with occlusion, box jitter, false positives and score noise.
 * Prints HOTA / MOTA / IDF1 per set, their mean and worst set, and the tracker's time per frame.
 *
 * <p>Run with {@code tools/tracking-eval/run.sh [--variants a,b,...] [--sets name,...] [--data DIR]
 * [--track-thresh T] [--write-sets DIR] [--seed-salt S]} (see docs/tracking.md; {@code --write-sets} also writes the sets and
 * every variant's result as MOTChallenge files for other trackers and TrackEval: {@code ./motflow bench-trackers}). Everything is deterministic except the time column (wall
 * time of {@code Tracker.update} per frame, after a warm-up run on MOT17-04).
 */
public final class TrackingEval {

    /** One set: detections, ground truth, scoring rules and frame rate. */
    record EvalSet(String name, List<MotRow> dets, List<MotRow> gt, Benchmark benchmark, double fps, int frames,
                   int width, int height) {
    }

    /**
     * Named configurations. Each gets ByteTrack's reference configuration at the set's frame rate
     * ({@link TrackerConfig#byteTrackLegacy()}) and returns the one to run; "default" is motflow's
     * {@link TrackerConfig#byteTrack()}. The rows after "default" are the changes measured and not kept.
     */
    static final Map<String, UnaryOperator<TrackerConfig>> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put("bytetrack-reference", c -> c);
        VARIANTS.put("fuse-score", c -> c.withFuseScore(true));
        VARIANTS.put("low-refind-15", c -> c.withLowScoreRefindBuffer(15));
        VARIANTS.put("low-refind-30", c -> c.withLowScoreRefindBuffer(30));
        VARIANTS.put("unconfirmed-2", c -> c.withUnconfirmedBuffer(2));
        VARIANTS.put("refind30+fuse", c -> c.withLowScoreRefindBuffer(30).withFuseScore(true));
        VARIANTS.put("relative-aspect-noise", c -> c.withRelativeAspectNoise(true));
        VARIANTS.put("margin0", c -> c.withNewTrackMargin(0));
        // The defaults of earlier times are the current one without the width state (and without later changes).
        VARIANTS.put("fuse+refind30+unconfirmed2", c -> aspectState(c).withRelativeAspectNoise(false).withNewTrackMargin(0.1));
        VARIANTS.put("fuse+refind30+unconfirmed2+aspect", c -> aspectState(c).withNewTrackMargin(0.1));
        VARIANTS.put("low-score-confirm", c -> c.withLowScoreConfirm(true));
        VARIANTS.put("fuse+refind30+unconfirmed2+aspect+margin0", c -> aspectState(c).withLowScoreConfirm(false));
        VARIANTS.put("width-state-alone", c -> c.withWidthState(true));
        VARIANTS.put("aspect-state", TrackingEval::aspectState);
        VARIANTS.put("width-state", c -> aspectState(c).withWidthState(true));
        VARIANTS.put("default", c -> TrackerConfig.byteTrack().withFrameRate(c.frameRate()));
        // The default before the camera shift from the tracks (and the later changes: the short-track buffer, the
        // low-score floor, the nested-box limit).
        VARIANTS.put("no-camera-shift", c -> lowThresh(beforeNested(c), 0.1).withCameraShiftFromTracks(false)
                .withShortTrackLostBuffer(0));
        VARIANTS.put("no-short-track-buffer", c -> lowThresh(beforeNested(c), 0.1).withShortTrackLostBuffer(0));
        // The default before the low-score floor of 0 (ByteTrack's 0.1) and the nested-box limit.
        VARIANTS.put("default+low0.1", c -> lowThresh(beforeNested(c), 0.1));
        // The default before the nested-box limit, and the limit at other values.
        VARIANTS.put("no-nested-box-limit", TrackingEval::beforeNested);
        // The default before the rematch after the camera shift.
        VARIANTS.put("no-rematch", c -> dflt(c).withRematchAfterShift(false).withReportMissedFrame(false));
        // The default before the missed-frame report.
        VARIANTS.put("no-report-missed", c -> dflt(c).withReportMissedFrame(false));
        VARIANTS.put("default+nested0.8", c -> dflt(c).withNestedBoxLimit(0.8));
        VARIANTS.put("default+nested0.95", c -> dflt(c).withNestedBoxLimit(0.95));
        VARIANTS.put("default+short-track-buffer6", c -> dflt(c).withShortTrackLostBuffer(6));
        VARIANTS.put("default+short-track-buffer15", c -> dflt(c).withShortTrackLostBuffer(15));
        VARIANTS.put("default+refind60", c -> dflt(c).withLowScoreRefindBuffer(60));
        VARIANTS.put("default+refind5", c -> dflt(c).withLowScoreRefindBuffer(5));
        VARIANTS.put("default+refind10", c -> dflt(c).withLowScoreRefindBuffer(10));
        VARIANTS.put("default+refind15", c -> dflt(c).withLowScoreRefindBuffer(15));
        VARIANTS.put("default+unconfirmed3", c -> dflt(c).withUnconfirmedBuffer(3));
        VARIANTS.put("default+margin0.1", c -> dflt(c).withNewTrackMargin(0.1));
        VARIANTS.put("default+margin0.2", c -> dflt(c).withNewTrackMargin(0.2));
        VARIANTS.put("default+track0.4", c -> dflt(c).withTrackThresh(0.4));
        VARIANTS.put("default+track0.6", c -> dflt(c).withTrackThresh(0.6));
        VARIANTS.put("default+low0.05", c -> lowThresh(dflt(c), 0.05));
        VARIANTS.put("default+lowmatch0.4", c -> lowMatch(dflt(c), 0.4));
        VARIANTS.put("default+lowmatch0.6", c -> lowMatch(dflt(c), 0.6));
        VARIANTS.put("default+match0.7", c -> match(dflt(c), 0.7));
        VARIANTS.put("default+match0.9", c -> match(dflt(c), 0.9));
    }

    static TrackerConfig dflt(TrackerConfig reference) {
        return TrackerConfig.byteTrack().withFrameRate(reference.frameRate());
    }

    /** The default before the width state: the Kalman filter on the aspect ratio, its noise relative to it. */
    static TrackerConfig aspectState(TrackerConfig reference) {
        return lowThresh(beforeNested(reference), 0.1).withWidthState(false).withCameraShiftFromTracks(false)
                .withShortTrackLostBuffer(0);
    }

    /**
     * The default before the nested-box limit (every box left over may start a track), the rematch and the
     * missed-frame report.
     */
    static TrackerConfig beforeNested(TrackerConfig reference) {
        return dflt(reference).withNestedBoxLimit(0).withRematchAfterShift(false).withReportMissedFrame(false);
    }

    static TrackerConfig lowThresh(TrackerConfig c, double v) {
        return new TrackerConfig(c.policy(), c.frameRate(), c.trackBuffer(), c.embeddingDim(), c.detThresh(),
                c.embeddingMatchThresh(), c.motionLambda(), c.featureMomentum(), c.iouMatchThresh(), c.trackThresh(),
                v, c.matchThresh(), c.lowMatchThresh(), c.newTrackMargin(), c.fuseScore(), c.unconfirmedThresh(),
                c.duplicateThresh(), c.lowScoreRefindBuffer(), c.unconfirmedBuffer(), c.relativeAspectNoise(),
                c.lowScoreConfirm(), c.maxLostSeconds(), c.reidAfterSeconds(), c.reidThresh(),
                c.widthState(), c.cameraShiftFromTracks(), c.shortTrackLostBuffer(), c.nestedBoxLimit(),
                c.rematchAfterShift(), c.reportMissedFrame());
    }

    static TrackerConfig lowMatch(TrackerConfig c, double v) {
        return new TrackerConfig(c.policy(), c.frameRate(), c.trackBuffer(), c.embeddingDim(), c.detThresh(),
                c.embeddingMatchThresh(), c.motionLambda(), c.featureMomentum(), c.iouMatchThresh(), c.trackThresh(),
                c.lowThresh(), c.matchThresh(), v, c.newTrackMargin(), c.fuseScore(), c.unconfirmedThresh(),
                c.duplicateThresh(), c.lowScoreRefindBuffer(), c.unconfirmedBuffer(), c.relativeAspectNoise(),
                c.lowScoreConfirm(), c.maxLostSeconds(), c.reidAfterSeconds(), c.reidThresh(),
                c.widthState(), c.cameraShiftFromTracks(), c.shortTrackLostBuffer(), c.nestedBoxLimit(),
                c.rematchAfterShift(), c.reportMissedFrame());
    }

    static TrackerConfig match(TrackerConfig c, double v) {
        return new TrackerConfig(c.policy(), c.frameRate(), c.trackBuffer(), c.embeddingDim(), c.detThresh(),
                c.embeddingMatchThresh(), c.motionLambda(), c.featureMomentum(), c.iouMatchThresh(), c.trackThresh(),
                c.lowThresh(), v, c.lowMatchThresh(), c.newTrackMargin(), c.fuseScore(), c.unconfirmedThresh(),
                c.duplicateThresh(), c.lowScoreRefindBuffer(), c.unconfirmedBuffer(), c.relativeAspectNoise(),
                c.lowScoreConfirm(), c.maxLostSeconds(), c.reidAfterSeconds(), c.reidThresh(),
                c.widthState(), c.cameraShiftFromTracks(), c.shortTrackLostBuffer(), c.nestedBoxLimit(),
                c.rematchAfterShift(), c.reportMissedFrame());
    }

    /** --det-boxes: write each matched detection's box instead of the track's Kalman box (measured, not kept). */
    static boolean detBoxes;

    public static void main(String[] args) throws Exception {
        Path data = Path.of("../shared/testdata");
        List<String> variants = new ArrayList<>(VARIANTS.keySet());
        List<String> only = null;
        Double trackThresh = null;
        Path writeSets = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--variants" -> variants = List.of(args[++i].split(","));
                case "--sets" -> only = List.of(args[++i].split(","));
                case "--track-thresh" -> trackThresh = Double.parseDouble(args[++i]);
                case "--write-sets" -> writeSets = Path.of(args[++i]);
                case "--det-boxes" -> detBoxes = true;
                case "--seed-salt" -> seedSalt = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (--data DIR, --variants a,b, --sets s1,s2, --track-thresh T, --write-sets DIR, --det-boxes)");
            }
        }
        for (String v : variants) {
            if (!VARIANTS.containsKey(v)) {
                throw new IllegalArgumentException("unknown variant " + v + "; known: " + VARIANTS.keySet());
            }
        }
        List<EvalSet> sets = loadSets(data, only);
        System.out.printf(Locale.ROOT, "%d sets: %s%n", sets.size(), sets.stream().map(EvalSet::name).toList());
        if (writeSets != null) {
            writeSets(writeSets, sets, variants);
        }
        // Warm the JIT up on the largest set first, so that the first variant's time is not the compiler's.
        for (EvalSet s : sets) {
            if (s.name().startsWith("MOT17-04")) {
                track(s, TrackerConfig.byteTrack().withFrameRate(s.fps()), new long[2]);
            }
        }
        List<double[]> summaries = new ArrayList<>();
        for (String v : variants) {
            UnaryOperator<TrackerConfig> variant = VARIANTS.get(v);
            if (trackThresh != null) {
                double t = trackThresh;
                variant = c -> VARIANTS.get(v).apply(c).withTrackThresh(t);
            }
            summaries.add(runVariant(v, variant, sets, writeSets));
        }
        System.out.println();
        System.out.println("| variant | mean HOTA | mean MOTA | mean IDF1 | worst HOTA | worst MOTA | worst IDF1 | us/frame |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int k = 0; k < variants.size(); k++) {
            double[] s = summaries.get(k);
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f |%n", variants.get(k),
                    100 * s[0], 100 * s[1], 100 * s[2], 100 * s[3], 100 * s[4], 100 * s[5], s[6]);
        }
    }

    /** Returns mean HOTA, MOTA, IDF1, worst HOTA, MOTA, IDF1, microseconds per frame. */
    static double[] runVariant(String name, UnaryOperator<TrackerConfig> variant, List<EvalSet> sets, Path writeSets)
            throws Exception {
        double[] sum = new double[3];
        double[] worst = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        long nanos = 0;
        long frames = 0;
        System.out.printf(Locale.ROOT, "%n== %s%n", name);
        for (EvalSet s : sets) {
            TrackerConfig config = variant.apply(TrackerConfig.byteTrackLegacy().withFrameRate(s.fps()));
            long[] time = new long[2];
            // A warm-up pass over the same set first, so that the timed pass measures compiled code, not the
            // JIT's work (the small sets are over before it finishes); the two passes give the same result.
            track(s, config, time);
            List<MotRow> result = track(s, config, time);
            nanos += time[0];
            frames += s.frames();
            if (writeSets != null) {
                MotFile.write(writeSets.resolve(s.name()).resolve(name + ".txt"), result);
                // Wall and thread CPU time of Tracker.update over the warm pass, for the side-by-side table's
                // frames per second (CPU time: less dependent on how many other processes share the cores).
                Files.writeString(writeSets.resolve("timings.tsv"), String.join("\t", name, s.name(),
                        Integer.toString(s.frames()), Long.toString(time[0]), Long.toString(time[1])) + "\n",
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            MotMetrics m = MotEvaluator.metrics(s.gt(), result, s.benchmark());
            double[] v = {m.hota(), m.mota(), m.idf1()};
            for (int k = 0; k < 3; k++) {
                sum[k] += v[k];
                worst[k] = Math.min(worst[k], v[k]);
            }
            System.out.printf(Locale.ROOT, "%-16s HOTA %5.2f  MOTA %6.2f  IDF1 %5.2f  FP %6d  FN %6d  IDSW %5d%n", s.name(),
                    100 * m.hota(), 100 * m.mota(), 100 * m.idf1(), m.numFalsePositives(), m.numMisses(), m.numSwitches());
        }
        int n = sets.size();
        double[] out = {sum[0] / n, sum[1] / n, sum[2] / n, worst[0], worst[1], worst[2], nanos / 1e3 / frames};
        System.out.printf(Locale.ROOT, "%-16s HOTA %5.2f  MOTA %6.2f  IDF1 %5.2f  (worst %.2f / %.2f / %.2f)  %.1f us/frame%n",
                "mean", 100 * out[0], 100 * out[1], 100 * out[2], 100 * out[3], 100 * out[4], 100 * out[5], out[6]);
        return out;
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * Runs the tracker over every frame (empty ones too); {@code time[0]} receives the wall nanoseconds spent in
     * update, {@code time[1]} this thread's CPU nanoseconds in update (-1 where the JVM cannot measure it).
     */
    static List<MotRow> track(EvalSet s, TrackerConfig config, long[] time) {
        List<MotRow> dets = s.dets();
        Tracker tracker = new Tracker(config);
        Detections frame = new Detections(0);
        List<MotRow> out = new ArrayList<>();
        int next = 0;
        long nanos = 0;
        long cpuNanos = 0;
        boolean cpu = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
        for (int f = 1; f <= s.frames(); f++) {
            frame.clear();
            while (next < dets.size() && dets.get(next).frame() == f) {
                MotRow r = dets.get(next++);
                frame.add(r.x(), r.y(), r.w(), r.h(), r.conf());
            }
            long c0 = cpu ? THREADS.getCurrentThreadCpuTime() : 0;
            long t0 = System.nanoTime();
            TrackerOutput o = tracker.update(frame);
            nanos += System.nanoTime() - t0;
            if (cpu) {
                cpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
            }
            if (detBoxes) {
                for (int i = 0; i < o.detectionCount(); i++) {
                    int id = o.trackIdForDetection(i);
                    if (id > 0) {
                        out.add(MotRow.result(f, id, frame.x(i), frame.y(i), frame.w(i), frame.h(i), frame.score(i)));
                    }
                }
            } else {
                for (int i = 0; i < o.size(); i++) {
                    out.add(MotRow.result(f, o.id(i), o.x(i), o.y(i), o.w(i), o.h(i), o.score(i)));
                }
            }
        }
        time[0] = nanos;
        time[1] = cpu ? cpuNanos : -1;
        return out;
    }

    static List<EvalSet> loadSets(Path data, List<String> only) throws Exception {
        List<EvalSet> sets = new ArrayList<>();
        for (String tud : List.of("TUD-Campus", "TUD-Stadtmitte")) {
            Path dir = data.resolve("mot15").resolve(tud);
            List<MotRow> gt = MotFile.read(dir.resolve("gt.txt"));
            List<MotRow> dets = byFrame(MotFile.read(dir.resolve("det.txt")));
            int frames = SeqInfo.read(dir.resolve("seqinfo.ini")).seqLength();
            // The TUD recordings are 25 fps, 640x480; their seqinfo.ini lacks both.
            sets.add(new EvalSet(tud, dets, gt, Benchmark.MOT15, 25, frames, 640, 480));
        }
        // MOT17's public Faster R-CNN detections of two sequences (mot17-frames), scored against the full
        // ground truth of mot17-lift. The published det.txt files are not sorted by frame.
        for (String seq : List.of("MOT17-02", "MOT17-04")) {
            Path dir = data.resolve("mot17-frames").resolve(seq + "-FRCNN");
            SeqInfo info = SeqInfo.read(dir.resolve("seqinfo.ini"));
            List<MotRow> gt = MotFile.read(data.resolve("mot17-lift/gt").resolve(seq).resolve("gt.txt"));
            List<MotRow> dets = byFrame(MotFile.read(dir.resolve("det/det.txt")));
            sets.add(new EvalSet(seq + "-FRCNN", dets, gt, Benchmark.MOT17, info.frameRate().orElse(30), info.seqLength(),
                    info.imWidth().orElse(1920), info.imHeight().orElse(1080)));
        }
        for (String seq : List.of("MOT17-02", "MOT17-04", "MOT17-05", "MOT17-09", "MOT17-10", "MOT17-11", "MOT17-13")) {
            Path dir = data.resolve("mot17-lift/gt").resolve(seq);
            SeqInfo info = SeqInfo.read(dir.resolve("seqinfo.ini"));
            List<MotRow> gt = MotFile.read(dir.resolve("gt.txt"));
            sets.add(new EvalSet(seq + "-gen", generate(gt, info.seqLength(), seed(seq)), gt, Benchmark.MOT17,
                    info.frameRate().orElse(30), info.seqLength(), info.imWidth().orElse(1920), info.imHeight().orElse(1080)));
        }
        List<MotRow> gt20 = MotFile.read(data.resolve("mot20-01/gt.txt"));
        int frames20 = gt20.stream().mapToInt(MotRow::frame).max().orElse(0);
        // MOT20-01 is 25 fps, 1920x1080 (its seqinfo.ini is not in the shared data).
        sets.add(new EvalSet("MOT20-01-gen", generate(gt20, frames20, seed("MOT20-01")), gt20, Benchmark.MOT20, 25, frames20,
                1920, 1080));
        if (only != null) {
            for (String name : only) {
                if (sets.stream().noneMatch(s -> s.name().equals(name))) {
                    throw new IllegalArgumentException("unknown set " + name + "; known: "
                            + sets.stream().map(EvalSet::name).toList());
                }
            }
            sets.removeIf(s -> !only.contains(s.name()));
        }
        return sets;
    }

    /**
     * Writes every set as a MOTChallenge sequence folder, so that other trackers run on exactly these
     * detections: {@code DIR/<set>/det/det.txt} (with scores), {@code gt/gt.txt}, {@code seqinfo.ini}
     * (frameRate, seqLength, imWidth, imHeight), and {@code DIR/sets.tsv}: one line per set with its
     * name, scoring rules (MOT15/MOT17/MOT20), frame rate, length and the variants written beside it
     * ({@code DIR/<set>/<variant>.txt}, by {@link #runVariant}, which also appends the wall and thread CPU
     * nanoseconds spent in {@code Tracker.update} on the warm pass per variant and set to {@code DIR/timings.tsv}).
     */
    static void writeSets(Path dir, List<EvalSet> sets, List<String> variants) throws Exception {
        Files.createDirectories(dir);
        StringBuilder index = new StringBuilder("set\tbenchmark\tframe_rate\tframes\tvariants\n");
        for (EvalSet s : sets) {
            Path seq = dir.resolve(s.name());
            MotFile.write(seq.resolve("det/det.txt"), s.dets());
            MotFile.write(seq.resolve("gt/gt.txt"), s.gt());
            SeqInfo.of(s.name(), s.frames(), s.fps(), s.width(), s.height()).write(seq.resolve("seqinfo.ini"));
            index.append(String.join("\t", s.name(), s.benchmark().name(), Double.toString(s.fps()),
                    Integer.toString(s.frames()), String.join(",", variants))).append('\n');
        }
        Files.writeString(dir.resolve("sets.tsv"), index.toString());
        Files.writeString(dir.resolve("timings.tsv"), "variant\tset\tframes\tnanos\tcpu_nanos\n");
        System.out.printf(Locale.ROOT, "wrote %d sets to %s%n", sets.size(), dir);
    }

    /**
     * --seed-salt S: appended to each generated set's name before hashing it to a seed, so the same sets can be
     * drawn again with other misses, jitter and false positives (a robustness check; the tables use none).
     */
    static String seedSalt = "";

    static long seed(String name) {
        long h = 1125899906842597L;
        for (char c : (name + seedSalt).toCharArray()) {
            h = 31 * h + c;
        }
        return h;
    }

    static List<MotRow> byFrame(List<MotRow> rows) {
        List<MotRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(MotRow::frame));
        return sorted;
    }

    /**
     * Detections made from ground truth, seeded. Every person-like box (pedestrian, person on vehicle,
     * static person; distractor matches are removed by the scorer) has an "effective visibility":
     * its visibility plus a slowly varying per-person disturbance (AR(1), so misses and low scores come
     * in runs as with a real detector). It is detected with probability 0.1 at visibility 0 rising to
     * 0.95 at 0.7 and above; its score is 0.35 + 0.6 x visibility plus noise (occluded people score
     * low); its box is jittered (position ~4% / 3% of the size, size ~5%). False positives, about
     * 0.5 + 3% of the people per frame, are shifted and rescaled copies of people's boxes, mostly with
     * low scores. Detections below 0.1 are dropped (a detector's output cut).
     */
    static List<MotRow> generate(List<MotRow> gt, int frames, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<List<MotRow>> perFrame = new ArrayList<>();
        for (int f = 0; f <= frames; f++) {
            perFrame.add(new ArrayList<>());
        }
        for (MotRow r : gt) {
            int c = r.classId();
            if (r.frame() <= frames && (c == 1 || c == 2 || c == 7)) {
                perFrame.get(r.frame()).add(r);
            }
        }
        Map<Integer, Double> disturbance = new HashMap<>();
        List<MotRow> out = new ArrayList<>();
        for (int f = 1; f <= frames; f++) {
            List<MotRow> people = perFrame.get(f);
            people.sort(Comparator.comparingInt(MotRow::id)); // a fixed order, so the draws are reproducible
            for (MotRow p : people) {
                double z = disturbance.getOrDefault(p.id(), gauss(rnd));
                z = 0.9 * z + Math.sqrt(1 - 0.81) * gauss(rnd);
                disturbance.put(p.id(), z);
                double vis = clamp(p.visibility() + 0.15 * z, 0, 1);
                double pDetect = vis >= 0.7 ? 0.95 : 0.1 + 0.85 * vis / 0.7;
                if (rnd.nextDouble() >= pDetect) {
                    continue;
                }
                double score = clamp(0.35 + 0.6 * vis + 0.08 * gauss(rnd), 0.02, 0.99);
                double w = p.w() * Math.exp(0.05 * gauss(rnd));
                double h = p.h() * Math.exp(0.04 * gauss(rnd));
                double cx = p.x() + p.w() / 2 + 0.04 * p.w() * gauss(rnd);
                double cy = p.y() + p.h() / 2 + 0.03 * p.h() * gauss(rnd);
                add(out, f, cx - w / 2, cy - h / 2, w, h, score);
            }
            int fp = poisson(rnd, 0.5 + 0.03 * people.size());
            for (int k = 0; k < fp && !people.isEmpty(); k++) {
                MotRow p = people.get(rnd.nextInt(people.size()));
                double w = p.w() * Math.exp(0.3 * gauss(rnd));
                double h = p.h() * Math.exp(0.3 * gauss(rnd));
                double x = p.x() + p.w() * 1.5 * gauss(rnd);
                double y = p.y() + p.h() * 0.4 * gauss(rnd);
                double score = rnd.nextDouble() < 0.1 ? 0.5 + 0.4 * rnd.nextDouble() : 0.05 + 0.5 * rnd.nextDouble();
                add(out, f, x, y, w, h, score);
            }
        }
        return out;
    }

    private static void add(List<MotRow> out, int f, double x, double y, double w, double h, double score) {
        if (score >= 0.1 && w > 1 && h > 1) {
            out.add(MotRow.detection(f, round(x), round(y), round(w), round(h), Math.round(score * 1e4) / 1e4, null));
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double gauss(SplittableRandom rnd) {
        // Box-Muller from two uniforms (SplittableRandom has no nextGaussian before Java 17's RandomGenerator default).
        double u = 1 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static int poisson(SplittableRandom rnd, double lambda) {
        double l = Math.exp(-lambda);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= rnd.nextDouble();
        } while (p > l);
        return k - 1;
    }
}
