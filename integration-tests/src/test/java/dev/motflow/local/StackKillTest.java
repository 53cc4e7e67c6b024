package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.it.ServeProcesses;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.service.CompletionService;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.TrackRepository;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.RepoPaths;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * kill -9 of the whole stack (a child JVM running {@code ./motflow serve}) while it works, then a
 * restart on the same data folder. The jobs: a model is in production (a tiny random-weight one,
 * registered as {@code ./motflow import-model} does), videos are dropped and the stack is killed
 * while their inferences run; after the restart every video has exactly one job, SUCCEEDED with its
 * track summaries and whole result (the reconciler submits the work that died again), and no child
 * of the killed stack survives. The retraining lock: a run of dataset A holds it when the stack dies;
 * the restarted stack finds the lock still naming A's execution, which its runner does not know (it
 * ran in the dead process), and the next request (dataset B's upload) takes the lock over and its run
 * starts: the real lock code end to end (admission, conditional writes, the local runner's execution
 * status). The datasets are tiny and the test stops once B runs, so no model is trained.
 */
class StackKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_SECONDS = 120;
    private static final int VIDEOS = 3;

    @TempDir
    Path tmp;

    private final ServeProcesses serves = new ServeProcesses();

    @AfterEach
    void stopChildren() throws InterruptedException {
        serves.close();
    }

    /** {@code serve} in a child JVM on the data folder; returns once its stack.json names it. */
    private Process serve(Path data) throws Exception {
        return serves.start(data, 0, data.resolveSibling("serve-" + serves.count() + ".out"), WAIT_SECONDS);
    }

    private static JsonNode stackFile(Path data) {
        return ServeProcesses.stackFile(data);
    }

    /** Polls {@code GET /retraining/lock} until {@code until} holds; returns that answer. */
    private static JsonNode awaitLock(ApiClient api, Predicate<JsonNode> until, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        JsonNode lock = null;
        while (System.nanoTime() < deadline) {
            lock = api.get("/retraining/lock").expect(200, "GET /retraining/lock").body();
            if (until.test(lock)) {
                return lock;
            }
            Containers.sleep(50);
        }
        throw new AssertionError(what + " within " + WAIT_SECONDS + " s; last answer: " + lock);
    }

    @Test
    void killNineWhileJobsAndARetrainingRunWorkLosesNoResultAndFreesTheLock() throws Exception {
        Path root = RepoRoot.find();
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        CommandContext ctx = new CommandContext(root, data, 0, 600, new PrintStream(captured, true, StandardCharsets.UTF_8));
        Path model = tmp.resolve("model");
        Path video = tmp.resolve("video.mp4");
        TinyModel.make(root, model, Map.of(video, 6));
        Path labelled = tmp.resolve("labelled");
        Demo.synth(ctx, labelled, 2, 12, 3, false);
        List<String> validation = List.of("SYN-0003-02");

        Process first = serve(data);
        JsonNode endpoints = stackFile(data);
        ApiClient api = new ApiClient(URI.create(endpoints.path("api").asText()));
        S3Client s3 = LocalAws.s3Client(URI.create(endpoints.path("s3").asText()));
        try (StackConnection running = StackConnection.open(ctx)) {
            new ModelImport(ctx).register(running, model, "tiny");
        }
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < VIDEOS; i++) {
            String key = "incoming/stack-kill-" + i + ".mp4";
            s3.putObject(b -> b.bucket(LocalStack.DROP_BUCKET).key(key), RequestBody.fromFile(video));
            keys.add(key);
        }
        DatasetRetraining retraining = new DatasetRetraining(ctx);
        retraining.upload(s3, labelled, "lock-a", "v1", validation);
        // Started: A's execution runs (a lock taken but not yet started is the trigger's to finish, not a takeover).
        JsonNode held = awaitLock(api, l -> l.path("holder").asText("").startsWith("lock-a-") && l.path("started").asBoolean(),
                "dataset A's run took the lock and started");
        String deadHolder = held.path("holder").asText();
        DynamoDbClient firstDynamo = LocalAws.dynamoClient(URI.create(endpoints.path("dynamodb").asText()));
        Map<String, List<Job>> atKill = awaitJobs(firstDynamo, keys, jobs -> jobs.values().stream()
                .anyMatch(v -> !v.isEmpty() && v.get(0).status() == JobStatus.RUNNING), "a job running");

        Set<Long> children = ServeProcesses.childPids(data);
        first.destroyForcibly(); // SIGKILL: its work dies with it; the lock and the jobs stay in DynamoDB
        assertTrue(first.waitFor(20, TimeUnit.SECONDS));
        Map<JobStatus, Long> statusesAtKill = statuses(atKill);
        System.out.printf("stack kill test: at the kill -9, jobs %s, lock held by %s%n", statusesAtKill, deadHolder);
        assertTrue(atKill.values().stream().anyMatch(v -> v.isEmpty() || !v.get(0).status().terminal()),
                "some work was in flight at the kill: " + statusesAtKill);
        ServeProcesses.awaitGone(children);

        long restartedAt = System.nanoTime();
        serve(data);
        JsonNode again = stackFile(data);
        api = new ApiClient(URI.create(again.path("api").asText()));
        DynamoDbClient dynamo = LocalAws.dynamoClient(URI.create(again.path("dynamodb").asText()));
        S3Client s3Again = LocalAws.s3Client(URI.create(again.path("s3").asText()));
        Map<String, List<Job>> settled = awaitJobs(dynamo, keys, jobs -> jobs.values().stream()
                .allMatch(v -> !v.isEmpty() && v.stream().allMatch(j -> j.status().terminal())), "every job terminal");
        System.out.printf("stack kill test: all %d jobs terminal %.1f s after the restart began: %s%n", keys.size(),
                (System.nanoTime() - restartedAt) / 1e9, statuses(settled));
        TrackRepository tracks = new TrackRepository(dynamo, LocalStack.TABLE, null);
        settled.forEach((key, v) -> {
            assertEquals(1, v.size(), key + " has exactly one job: " + v);
            Job j = v.get(0);
            assertEquals(JobStatus.SUCCEEDED, j.status(), key + ": " + j.statusReason());
            assertEquals(j.result().trackCount().intValue(), tracks.page(j.jobId(), null, null, 1000, null).items().size(),
                    key + ": every track summary stored");
            String mot = s3Again.getObjectAsBytes(b -> b.bucket(LocalStack.RESULTS_BUCKET)
                    .key(CompletionService.resultKey(j.jobId()))).asUtf8String();
            assertEquals(j.result().boxCount().longValue(), mot.lines().filter(l -> !l.isBlank()).count(),
                    key + ": the result file holds every box");
        });

        // The lock: B's request (its run would compete with the jobs for the CPU, so it comes after them).
        JsonNode stale = api.get("/retraining/lock").expect(200, "GET /retraining/lock").body();
        assertEquals(deadHolder, stale.path("holder").asText(), "the killed run's lock survived the restart: " + stale);
        assertNotEquals("RUNNING", stale.path("status").asText(), "the new runner does not know the dead execution: " + stale);

        long t0 = System.nanoTime();
        retraining.upload(s3Again, labelled, "lock-b", "v1", validation);
        JsonNode taken = awaitLock(api, l -> l.path("holder").asText("").startsWith("lock-b-") && l.path("started").asBoolean(),
                "dataset B took the lock over and started");
        System.out.printf("stack kill test: B holds the lock %.1f s after its upload began: %s%n",
                (System.nanoTime() - t0) / 1e9, taken);
        assertEquals(deadHolder, taken.path("takenOverFrom").asText(), "the takeover names the dead holder: " + taken);
        JsonNode executions = api.get("/local/executions").expect(200, "GET /local/executions").body();
        boolean bRan = false;
        for (JsonNode e : executions.path("executions")) {
            if (e.path("name").asText().equals(taken.path("holder").asText())) {
                bRan = true;
            }
        }
        assertTrue(bRan, "B's execution was started by the restarted stack: " + executions);
    }

    /** Polls the jobs of {@code keys} (by source key) until {@code until} holds; returns them. */
    private static Map<String, List<Job>> awaitJobs(DynamoDbClient dynamo, List<String> keys,
                                                    Predicate<Map<String, List<Job>>> until, String what) {
        JobRepository repo = new JobRepository(dynamo, LocalStack.TABLE, Clock.systemUTC());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        Map<String, List<Job>> byKey = null;
        while (System.nanoTime() < deadline) {
            byKey = new TreeMap<>();
            for (String k : keys) {
                byKey.put(k, new ArrayList<>());
            }
            for (JobStatus s : JobStatus.values()) {
                for (Job j : repo.oldestInStatus(s, Instant.now().plusSeconds(3600), 10_000)) {
                    List<Job> of = byKey.get(j.source().key());
                    if (of != null) {
                        of.add(j);
                    }
                }
            }
            if (until.test(byKey)) {
                return byKey;
            }
            Containers.sleep(100);
        }
        throw new AssertionError(what + " within " + WAIT_SECONDS + " s; last: " + byKey);
    }

    private static Map<JobStatus, Long> statuses(Map<String, List<Job>> jobs) {
        Map<JobStatus, Long> out = new TreeMap<>();
        jobs.values().forEach(v -> v.forEach(j -> out.merge(j.status(), 1L, Long::sum)));
        return out;
    }
}
