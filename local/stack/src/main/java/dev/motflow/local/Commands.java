package dev.motflow.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.metrics.Benchmark;
import dev.motflow.metrics.MotEvaluator;
import dev.motflow.metrics.MotMetrics;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The commands of the local system ({@link LocalSystemRunner}). Each starts the embedded stack, or talks to a running {@code serve}. */
final class Commands {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> VIDEO_TYPES = Map.of("mp4", "video/mp4", "m4v", "video/mp4", "mov", "video/quicktime",
            "mkv", "video/x-matroska", "webm", "video/webm", "avi", "video/x-msvideo");

    private final Path root;
    private final Path data;
    private final int port;
    private final int trainSeconds;
    private final PrintStream out;

    Commands(Path root, Path data, int port, int trainSeconds, PrintStream out) {
        this.root = root;
        this.data = data;
        this.port = port;
        this.trainSeconds = trainSeconds;
        this.out = out;
    }

    // ---- the stack: embedded, or the one `serve` keeps running --------------------------------

    /** A stack to talk to: the API, and S3 for uploads of datasets. */
    private record Target(LocalStack embedded, URI api, S3Client s3) implements AutoCloseable {
        @Override
        public void close() {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** The running stack of this data folder if {@code serve} holds it, else null. */
    private JsonNode runningStack() {
        Path file = data.resolve("stack.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode s = JSON.readTree(file.toFile());
            long pid = s.path("pid").asLong();
            if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return s;
            }
        } catch (IOException e) {
            // stale or half-written: ignore it
        }
        return null;
    }

    private LocalStack startStack(int trainSeconds) {
        Containers.requireSetUp(root);
        JsonNode running = runningStack();
        if (running != null) {
            throw new LocalStackException("a motflow stack (pid " + running.path("pid").asLong() + ", API " + running.path("api").asText()
                    + ") already uses " + data + ": stop it (Ctrl-C in its terminal) or use --data-dir for another folder");
        }
        long t0 = System.nanoTime();
        LocalStack stack = LocalStack.start(new LocalStack.Options(root, data, port, LocalStack.cpuTraining(trainSeconds),
                line -> out.println("  · " + line)));
        out.printf("local stack up in %.1f s: API %s, data %s%n", secondsSince(t0), stack.apiUrl(), data);
        return stack;
    }

    private Target target() {
        JsonNode running = runningStack();
        if (running != null) {
            return new Target(null, URI.create(running.path("api").asText()),
                    dev.motflow.testsupport.LocalAws.s3Client(URI.create(running.path("s3").asText())));
        }
        LocalStack stack = startStack(trainSeconds);
        return new Target(stack, stack.apiUrl(), stack.s3());
    }

    // ---- serve ----------------------------------------------------------------------------------

