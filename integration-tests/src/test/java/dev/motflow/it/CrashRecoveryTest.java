package dev.motflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.RepoPaths;
import dev.motflow.testsupport.Videos;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * kill -9 of the whole local stack (a child JVM running {@code ./motflow serve}) right after uploads
 * and while their jobs run, then a restart on the same data folder: every uploaded object (dropped or
 * through a POST /jobs reservation) ends with exactly one job, every job is terminal within the
 * deadline, and no child process of the killed stack survives it. No model is deployed here, so the
 * async route ends FAILED quickly ("no model is deployed"): what is checked is that nothing is lost or
 * stuck, not tracking quality.
 */
class CrashRecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DROP = "motflow-drop";
    private static final int DROPS = 10;
    private static final int API_UPLOADS = 10;
    private static final Duration SETTLE = Duration.ofSeconds(90);

    @TempDir
    Path data;

    private final ServeProcesses serves = new ServeProcesses();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stopChildren() throws InterruptedException {
        serves.close();
    }

    /** {@code serve} in a child JVM on the data folder; returns once its stack.json names it. */
    private Process serve(int port) throws Exception {
        Files.deleteIfExists(data.resolve("stack.json.seen"));
        return serves.start(data, port, data.resolve("serve-" + serves.count() + ".out"), 120);
    }

    private JsonNode stackFile() {
        return ServeProcesses.stackFile(data);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".json") && !p.toString().contains("-dlq")).count();
        }
    }

    private void kill9(Process p) throws Exception {
        Set<Long> pids = ServeProcesses.childPids(data);
        p.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        ServeProcesses.awaitGone(pids);
    }

    private void uploadThroughTheApi(URI api, String fileName, byte[] video) throws Exception {
        String body = JSON.createObjectNode().put("fileName", fileName).put("contentType", "video/mp4")
                .put("sizeBytes", video.length).toString();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve("/jobs"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        JsonNode upload = JSON.readTree(r.body()).path("upload");
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.path("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(video));
        upload.path("headers").fields().forEachRemaining(h -> {
            if (!h.getKey().equalsIgnoreCase("content-length") && !h.getKey().equalsIgnoreCase("host")) {
                put.header(h.getKey(), h.getValue().asText());
            }
        });
        HttpResponse<String> p = http.send(put.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, p.statusCode(), p.body());
    }

    /** Every job in the table (each status of the index, all pages). */
    private static List<Job> allJobs(JobRepository jobs) {
        List<Job> all = new ArrayList<>();
        for (JobStatus s : JobStatus.values()) {
            all.addAll(jobs.oldestInStatus(s, java.time.Instant.now().plusSeconds(3600), 10_000));
        }
        return all;
    }

    @Test
    void killNineAfterUploadsAndDuringJobsLosesNothingAndLeavesNothingRunning() throws Exception {
        int port = freePort();
        Process first = serve(port);
        JsonNode endpoints = stackFile();
        URI api = URI.create(endpoints.path("api").asText());
        S3Client s3 = LocalAws.s3Client(URI.create(endpoints.path("s3").asText()));
        Set<String> keys = new TreeSet<>();
        for (int i = 0; i < DROPS; i++) {
            String key = "incoming/crash-drop-" + i + ".mp4";
            s3.putObject(b -> b.bucket(DROP).key(key), RequestBody.fromBytes(Videos.mp4(200 + i)));
            keys.add(key);
        }
        for (int i = 0; i < API_UPLOADS; i++) {
            uploadThroughTheApi(api, "crash-api-" + i + ".mp4", Videos.mp4(300 + i));
        }
        // Right after the last 200: most events are still queued or being ingested, some jobs are running.
        kill9(first);
        System.out.printf("crash test: at the kill -9, %d S3 event(s) journaled undelivered, %d queued message(s)%n",
                countFiles(data.resolve("s3-events")), countFiles(data.resolve("queues")));
        long restartedAt = System.nanoTime();

        serve(freePort());
        JsonNode again = stackFile();
        DynamoDbClient dynamo = LocalAws.dynamoClient(URI.create(again.path("dynamodb").asText()));
        JobRepository jobs = new JobRepository(dynamo, "motflow", Clock.systemUTC());
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Map<String, List<Job>> byKey;
        List<Job> open;
        do {
            List<Job> all = allJobs(jobs);
            byKey = new TreeMap<>();
            open = new ArrayList<>();
            for (Job j : all) {
                if (!j.status().terminal()) {
                    open.add(j);
                }
                String key = j.source().key() != null ? j.source().key() : j.upload() != null ? j.upload().key() : null;
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(j);
            }
            if (open.isEmpty() && byKey.size() == DROPS + API_UPLOADS) {
                break;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);

        Map<JobStatus, Long> statuses = new TreeMap<>();
        byKey.values().forEach(v -> v.forEach(j -> statuses.merge(j.status(), 1L, Long::sum)));
        System.out.printf("crash test: settled %.1f s after the restart began: %s%n",
                (System.nanoTime() - restartedAt) / 1e9, statuses);
        assertTrue(open.isEmpty(), "jobs not terminal " + SETTLE.toSeconds() + " s after the restart: " + open);
        assertEquals(DROPS + API_UPLOADS, byKey.size(), "objects with a job: " + byKey.keySet());
        Map<String, Integer> duplicates = new HashMap<>();
        byKey.forEach((k, v) -> {
            if (v.size() != 1) {
                duplicates.put(k, v.size());
            }
        });
        assertTrue(duplicates.isEmpty(), "objects with more than one job: " + duplicates);
        assertTrue(byKey.keySet().containsAll(keys), "every dropped object has its job");
        assertEquals(API_UPLOADS, byKey.keySet().stream().filter(k -> k.matches("incoming/[0-9a-f]{32}/crash-api-\\d+\\.mp4"))
                .count(), "every reservation was claimed by its upload");
    }
}
