package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.service.CompletionService;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.TrackRepository;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * kill -9 of each server of a running local stack at the phase where it hurts, one stack for all:
 * s3rver right after uploads (dropped and through POST /jobs: their events are journaled, their
 * ingest just starting) and while jobs run (async inferences and completions read and write S3),
 * dynalite right after uploads (ingest creating the jobs) and while jobs run, the model server
 * in the middle of an async inference, the processing child while it runs. The stack brings the dead
 * server back (node servers: restarted on their port by the supervisor; the model server: started
 * again by the next call), and each phase checks: every uploaded object has exactly one job, every job
 * is terminal within the deadline, every SUCCEEDED job has its tracks (in DynamoDB and its result in
 * S3), and no second server of a kind runs (the killed one is gone, nothing was left behind). A tiny
 * random-weight model and short videos keep each phase to seconds; the figures (time from the kill to
 * the last job's end) are printed. Needs containers/.venv and local/node (./motflow setup).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEADLINE_SECONDS = 90;

    @TempDir
    static Path dir;
    static LocalStack stack;
    static byte[] shortVideo;
    static byte[] longVideo;
    static final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        Path root = RepoRoot.find();
        Path model = dir.resolve("model");
        // 6 frames, and 60 frames for an inference long enough (seconds) to be killed in the middle of.
        TinyModel.make(root, model, Map.of(dir.resolve("short.mp4"), 6, dir.resolve("long.mp4"), 60));
        shortVideo = Files.readAllBytes(dir.resolve("short.mp4"));
        longVideo = Files.readAllBytes(dir.resolve("long.mp4"));
        CommandContext ctx = new CommandContext(root, dir.resolve("data"), 0, 600,
                new PrintStream(console, true, StandardCharsets.UTF_8));
        stack = StackConnection.startEmbedded(ctx);
        stack.sageMaker().containers().deploy(model);
        // Warm up: the model server is started by its first request; every phase then finds it running.
        Map<String, List<Job>> warm = settle("warm-up (no kill)", drop("warm", 1, shortVideo), Instant.now());
        assertAllSucceeded(warm);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        // What the stack said about the kills (supervisor restarts, retries), for the figures and a failure's cause.
        log().lines().filter(l -> l.contains("restart") || l.contains("exited") || l.contains(" failed ("))
                .forEach(l -> System.out.println("server crash test: stack: " + l));
    }

    private static String log() {
        return console.toString(StandardCharsets.UTF_8);
    }

    // ---- the phases --------------------------------------------------------------------------------

    /**
     * kill -9 of a server the stack restarts, then: it is back, every object's job ends SUCCEEDED with its
     * results, and one server of each kind runs.
     */
    private void killAndRecover(String server, String label, List<String> keys) throws Exception {
        long pid = kill9(server);
        Instant back = awaitBack(server, pid);
        assertAllSucceeded(settle(label, keys, back));
        assertOneOfEachServer(pid);
    }

    @Test
    @Order(1)
    void s3rverKilledRightAfterUploads() throws Exception {
        // Both ways in: dropped objects and POST /jobs reservations claimed by their presigned PUTs.
        List<String> keys = new ArrayList<>(drop("s3-upload", 2, shortVideo));
        keys.addAll(uploadThroughTheApi("s3-upload-api", 2));
        killAndRecover("s3rver", "s3rver killed right after 4 uploads (2 dropped, 2 through the API)", keys);
    }

    @Test
    @Order(2)
    void s3rverKilledWhileJobsRun() throws Exception {
        List<String> keys = drop("s3-running", 2, longVideo);
        awaitStatus(keys, JobStatus.RUNNING);
        killAndRecover("s3rver", "s3rver killed while jobs run", keys);
    }

    @Test
    @Order(3)
    void dynaliteKilledRightAfterUploads() throws Exception {
        List<String> keys = drop("dynamo-upload", 3, shortVideo);
        killAndRecover("dynalite", "dynalite killed right after 3 uploads", keys);
    }

    @Test
    @Order(4)
    void dynaliteKilledWhileJobsRun() throws Exception {
        List<String> keys = drop("dynamo-running", 2, longVideo);
        awaitStatus(keys, JobStatus.RUNNING);
        killAndRecover("dynalite", "dynalite killed while jobs run", keys);
    }

    @Test
    @Order(5)
    void modelServerKilledDuringAnAsyncInference() throws Exception {
        int before = count(log(), "the model server failed");
        List<String> keys = drop("model-server", 2, longVideo);
        awaitStatus(keys, JobStatus.RUNNING);
        killAndRecover("motflow_ml.serve", "model server killed during an async inference", keys);
        assertTrue(count(log(), "the model server failed") > before,
                "the kill landed in an inference, which was retried on the restarted server:\n" + log());
    }

    @Test
    @Order(6)
    void processingChildKilledWhileItRuns() throws Exception {
        List<String> keys = drop("batch/processing", 1, shortVideo);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        Optional<Long> child;
        do {
            child = alivePid("motflow_ml.process");
            Containers.sleep(50);
        } while (child.isEmpty() && System.nanoTime() < deadline);
        assertTrue(child.isPresent(), "the processing job started a child\n" + log());
        long pid = kill9("motflow_ml.process");
        Map<String, List<Job>> jobs = settle("processing child killed (no restart: the job ends FAILED)", keys, Instant.now());
        Job job = jobs.get(keys.get(0)).get(0);
        // SageMaker ends a processing job whose container died Failed; the job says so, nothing is left running.
        assertEquals(JobStatus.FAILED, job.status(), job.statusReason());
        assertTrue(job.statusReason().contains("exit status 137"),
                job.statusReason());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the killed child is gone");
        assertTrue(descendants("motflow_ml.process").isEmpty(), "no processing process is left");
        assertOneOfEachServer(pid);
    }

    @Test
    @Order(7)
    void closingTheStackLeavesNoChildBehind() {
        stack.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<ProcessHandle> left;
        do {
            left = new ArrayList<>();
            for (String marker : List.of("dynalite-server.mjs", "s3rver-with-events.mjs", "motflow_ml.")) {
                left.addAll(descendants(marker));
            }
            if (left.isEmpty()) {
                return;
            }
            Containers.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("children left after the stack stopped (the restarted ones included): " + left);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Drops {@code n} copies of {@code video} under {@code incoming/<prefix>-<run>-<i>.mp4}; returns their keys. */
    private static List<String> drop(String prefix, int n, byte[] video) {
        String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = "incoming/" + prefix + "-" + run + "-" + i + ".mp4";
            stack.s3().putObject(b -> b.bucket(LocalStack.DROP_BUCKET).key(key).contentType("video/mp4"),
                    RequestBody.fromBytes(video));
            keys.add(key);
        }
        return keys;
    }

    /** {@code n} uploads through POST /jobs and the presigned PUT; returns the reserved keys. */
    private static List<String> uploadThroughTheApi(String name, int n) throws IOException {
        ApiClient api = new ApiClient(stack.apiUrl());
        Path file = Files.write(dir.resolve(name + ".mp4"), shortVideo);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JsonNode created = api.postJson("/jobs", JSON.createObjectNode().put("fileName", name + "-" + i + ".mp4")
                    .put("contentType", "video/mp4").put("sizeBytes", shortVideo.length)).expect(201, "POST /jobs").body();
            api.upload(created.path("upload"), file);
            keys.add(created.path("upload").path("key").asText());
        }
        return keys;
    }

    /** The jobs of {@code keys} by key, or null while DynamoDB does not answer. */
    private static Map<String, List<Job>> jobsOf(List<String> keys) {
        JobRepository jobs = new JobRepository(stack.dynamo(), LocalStack.TABLE, Clock.systemUTC());
        Map<String, List<Job>> byKey = new TreeMap<>();
        keys.forEach(k -> byKey.put(k, new ArrayList<>()));
        try {
            for (JobStatus s : JobStatus.values()) {
                for (Job j : jobs.oldestInStatus(s, Instant.now().plusSeconds(3600), 10_000)) {
                    List<Job> of = byKey.get(j.source().key());
                    if (of != null) {
                        of.add(j);
                    }
                }
            }
        } catch (RuntimeException outage) {
            return null;
        }
        return byKey;
    }

    /** Waits until at least one job of {@code keys} is in {@code status} (or ended). */
    private static void awaitStatus(List<String> keys, JobStatus status) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (System.nanoTime() < deadline) {
            Map<String, List<Job>> now = jobsOf(keys);
            if (now != null && now.values().stream().flatMap(List::stream)
                    .anyMatch(j -> j.status() == status || j.status().terminal())) {
                return;
            }
            Containers.sleep(20);
        }
        throw new AssertionError("no job reached " + status + " within " + DEADLINE_SECONDS + " s\n" + log());
    }

    /** Waits until the stack runs a new child of kind {@code what}; prints how long it was gone; returns when it came back. */
    private static Instant awaitBack(String what, long killed) {
        Instant killedAt = Instant.now();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (System.nanoTime() < deadline) {
            Optional<Long> pid = alivePid(what);
            if (pid.isPresent() && pid.get() != killed) {
                Instant back = Instant.now();
                System.out.printf("server crash test: %s (pid %d) killed; pid %d runs %.1f s later%n", what, killed, pid.get(),
                        (back.toEpochMilli() - killedAt.toEpochMilli()) / 1000.0);
                return back;
            }
            Containers.sleep(20);
        }
        throw new AssertionError(what + " was not started again within " + DEADLINE_SECONDS + " s\n" + log());
    }

    /** Waits until every key has a job and all are terminal; asserts exactly one job per key; prints the figure. */
    private static Map<String, List<Job>> settle(String phase, List<String> keys, Instant since) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        Map<String, List<Job>> now = null;
        while (System.nanoTime() < deadline) {
            now = jobsOf(keys);
            if (now != null && now.values().stream().allMatch(v -> !v.isEmpty() && v.stream().allMatch(j -> j.status().terminal()))) {
                break;
            }
            Containers.sleep(100);
        }
        double seconds = (Instant.now().toEpochMilli() - since.toEpochMilli()) / 1000.0;
        assertTrue(now != null, phase + ": DynamoDB did not come back\n" + log());
        Map<String, List<Job>> settled = now;
        Map<JobStatus, Long> statuses = new TreeMap<>();
        settled.values().forEach(v -> v.forEach(j -> statuses.merge(j.status(), 1L, Long::sum)));
        System.out.printf("server crash test: %s: %d job(s) terminal %.1f s after the server was back: %s%n", phase, keys.size(),
                seconds, statuses);
        settled.forEach((k, v) -> {
            assertEquals(1, v.size(), phase + ": " + k + " has exactly one job: " + v + "\n" + log());
            assertTrue(v.get(0).status().terminal(), phase + ": " + k + " is terminal within " + DEADLINE_SECONDS
                    + " s: " + v.get(0) + " " + v.get(0).statusReason() + "\n" + log());
        });
        return settled;
    }

    /** Every job SUCCEEDED, with its track summaries in DynamoDB and its whole result in the results bucket. */
    private static void assertAllSucceeded(Map<String, List<Job>> jobs) {
        TrackRepository tracks = new TrackRepository(stack.dynamo(), LocalStack.TABLE, null);
        jobs.forEach((key, v) -> {
            Job j = v.get(0);
            assertEquals(JobStatus.SUCCEEDED, j.status(), key + ": " + j.statusReason() + "\n" + log());
            // A random-weight model: what counts is that the result is whole, not how many tracks it has.
            assertTrue(j.result().trackCount() != null && j.result().boxCount() != null, key + " has its result counts");
            assertEquals(j.result().trackCount().intValue(),
                    tracks.page(j.jobId(), null, null, 1000, null).items().size(), key + ": every track summary stored");
            String mot = stack.s3().getObjectAsBytes(b -> b.bucket(LocalStack.RESULTS_BUCKET)
                    .key(CompletionService.resultKey(j.jobId()))).asUtf8String();
            assertEquals(j.result().boxCount().longValue(), mot.lines().filter(l -> !l.isBlank()).count(),
                    key + ": the result file holds every box");
        });
    }

    /** kill -9 of the stack's live child of kind {@code what}; returns its pid once it is gone. */
    private static long kill9(String what) throws Exception {
        long pid = alivePid(what).orElseThrow(() -> new AssertionError("no live " + what + " recorded\n" + log()));
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        h.destroyForcibly();
        h.onExit().get(10, TimeUnit.SECONDS);
        return pid;
    }

    /** The pid the stack recorded for a live child of kind {@code what} ({@code <data>/pids}). */
    private static Optional<Long> alivePid(String what) {
        Path pids = stack.dataDir().resolve("pids");
        if (!Files.isDirectory(pids)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(pids)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".json")).toList()) {
                try {
                    JsonNode o = JSON.readTree(f.toFile());
                    long pid = o.path("pid").asLong();
                    if (what.equals(o.path("what").asText()) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        return Optional.of(pid);
                    }
                } catch (IOException partlyWritten) {
                    // being written: the next look reads it
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Live descendants of this JVM whose command line contains {@code marker}. */
    private static List<ProcessHandle> descendants(String marker) {
        Predicate<ProcessHandle> matches = h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false);
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).filter(matches).toList();
    }

    /** The killed pid is gone and exactly one dynalite, one s3rver and at most one model server run. */
    private static void assertOneOfEachServer(long killed) {
        assertFalse(ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false), "pid " + killed + " is gone");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<ProcessHandle> dyn;
        List<ProcessHandle> s3;
        List<ProcessHandle> serve;
        do {
            dyn = descendants("dynalite-server.mjs");
            s3 = descendants("s3rver-with-events.mjs");
            serve = descendants("motflow_ml.serve");
            if (dyn.size() == 1 && s3.size() == 1 && serve.size() <= 1) {
                return;
            }
            Containers.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("servers running: dynalite " + dyn + ", s3rver " + s3 + ", model server " + serve);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