    int serve() {
        LocalStack stack = startStack(trainSeconds);
        URI api = stack.apiUrl();
        out.println("""
                motflow is running locally (Ctrl-C stops it). HTTP API (payload v2 events to the real handlers):
                  POST %1$s/jobs                      {"fileName","contentType","sizeBytes"} -> presigned upload
                  GET  %1$s/jobs?status=SUCCEEDED     GET %1$s/jobs/{id}   GET %1$s/jobs/{id}/tracks
                  POST %1$s/streams/{id}/frames       JPEG/PNG body, frame index header or query   DELETE %1$s/streams/{id}
                  POST %1$s/retraining                {"dataset": "..."}
                  GET  %1$s/local/executions          retraining executions of this process
                S3 (s3rver, credentials S3RVER/S3RVER, path style): %2$s  buckets: %3$s (incoming/), %4$s (labelled/)
                Other ./motflow commands (track, jobs, job, tracks, retrain) use this stack while it runs.
                Model served: %5$s"""
                .formatted(api, stack.s3Endpoint(), LocalStack.DROP_BUCKET, LocalStack.LABELLED_BUCKET,
                        stack.sageMaker().containers().deployedModel() == null ? "none yet (run a retraining)"
                                : stack.sageMaker().containers().deployedModel()));
        CountDownLatch forever = new CountDownLatch(1);
        try {
            forever.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    // ---- jobs, job, tracks ----------------------------------------------------------------------

    /** Every job, newest first, or those in {@code status} (null: all). */
    int jobs(String status) {
        try (Target t = target()) {
            ApiClient api = new ApiClient(t.api());
            List<String> statuses = status != null ? List.of(status.toUpperCase(Locale.ROOT))
                    : List.of("AWAITING_UPLOAD", "RECEIVED", "STARTING", "RUNNING", "SUCCEEDED", "FAILED", "REJECTED");
            List<JsonNode> all = new ArrayList<>();
            for (String s : statuses) {
                JsonNode page = api.get("/jobs?limit=100&status=" + s).expect(200, "GET /jobs").body();
                page.path("jobs").forEach(all::add);
            }
            all.sort((a, b) -> b.path("createdAt").asText().compareTo(a.path("createdAt").asText()));
            out.printf("%-28s %-16s %-24s %s%n", "JOB", "STATUS", "CREATED", "FILE");
            for (JsonNode j : all) {
                out.printf("%-28s %-16s %-24s %s%n", j.path("jobId").asText(), j.path("status").asText(),
                        j.path("createdAt").asText(), j.path("fileName").asText(j.path("source").path("key").asText("")));
            }
            out.println(all.size() + " job(s)");
            return 0;
        }
    }

    int job(String id) {
        try (Target t = target()) {
            ApiClient.Answer a = new ApiClient(t.api()).get("/jobs/" + id);
            out.println(a.body().toPrettyString());
            return a.status() == 200 ? 0 : 1;
        }
    }

    int tracks(String id) {
        try (Target t = target()) {
            ApiClient api = new ApiClient(t.api());
            api.get("/jobs/" + id).expect(200, "GET /jobs/" + id);
            out.println(api.allTracks(id).toPrettyString());
            return 0;
        }
    }

    // ---- track ----------------------------------------------------------------------------------

    /** Where a finished job's results were written, and what it found. */
    record Tracked(String jobId, String status, Path outDir, Path tracksFile, int trackCount, JsonNode job) {
    }

    /** Tracks {@code video}; results under {@code outDir} (null: ./out), with {@code model} (null: the promoted one). */
    int track(String video, Path outDir, Path model, boolean annotate) {
        Path file = checkVideo(video);
        try (Target t = target()) {
            if (t.embedded() != null) {
                useModel(t.embedded(), model);
            }
            Tracked r = annotate ? trackAnnotated(t.s3(), new ApiClient(t.api()), file, outDir)
                    : track(new ApiClient(t.api()), file, outDir);
            return "SUCCEEDED".equals(r.status()) ? 0 : 1;
        }
    }

    static Path checkVideo(String video) {
        Path file = Path.of(video).toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            throw new LocalStackException("no such file: " + video);
        }
        if (contentType(file) == null) {
            throw new LocalStackException("unsupported video format '" + file.getFileName() + "': use one of "
                    + new java.util.TreeSet<>(VIDEO_TYPES.keySet()));
        }
        return file;
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : VIDEO_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** --model DIR, else the promoted model, else a clear way to get one. */
    private void useModel(LocalStack stack, Path dir) {
        Containers containers = stack.sageMaker().containers();
        if (dir != null) {
            Path m = dir.toAbsolutePath();
            if (!Files.isRegularFile(m.resolve("model.pth")) || !Files.isRegularFile(m.resolve("config.json"))) {
                throw new LocalStackException("--model " + dir + " is not a model folder (needs model.pth and config.json, as "
                        + "motflow_ml.train writes them)");
            }
            containers.deploy(m);
        }
        if (containers.deployedModel() == null) {
            throw new LocalStackException("no model has been promoted yet. Get one with ./motflow demo (trains a small one on "
                    + "synthetic data), ./motflow retrain DATASET_DIR (your labelled data), or --model DIR (a trained model folder)");
        }
        out.println("model: " + containers.deployedModel());
    }

    Tracked track(ApiClient api, Path file, Path outDir) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode req = JSON.createObjectNode().put("fileName", file.getFileName().toString())
                .put("contentType", contentType(file)).put("sizeBytes", size);
        JsonNode created = api.postJson("/jobs", req).expect(201, "POST /jobs").body();
        String jobId = created.path("jobId").asText();
        out.printf("job %s: uploading %s (%.1f MB)%n", jobId, file.getFileName(), size / 1e6);
        api.upload(created.path("upload"), file);
        return followJob(api, jobId, outDir);
    }

    /**
     * The processing-job route: the video is dropped under {@code incoming/batch/} (as a batch
     * upload to the bucket would be, no API reservation), the ingest starts a processing job, whose
     * local container also writes annotated.mp4. The job id is derived from the object by the ingest,
     * so it is found by file name among the jobs created since the upload.
     */
    Tracked trackAnnotated(S3Client s3, ApiClient api, Path file, Path outDir) {
        String name = file.getFileName().toString();
        String key = "incoming/batch/" + java.util.UUID.randomUUID().toString().substring(0, 8) + "/" + name;
        String since = java.time.Instant.now().minusSeconds(1).toString();
        s3.putObject(b -> b.bucket(LocalStack.DROP_BUCKET).key(key).contentType(contentType(file)), RequestBody.fromFile(file));
        out.println("dropped " + name + " at s3://" + LocalStack.DROP_BUCKET + "/" + key + " (processing-job route, annotated video)");
        long t0 = System.nanoTime();
        while (secondsSince(t0) < 120) {
            for (String status : List.of("RECEIVED", "STARTING", "RUNNING", "SUCCEEDED", "FAILED", "REJECTED")) {
                for (JsonNode j : api.get("/jobs?limit=100&status=" + status).expect(200, "GET /jobs").body().path("jobs")) {
                    if (name.equals(j.path("fileName").asText()) && j.path("createdAt").asText().compareTo(since) >= 0) {
                        out.println("job " + j.path("jobId").asText() + " created by the ingest");
                        return followJob(api, j.path("jobId").asText(), outDir);
                    }
                }
            }
            Containers.sleep(500);
        }
        throw new LocalStackException("no job appeared for " + key + " within 2 minutes; see " + data.resolve("logs/handlers.log"));
    }

    /** Follows a job to its end with a status line, then writes its results. */
    Tracked followJob(ApiClient api, String jobId, Path outDir) {
        long t0 = System.nanoTime();
        String last = "";
        boolean interactive = System.console() != null;
        JsonNode job;
        while (true) {
            job = api.get("/jobs/" + jobId).expect(200, "GET /jobs/" + jobId).body();
            String status = job.path("status").asText();
            boolean done = status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("REJECTED");
            if (interactive) {
                // one status line, redrawn: on a terminal only (a log file gets one line per change)
                out.printf("\r  %-16s %s %6.1f s%s", status, bar(status), secondsSince(t0), status.equals(last) || last.isEmpty() ? "" : "");
                if (!status.equals(last) && !last.isEmpty() && !done) {
                    out.printf("%n");
                }
                out.flush();
            } else if (!status.equals(last)) {
                out.printf(Locale.ROOT, "  %-16s %s %6.1f s%n", status, bar(status), secondsSince(t0));
            }
            last = status;
            if (done) {
                if (interactive) {
                    out.println();
                }
                break;
            }
            if (secondsSince(t0) > 3600) {
                throw new LocalStackException("job " + jobId + " still " + status + " after an hour");
            }
            Containers.sleep(500);
        }
        Path dir = outDir != null ? outDir.resolve(jobId) : root.resolve("out").resolve(jobId);
        if (!job.path("status").asText().equals("SUCCEEDED")) {
            out.println("job " + jobId + " " + job.path("status").asText() + ": " + job.path("reason").asText("(no reason)"));
            return new Tracked(jobId, job.path("status").asText(), null, null, 0, job);
        }
        try {
            Files.createDirectories(dir);
            byte[] mot = api.download(job.path("results").path("tracksUrl").asText());
            Path tracksFile = dir.resolve("tracks.txt");
            Files.write(tracksFile, mot);
            ObjectNode tracks = api.allTracks(jobId);
            Files.writeString(dir.resolve("tracks.json"), tracks.toPrettyString());
            Files.writeString(dir.resolve("job.json"), job.toPrettyString());
            printTracks(tracks);
            out.println("results: " + dir + " (tracks.txt MOTChallenge, tracks.json, job.json"
                    + copyAnnotated(jobId, dir) + ")");
            return new Tracked(jobId, "SUCCEEDED", dir, tracksFile, tracks.path("tracks").size(), job);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The processing route (--annotate) leaves annotated.mp4 next to the result in the data folder. */
    private String copyAnnotated(String jobId, Path dir) throws IOException {
        Path processing = data.resolve("sagemaker/processing/motflow-" + jobId + "/processing/output");
        if (!Files.isDirectory(processing)) {
            return "; the async endpoint route returns tracks only, no annotated video";
        }
        try (Stream<Path> files = Files.walk(processing)) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("annotated.mp4")).toList()) {
                Files.copy(p, dir.resolve("annotated.mp4"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return ", annotated.mp4";
            }
        }
        return "";
    }

    private static String bar(String status) {
        int step = switch (status) {
            case "AWAITING_UPLOAD" -> 1;
            case "RECEIVED" -> 2;
            case "STARTING" -> 3;
            case "RUNNING" -> 4;
            default -> 5;
        };
        return "[" + "#".repeat(step * 4) + ".".repeat(20 - step * 4) + "]";
    }

    private void printTracks(JsonNode tracks) {
        ArrayNode list = (ArrayNode) tracks.path("tracks");
        List<JsonNode> sorted = new ArrayList<>();
        list.forEach(sorted::add);
        sorted.sort((a, b) -> Integer.compare(b.path("frameCount").asInt(), a.path("frameCount").asInt()));
        out.printf("%d tracks%n  %-6s %-7s %-7s %-7s %-6s %s%n", list.size(), "track", "first", "last", "frames", "score", "first box (x,y,w,h)");
        for (JsonNode tr : sorted.subList(0, Math.min(12, sorted.size()))) {
            JsonNode box = tr.path("trajectory").path(0);
            out.printf("  %-6s %-7d %-7d %-7d %-6s %s%n", tr.path("trackId").asText(), tr.path("firstFrame").asInt(),
                    tr.path("lastFrame").asInt(), tr.path("frameCount").asInt(),
                    tr.has("meanScore") ? String.format(Locale.ROOT, "%.2f", tr.path("meanScore").asDouble()) : "-",
                    box.isMissingNode() ? "" : String.format(Locale.ROOT, "%.0f,%.0f,%.0f,%.0f", box.path(1).asDouble(),
                            box.path(2).asDouble(), box.path(3).asDouble(), box.path(4).asDouble()));
        }
        if (sorted.size() > 12) {
            out.println("  ... " + (sorted.size() - 12) + " more in tracks.json");
        }
    }

    // ---- retrain --------------------------------------------------------------------------------

    /** Uploads {@code datasetDir} as {@code dataset} (null: the folder name) {@code version} (null: now) and follows the run. */
    int retrain(Path datasetDir, String datasetName, String versionName, List<String> validation) {
        Path dir = datasetDir.toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new LocalStackException("no such folder: " + datasetDir);
        }
        String dataset = datasetName != null ? datasetName
                : dir.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String version = versionName != null ? versionName : LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd.HHmmss"));
        try (Target t = target()) {
            String name = upload(t.s3(), new ApiClient(t.api()), dir, dataset, version, validation);
            JsonNode execution = followRun(new ApiClient(t.api()), name + "-", dataset);
            return "SUCCEEDED".equals(execution.path("status").asText()) ? 0 : 1;
        }
    }

    /** Uploads the sequences, then manifest.json (last: its ObjectCreated event starts the run). Returns the execution prefix. */
    String upload(S3Client s3, ApiClient api, Path dir, String dataset, String version, List<String> validation) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("manifest.json"))
                    .filter(p -> {
                        String rel = dir.relativize(p).toString();
                        return rel.contains("/img1/") || rel.endsWith("/gt/gt.txt") || rel.endsWith("/seqinfo.ini");
                    }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (files.isEmpty()) {
            throw new LocalStackException(dir + " holds no MOTChallenge sequences (<seq>/img1/*.jpg, <seq>/gt/gt.txt, <seq>/seqinfo.ini)");
        }
        ObjectNode manifest = JSON.createObjectNode().put("schema", "motflow.dataset/1").put("dataset", dataset).put("version", version);
        ArrayNode list = manifest.putArray("files");
        String prefix = "labelled/" + dataset + "/";
        long t0 = System.nanoTime();
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            list.addObject().put("path", rel).put("size", bytes.length).put("sha256", sha256(bytes));
            s3.putObject(b -> b.bucket(LocalStack.LABELLED_BUCKET).key(prefix + rel), RequestBody.fromBytes(bytes));
        }
        if (!validation.isEmpty()) {
            ArrayNode v = manifest.putArray("validation");
            validation.forEach(v::add);
        }
        s3.putObject(b -> b.bucket(LocalStack.LABELLED_BUCKET).key(prefix + "manifest.json"),
                RequestBody.fromString(manifest.toPrettyString()));
        out.printf("dataset %s version %s: %d files uploaded to s3://%s/%s in %.1f s%n", dataset, version, files.size(),
                LocalStack.LABELLED_BUCKET, prefix, secondsSince(t0));
        return dataset;
    }

