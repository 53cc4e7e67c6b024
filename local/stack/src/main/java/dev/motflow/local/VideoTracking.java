package dev.motflow.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code ./motflow track VIDEO}: a video through the job path (the API and a presigned upload, or a
 * drop under {@code incoming/batch/} for the processing route), followed to its end, its results
 * written to {@code <out>/<jobId>/}.
 */
final class VideoTracking {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> VIDEO_TYPES = Map.of("mp4", "video/mp4", "m4v", "video/mp4", "mov", "video/quicktime",
            "mkv", "video/x-matroska", "webm", "video/webm", "avi", "video/x-msvideo");

    /** Where a finished job's results were written, and what it found. */
    record Tracked(String jobId, String status, Path outDir, Path tracksFile, int trackCount, JsonNode job) {
    }

    private final CommandContext ctx;
    private final PrintStream out;
    private final ConsoleReport report;

    VideoTracking(CommandContext ctx) {
        this.ctx = ctx;
        this.out = ctx.out();
        this.report = new ConsoleReport(ctx.out());
    }

    /** Tracks {@code video}; results under {@code outDir} (null: ./out), with {@code model} (null: the promoted one). */
    int run(String video, Path outDir, Path model, boolean annotate) {
        Path file = checkVideo(video);
        try (StackConnection t = StackConnection.open(ctx)) {
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
                    + new TreeSet<>(VIDEO_TYPES.keySet()));
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

    /** The async endpoint route: POST /jobs, the presigned PUT, then the job followed to its end. */
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
        String key = "incoming/batch/" + UUID.randomUUID().toString().substring(0, 8) + "/" + name;
        String since = Instant.now().minusSeconds(1).toString();
        s3.putObject(b -> b.bucket(LocalStack.DROP_BUCKET).key(key).contentType(contentType(file)), RequestBody.fromFile(file));
        out.println("dropped " + name + " at s3://" + LocalStack.DROP_BUCKET + "/" + key + " (processing-job route, annotated video)");
        long t0 = System.nanoTime();
        while (CommandContext.secondsSince(t0) < 120) {
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
        throw new LocalStackException("no job appeared for " + key + " within 2 minutes; see " + ctx.data().resolve("logs/handlers.log"));
    }

    /** Follows a job to its end with a status line, then writes its results. */
    private Tracked followJob(ApiClient api, String jobId, Path outDir) {
        ConsoleReport.JobProgress progress = report.jobProgress();
        JsonNode job;
        while (true) {
            job = api.get("/jobs/" + jobId).expect(200, "GET /jobs/" + jobId).body();
            String status = job.path("status").asText();
            boolean done = status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("REJECTED");
            progress.update(status, done);
            if (done) {
                break;
            }
            if (progress.seconds() > 3600) {
                throw new LocalStackException("job " + jobId + " still " + status + " after an hour");
            }
            Containers.sleep(500);
        }
        Path dir = outDir != null ? outDir.resolve(jobId) : ctx.root().resolve("out").resolve(jobId);
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
            report.tracks(tracks);
            out.println("results: " + dir + " (tracks.txt MOTChallenge, tracks.json, job.json" + copyAnnotated(jobId, dir) + ")");
            return new Tracked(jobId, "SUCCEEDED", dir, tracksFile, tracks.path("tracks").size(), job);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The processing route (--annotate) leaves annotated.mp4 next to the result in the data folder. */
    private String copyAnnotated(String jobId, Path dir) throws IOException {
        Path processing = ctx.data().resolve("sagemaker/processing/motflow-" + jobId + "/processing/output");
        if (!Files.isDirectory(processing)) {
            return "; the async endpoint route returns tracks only, no annotated video";
        }
        try (Stream<Path> files = Files.walk(processing)) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("annotated.mp4")).toList()) {
                Files.copy(p, dir.resolve("annotated.mp4"), StandardCopyOption.REPLACE_EXISTING);
                return ", annotated.mp4";
            }
        }
        return "";
    }
}
