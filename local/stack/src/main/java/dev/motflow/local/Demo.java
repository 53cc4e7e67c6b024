package dev.motflow.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.metrics.Benchmark;
import dev.motflow.metrics.MotEvaluator;
import dev.motflow.metrics.MotMetrics;

/**
 * {@code ./motflow demo}: synthetic data from the containers' generator -> the retraining workflow
 * (train, evaluate, gate, promote, deploy) -> a synthetic video tracked through the job path ->
 * MOTA / IDF1 / HOTA against its ground truth, with the time of each phase.
 */
final class Demo {
    /** Labelled synthetic sequences the demo uploads: all but the last train, the last validates. */
    static final int LABELLED_SEQUENCES = 9;
    static final String VALIDATION_SEQUENCE = String.format("SYN-0001-%02d", LABELLED_SEQUENCES);
    /** What the demo measured: phase timings (s), the run's outcome, the job and the metrics. */
    record Result(Map<String, Double> phases, String runStatus, VideoTracking.Tracked tracked, MotMetrics metrics) {
    }

    private final CommandContext ctx;
    private final PrintStream out;

    Demo(CommandContext ctx) {
        this.ctx = ctx;
        this.out = ctx.out();
    }

    /** Runs the demo with {@code frames} per synthetic sequence; the video's results go under {@code outDir} (null: ./out). */
    Result run(int frames, Path outDir) {
        Map<String, Double> phases = new LinkedHashMap<>();
        ConsoleReport report = new ConsoleReport(out);
        long all = System.nanoTime();
        out.println("""
                motflow demo: the whole system on this machine, no AWS account. The handlers are the Lambda code;
                DynamoDB = dynalite, S3 = s3rver, Step Functions = aws-local-stepfunctions, SageMaker = containers/ code
                as local processes on the CPU with small settings (resnet18, 160x96 input, 4 epochs, at most %d s):
                expect a weak model, this shows the pipeline, not the accuracy of a GPU-trained tracker.""".formatted(ctx.trainSeconds()));
        long t = System.nanoTime();
        try (LocalStack stack = StackConnection.startEmbedded(ctx)) {
            phases.put("start the local stack", CommandContext.secondsSince(t));

            t = System.nanoTime();
            Path demoDir = ctx.data().resolve("demo");
            S3Files.deleteTree(demoDir);
            Path labelled = demoDir.resolve("labelled");
            Path videoDir = demoDir.resolve("video");
            // Eight short training sequences, not two long ones: on two sequences the CPU model learns their
            // few figures by heart (validation loss rises after an epoch) and finds almost nothing elsewhere.
            synth(ctx, labelled, LABELLED_SEQUENCES, frames, 1, false);
            synth(ctx, videoDir, 1, frames, 7, true);
            Path video = videoDir.resolve("SYN-0007-01.mp4");
            // H.264 where OpenCV can write it, so that the web console's page of the job plays it (browsers do not
            // decode the MPEG-4 part 2 the generator writes); else the generator's file, and the page says so
            Path h264 = videoDir.resolve("SYN-0007-01.h264.mp4");
            if (encodeVideo(ctx, videoDir.resolve("SYN-0007-01"), h264, "avc1")) {
                try {
                    Files.move(h264, video, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            Path gt = videoDir.resolve("SYN-0007-01/gt/gt.txt");
            phases.put("make synthetic data (" + LABELLED_SEQUENCES + " labelled sequences + 1 video)", CommandContext.secondsSince(t));

            t = System.nanoTime();
            ApiClient api = new ApiClient(stack.apiUrl());
            String version = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd.HHmmss"));
            DatasetRetraining retraining = new DatasetRetraining(ctx);
            retraining.upload(stack.s3(), labelled, "demo", version, List.of(VALIDATION_SEQUENCE));
            JsonNode run = retraining.followRun(api, "demo-");
            phases.put("retraining run (validate, train, evaluate, gate, deploy)", CommandContext.secondsSince(t));
            stack.notifications().published().stream().reduce((a, b) -> b).ifPresent(p -> {
                JsonNode m = p.messageJson();
                out.println("  outcome: " + m.path("status").asText() + " " + m.path("reason").asText("")
                        + (m.has("candidateScores") ? " candidate " + m.path("candidateScores") : ""));
            });
            if (stack.sageMaker().containers().deployedModel() == null) {
                out.println("no model is deployed after the retraining run (" + run.path("status").asText() + "); see "
                        + ctx.data().resolve("logs") + " and " + ctx.data().resolve("sagemaker/training"));
                report.phases(phases, all);
                return new Result(phases, run.path("status").asText(), null, null);
            }

            t = System.nanoTime();
            out.println("tracking " + video.getFileName() + " through the stack: POST /jobs -> presigned PUT -> S3 event -> "
                    + "ingest -> async endpoint -> SNS -> completion -> API");
            VideoTracking.Tracked tracked = new VideoTracking(ctx).track(api, video, outDir);
            phases.put("track the video (upload, async inference, completion)", CommandContext.secondsSince(t));
            if (!"SUCCEEDED".equals(tracked.status())) {
                report.phases(phases, all);
                return new Result(phases, run.path("status").asText(), tracked, null);
            }

            t = System.nanoTime();
            MotMetrics m;
            try {
                m = MotEvaluator.evaluate(gt, tracked.tracksFile(), Benchmark.MOT17).metrics();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            phases.put("metrics (mot-metrics, Java)", CommandContext.secondsSince(t));
            out.printf(Locale.ROOT, "metrics against the synthetic ground truth (MOT17 rules): MOTA %.3f  IDF1 %.3f  HOTA %.3f  "
                            + "(recall %.3f, precision %.3f, FP %d, FN %d, ID switches %d)%n",
                    m.mota(), m.idf1(), m.hota(), m.recall(), m.precision(), m.numFalsePositives(), m.numMisses(), m.numSwitches());
            report.phases(phases, all);
            // The demo's stack stops when it returns; the same data folder served again shows the job.
            int port = ctx.port() == 0 ? 8470 : ctx.port();
            out.println("see the tracks in the web console: run ./motflow serve" + (port == 8470 ? "" : " --port " + port)
                    + (ctx.data().equals(ctx.root().resolve(".motflow")) ? "" : " --data-dir " + ctx.data())
                    + " and open " + consoleJobUrl(port, tracked.jobId()));
            return new Result(phases, run.path("status").asText(), tracked, m);
        }
    }

    /**
     * A sequence's frames ({@code img1/*.jpg}) as a video at 30 fps with OpenCV's FOURCC {@code fourcc}
     * (containers/.venv); false when this OpenCV cannot write that codec.
     */
    static boolean encodeVideo(CommandContext ctx, Path sequence, Path out, String fourcc) {
        String script = """
                import cv2, glob, sys
                frames = sorted(glob.glob(sys.argv[1] + '/img1/*.jpg'))
                h, w = cv2.imread(frames[0]).shape[:2]
                writer = cv2.VideoWriter(sys.argv[2], cv2.VideoWriter_fourcc(*sys.argv[3]), 30.0, (w, h))
                if not writer.isOpened():
                    sys.exit(3)
                for f in frames:
                    writer.write(cv2.imread(f))
                writer.release()
                """;
        try {
            Files.deleteIfExists(out);
            Process p = new ProcessBuilder(ctx.root().resolve("containers/.venv/bin/python").toString(), "-c", script,
                    sequence.toString(), out.toString(), fourcc).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(ctx.data().resolve("logs/synth.log").toFile())).start();
            return p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isRegularFile(out)
                    && Files.size(out) > 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The console's page of one job on the API port (the console routes by the URL's fragment). */
    static String consoleJobUrl(int port, String jobId) {
        return "http://127.0.0.1:" + port + "/#/jobs/" + jobId;
    }

    /** The demo's synthetic sequences (its sizes and figures); the web console's browser test makes its data the same way. */
    static void synth(CommandContext ctx, Path outDir, int seqs, int frames, int seed, boolean mp4) {
        List<String> args = new ArrayList<>(List.of("--out", outDir.toString(), "--seqs", Integer.toString(seqs),
                "--frames", Integer.toString(frames), "--seed", Integer.toString(seed), "--width", "320", "--height", "192",
                // few, large figures without sensor noise: learnable in the CPU minutes the demo trains
                "--ids", "5", "--min-height", "70", "--max-height", "130", "--noise", "0"));
        if (mp4) {
            args.add("--mp4");
        }
        Containers c = new Containers(ctx.root(), ctx.data().resolve("logs"));
        Containers.Run r = c.run("motflow_ml.synth", args, null, ctx.data().resolve("logs/synth.log"), Map.of(), null);
        if (!r.ok()) {
            throw new LocalStackException("synthetic data generation failed: " + r.lastLines());
        }
    }
}