    /** Waits for the run of {@code dataset} that the upload started, printing the states as they change. */
    JsonNode followRun(ApiClient api, String executionPrefix, String dataset) {
        long t0 = System.nanoTime();
        java.util.Set<String> before = new java.util.HashSet<>();
        String name = null;
        while (name == null) {
            for (JsonNode e : api.get("/local/executions").body().path("executions")) {
                String n = e.path("name").asText();
                if (n.startsWith(executionPrefix) && !before.contains(n) && e.path("status").asText().equals("RUNNING")) {
                    name = n;
                }
            }
            if (name == null) {
                if (secondsSince(t0) > 60) {
                    throw new LocalStackException("no retraining run started within 60 s of the upload; see " + data.resolve("logs/handlers.log"));
                }
                Containers.sleep(250);
            }
        }
        out.println("retraining run " + name + " started (statemachines/retrain.asl.json, executed locally)");
        while (true) {
            for (JsonNode e : api.get("/local/executions").body().path("executions")) {
                if (e.path("name").asText().equals(name) && !e.path("status").asText().equals("RUNNING")) {
                    out.printf("retraining run %s: %s in %.0f s%n  states: %s%n", name, e.path("status").asText(), secondsSince(t0),
                            e.has("visited") ? String.join(" > ", JSON.convertValue(e.path("visited"), String[].class)) : "(none recorded)");
                    if (e.has("error")) {
                        out.println("  error: " + e.path("error").asText() + " " + e.path("cause").asText(""));
                    }
                    return e;
                }
            }
            Containers.sleep(500);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- demo -----------------------------------------------------------------------------------

    /** What the demo measured: phase timings (s), the run's outcome, the job and the metrics. */
    record DemoResult(Map<String, Double> phases, String runStatus, Tracked tracked, MotMetrics metrics) {
    }

    int demo(int frames, Path outDir) {
        DemoResult r = demo(trainSeconds, frames, outDir);
        return r.metrics() != null ? 0 : 1;
    }

    DemoResult demo(int trainSeconds, int frames, Path outDir) {
        Map<String, Double> phases = new LinkedHashMap<>();
        long all = System.nanoTime();
        out.println("""
                motflow demo: the whole system on this machine, no AWS account. The handlers are the Lambda code;
                DynamoDB = dynalite, S3 = s3rver, Step Functions = aws-local-stepfunctions, SageMaker = containers/ code
                as local processes on the CPU with small settings (resnet18, 160x96 input, 3 epochs, at most %d s):
                expect a weak model, this shows the pipeline, not the accuracy of a GPU-trained tracker.""".formatted(trainSeconds));
        long t = System.nanoTime();
        try (LocalStack stack = startStack(trainSeconds)) {
            phases.put("start the local stack", secondsSince(t));

            t = System.nanoTime();
            Path demoDir = data.resolve("demo");
            S3Files.deleteTree(demoDir);
            Path labelled = demoDir.resolve("labelled");
            Path videoDir = demoDir.resolve("video");
            synth(labelled, 3, frames, 1, false);
            synth(videoDir, 1, frames, 7, true);
            Path video = videoDir.resolve("SYN-0007-01.mp4");
            Path gt = videoDir.resolve("SYN-0007-01/gt/gt.txt");
            phases.put("make synthetic data (3 labelled sequences + 1 video)", secondsSince(t));

            t = System.nanoTime();
            ApiClient api = new ApiClient(stack.apiUrl());
            String version = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd.HHmmss"));
            upload(stack.s3(), api, labelled, "demo", version, List.of("SYN-0001-03"));
            JsonNode run = followRun(api, "demo-", "demo");
            phases.put("retraining run (validate, train, evaluate, gate, deploy)", secondsSince(t));
            stack.notifications().published().stream().reduce((a, b) -> b).ifPresent(p -> {
                JsonNode m = p.messageJson();
                out.println("  outcome: " + m.path("status").asText() + " " + m.path("reason").asText("")
                        + (m.has("candidateScores") ? " candidate " + m.path("candidateScores") : ""));
            });
            if (stack.sageMaker().containers().deployedModel() == null) {
                out.println("no model is deployed after the retraining run (" + run.path("status").asText() + "); see "
                        + data.resolve("logs") + " and " + data.resolve("sagemaker/training"));
                printPhases(phases, all);
                return new DemoResult(phases, run.path("status").asText(), null, null);
            }

            t = System.nanoTime();
            out.println("tracking " + video.getFileName() + " through the stack: POST /jobs -> presigned PUT -> S3 event -> "
                    + "ingest -> async endpoint -> SNS -> completion -> API");
            Tracked tracked = track(api, video, outDir);
            phases.put("track the video (upload, async inference, completion)", secondsSince(t));
            if (!"SUCCEEDED".equals(tracked.status())) {
                printPhases(phases, all);
                return new DemoResult(phases, run.path("status").asText(), tracked, null);
            }

            t = System.nanoTime();
            MotMetrics m;
            try {
                m = MotEvaluator.evaluate(gt, tracked.tracksFile(), Benchmark.MOT17).metrics();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            phases.put("metrics (mot-metrics, Java)", secondsSince(t));
            out.printf(Locale.ROOT, "metrics against the synthetic ground truth (MOT17 rules): MOTA %.3f  IDF1 %.3f  HOTA %.3f  "
                            + "(recall %.3f, precision %.3f, FP %d, FN %d, ID switches %d)%n",
                    m.mota(), m.idf1(), m.hota(), m.recall(), m.precision(), m.numFalsePositives(), m.numMisses(), m.numSwitches());
            printPhases(phases, all);
            return new DemoResult(phases, run.path("status").asText(), tracked, m);
        }
    }

    private void synth(Path outDir, int seqs, int frames, int seed, boolean mp4) {
        List<String> args = new ArrayList<>(List.of("--out", outDir.toString(), "--seqs", Integer.toString(seqs),
                "--frames", Integer.toString(frames), "--seed", Integer.toString(seed), "--width", "320", "--height", "192",
                // few, large figures without sensor noise: learnable in the CPU minutes the demo trains
                "--ids", "5", "--min-height", "70", "--max-height", "130", "--noise", "0"));
        if (mp4) {
            args.add("--mp4");
        }
        Containers c = new Containers(root, data.resolve("logs"));
        Containers.Run r = c.run("motflow_ml.synth", args, null, data.resolve("logs/synth.log"), Map.of(), null);
        if (!r.ok()) {
            throw new LocalStackException("synthetic data generation failed: " + r.lastLines());
        }
    }

    private void printPhases(Map<String, Double> phases, long start) {
        out.println("time per phase:");
        phases.forEach((k, v) -> out.printf(Locale.ROOT, "  %-58s %6.1f s%n", k, v));
        out.printf(Locale.ROOT, "  %-58s %6.1f s%n", "total", secondsSince(start));
    }

    static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }
}
