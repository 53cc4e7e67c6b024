package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Object keys with spaces, {@code +}, {@code %}, {@code #}, non-ASCII letters and emoji, through both
 * routes of the local stack with the real containers: the API's presigned upload -> S3 event -> ingest
 * -> InvokeEndpointAsync (the key travels in the {@code X-Amzn-SageMaker-InputLocation} header) ->
 * the serving container -> completion; and a drop under {@code incoming/batch/} -> processing job
 * (the key travels in the job's {@code S3Uri}) -> completion (its CopyObject of the result names
 * the key in {@code x-amz-copy-source}). A tiny random-weight model and a
 * 6-frame video keep it to seconds per job. Also: a file without a video stream (as an audio-only
 * MP4) ends REJECTED on both routes with the container's reason; a pixel bomb and an undecodable
 * frame sent to the stream API are refused as the client's mistakes (413, 422) by the real serving
 * container. Needs containers/.venv (./motflow setup).
 */
class OddInputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> NAMES = List.of("a b+c%20d#e.mp4", "ü.mp4", "東京.mp4", "видео 🎥.mp4");
    /** One name per kind (reserved ASCII characters; non-ASCII letters and emoji): a processing job takes ~25 s here. */
    static final List<String> PROCESSING_NAMES = List.of("a b+c%20d#e.mp4", "видео 🎥.mp4");

    @TempDir
    static Path dir;
    static LocalStack stack;
    static CommandContext ctx;
    static ApiClient api;
    static Path video;
    static final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        Path root = RepoRoot.find();
        Path python = root.resolve("containers/.venv/bin/python");
        assertTrue(Files.isExecutable(python), "containers/.venv is missing: run ./motflow setup");
        Path model = dir.resolve("model");
        video = dir.resolve("clip.mp4");
        // A freshly initialised tiny network (threshold 0, so that it reports boxes to track) and a short video.
        String script = String.join("\n",
                "import json, sys, torch, cv2, numpy as np",
                "from motflow_ml.config import defaults",
                "from motflow_ml.model import build_model",
                "out, video = sys.argv[1], sys.argv[2]",
                "cfg = {k: v for k, v in defaults().items() if isinstance(v, (int, float, str, bool, list))}",
                "cfg.update(backbone='resnet18', input_width=160, input_height=96, reid_dim=32, neck_channels=32,",
                "           head_conv=32, conf_thres=0.0, top_k=8)",
                "import os; os.makedirs(out, exist_ok=True)",
                "torch.manual_seed(0)",
                "torch.save(build_model(cfg).state_dict(), out + '/model.pth')",
                "open(out + '/config.json', 'w').write(json.dumps(cfg))",
                "w = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 10, (128, 96))",
                "for i in range(6):",
                "    f = np.full((96, 128, 3), 90, np.uint8); cv2.rectangle(f, (10 + 8 * i, 20), (40 + 8 * i, 80), (20, 200, 20), -1)",
                "    w.write(f)",
                "w.release()",
                "sys.path.insert(0, 'tests')",
                "from bombs import png_bomb",
                "open(sys.argv[3], 'wb').write(png_bomb(20000, 20000))",
                "cv2.imwrite(sys.argv[4], f)");
        Process p = new ProcessBuilder(python.toString(), "-c", script, model.toString(), video.toString(),
                dir.resolve("bomb.png").toString(), dir.resolve("frame.png").toString())
                .directory(root.resolve("containers").toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        ctx = new CommandContext(root, dir.resolve("data"), 0, 600, new PrintStream(console, true, StandardCharsets.UTF_8));
        stack = StackConnection.startEmbedded(ctx);
        stack.sageMaker().containers().deploy(model);
        api = new ApiClient(stack.apiUrl());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String log() {
        return console.toString(StandardCharsets.UTF_8);
    }

    private static final List<String> TERMINAL = List.of("SUCCEEDED", "FAILED", "REJECTED");

    /** Each job followed to its end (at most 3 minutes for all); the ones that did not succeed, with why. */
    private static List<String> notSucceeded(Map<String, String> jobIdByName) {
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        for (Map.Entry<String, String> e : jobIdByName.entrySet()) {
            JsonNode job;
            while (true) {
                job = api.get("/jobs/" + e.getValue()).expect(200, "GET /jobs").body();
                if (TERMINAL.contains(job.path("status").asText()) || System.nanoTime() > deadline) {
                    break;
                }
                Containers.sleep(200);
            }
            String status = job.path("status").asText();
            if (!"SUCCEEDED".equals(status)) {
                failures.add(e.getKey() + ": " + status + " " + job.path("reason").asText());
                continue;
            }
            assertEquals(e.getKey(), job.path("fileName").asText());
            // the result is served through its presigned URL (download refuses anything but a 2xx)
            api.download(job.path("results").path("tracksUrl").asText());
        }
        return failures;
    }

    /**
     * An MP4 whose movie has no video track, as an audio-only file has none: ftyp + moov(mvhd) + mdat
     * (the ingest refuses an MP4 without media data before any container sees it).
     */
    private static byte[] audioLikeMp4() {
        java.nio.ByteBuffer mvhd = java.nio.ByteBuffer.allocate(8 + 100);
        mvhd.putInt(108).put("mvhd".getBytes(StandardCharsets.US_ASCII)).putInt(0).putLong(0).putInt(1000).putInt(0);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24 + 8 + 108 + 8 + 256);
        b.putInt(24).put("ftypisom".getBytes(StandardCharsets.US_ASCII)).putInt(0x200).put("isommp41".getBytes(StandardCharsets.US_ASCII));
        b.putInt(8 + 108).put("moov".getBytes(StandardCharsets.US_ASCII)).put(mvhd.array());
        b.putInt(8 + 256).put("mdat".getBytes(StandardCharsets.US_ASCII)); // 256 bytes of "audio"
        return b.array();
    }

    @Test
    void aFileWithoutVideoEndsRejectedWithAReasonOnBothRoutes() throws Exception {
        byte[] silent = audioLikeMp4();
        Path file = Files.write(dir.resolve("silent.mp4"), silent);
        ObjectNode req = JSON.createObjectNode().put("fileName", "silent.mp4").put("contentType", "video/mp4")
                .put("sizeBytes", silent.length);
        JsonNode created = api.postJson("/jobs", req).expect(201, "POST /jobs").body();
        api.upload(created.path("upload"), file);
        String folder = "incoming/batch/" + UUID.randomUUID().toString().substring(0, 8) + "/";
        String since = Instant.now().minusSeconds(1).toString();
        stack.s3().putObject(b -> b.bucket(LocalStack.DROP_BUCKET).key(folder + "silent.mp4").contentType("video/mp4"),
                RequestBody.fromBytes(silent));
        String processingJob = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (processingJob == null && System.nanoTime() < deadline) {
            for (String status : List.of("RECEIVED", "STARTING", "RUNNING", "FAILED", "REJECTED")) {
                for (JsonNode j : api.get("/jobs?limit=100&status=" + status).expect(200, "GET /jobs").body().path("jobs")) {
                    if ("silent.mp4".equals(j.path("fileName").asText()) && !j.path("jobId").asText().equals(created.path("jobId").asText())
                            && j.path("createdAt").asText().compareTo(since) >= 0) {
                        processingJob = j.path("jobId").asText();
                    }
                }
            }
            Containers.sleep(200);
        }
        for (String jobId : new String[] {created.path("jobId").asText(), processingJob}) {
            assertTrue(jobId != null, "the processing route made a job\n" + log());
            JsonNode job;
            do {
                job = api.get("/jobs/" + jobId).expect(200, "GET /jobs").body();
                Containers.sleep(200);
            } while (!TERMINAL.contains(job.path("status").asText()) && System.nanoTime() < deadline + TimeUnit.MINUTES.toNanos(1));
            assertEquals("REJECTED", job.path("status").asText(), job + "\n" + log());
            String reason = job.path("reason").asText();
            assertTrue(reason.startsWith("the video cannot be tracked: ") && reason.contains("no video stream")
                    && reason.contains("audio-only"), reason);
            assertTrue(!reason.contains("/tmp") && !reason.contains("body-") && !reason.contains(dir.toString()), reason);
        }
    }

    private static java.net.http.HttpResponse<String> frame(String stream, long index, String type, byte[] body)
            throws Exception {
        java.net.http.HttpRequest r = java.net.http.HttpRequest.newBuilder(stack.apiUrl().resolve("/streams/" + stream + "/frames"))
                .header("X-Frame-Index", Long.toString(index)).header("Content-Type", type)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return java.net.http.HttpClient.newHttpClient().send(r, java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void streamFramesTheModelRefusesAreTheClientsMistakes() throws Exception {
        byte[] bomb = Files.readAllBytes(dir.resolve("bomb.png"));
        assertTrue(bomb.length < 500_000, "a pixel bomb is small: " + bomb.length);
        java.net.http.HttpResponse<String> r = frame("cam-bomb", 1, "image/png", bomb);
        assertEquals(413, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("TooManyPixels", body.path("error").asText(), r.body());
        assertTrue(body.path("message").asText().contains("20000x20000") && body.path("message").asText().contains("33,177,600"),
                r.body());
        byte[] garbage = new byte[4096];
        garbage[0] = (byte) 0xFF;
        garbage[1] = (byte) 0xD8;
        garbage[2] = (byte) 0xFF;
        r = frame("cam-bomb", 1, "image/jpeg", garbage);
        assertEquals(422, r.statusCode(), r.body());
        assertEquals("UndecodableImage", JSON.readTree(r.body()).path("error").asText(), r.body());
        // the refused frames wrote no state: frame 1 is still free, and a real frame is tracked
        byte[] png = Files.readAllBytes(dir.resolve("frame.png"));
        r = frame("cam-bomb", 1, "image/png", png);
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void everyNameSucceedsOnTheAsyncRoute() throws Exception {
        // POST /jobs -> the presigned PUT (the key in its URL) -> S3 event -> ingest -> InvokeEndpointAsync
        Map<String, String> jobs = new LinkedHashMap<>();
        for (String name : NAMES) {
            ObjectNode req = JSON.createObjectNode().put("fileName", name).put("contentType", "video/mp4")
                    .put("sizeBytes", Files.size(video));
            JsonNode created = api.postJson("/jobs", req).expect(201, "POST /jobs").body();
            assertTrue(created.at("/upload/key").asText().endsWith("/" + name), created.toString());
            api.upload(created.path("upload"), video);
            jobs.put(name, created.path("jobId").asText());
        }
        assertEquals(List.of(), notSucceeded(jobs), log());
    }

    @Test
    void everyNameSucceedsOnTheProcessingRoute() {
        // a drop under incoming/batch/ -> S3 event -> ingest -> CreateProcessingJob (the key in S3Uri)
        String folder = "incoming/batch/" + UUID.randomUUID().toString().substring(0, 8) + "/";
        String since = Instant.now().minusSeconds(1).toString();
        for (String name : PROCESSING_NAMES) {
            stack.s3().putObject(b -> b.bucket(LocalStack.DROP_BUCKET).key(folder + name).contentType("video/mp4"),
                    RequestBody.fromFile(video));
        }
        Map<String, String> jobs = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (jobs.size() < PROCESSING_NAMES.size() && System.nanoTime() < deadline) {
            for (String status : List.of("RECEIVED", "STARTING", "RUNNING", "SUCCEEDED", "FAILED", "REJECTED")) {
                for (JsonNode j : api.get("/jobs?limit=100&status=" + status).expect(200, "GET /jobs").body().path("jobs")) {
                    String name = j.path("fileName").asText();
                    if (PROCESSING_NAMES.contains(name) && "PROCESSING_JOB".equals(j.path("route").asText())
                            && j.path("createdAt").asText().compareTo(since) >= 0) {
                        jobs.putIfAbsent(name, j.path("jobId").asText());
                    }
                }
            }
            Containers.sleep(200);
        }
        assertEquals(PROCESSING_NAMES.size(), jobs.size(), "a job per dropped object: " + jobs + "\n" + log());
        assertEquals(List.of(), notSucceeded(jobs), log());
    }
}
