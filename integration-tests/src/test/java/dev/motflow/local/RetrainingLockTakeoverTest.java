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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.RepoPaths;

/**
 * The retraining lock under a real kill -9: a run of dataset A holds the lock in a stack (a child JVM
 * running {@code ./motflow serve}) that is killed with -9; a stack started again on the same data
 * folder finds the lock still naming A's execution, which its runner does not know (it ran in the
 * dead process); the next request (dataset B's upload) takes the lock over and its run starts. The
 * real lock code end to end (admission, conditional writes, the local runner's execution status);
 * the datasets are tiny and the test stops once B runs, so no model is trained.
 */
class RetrainingLockTakeoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_SECONDS = 120;

    @TempDir
    Path tmp;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    /** {@code serve} in a child JVM on the data folder; returns once its stack.json names it. */
    private Process serve(Path data) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = data.resolveSibling("serve-" + children.size() + ".out");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                "-Dmotflow.repo.root=" + RepoPaths.root(), "dev.motflow.cli.Main", "serve", "--data-dir", data.toString(),
                "--port", "0")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        children.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), "serve exited: " + Files.readString(out));
            JsonNode s = stackFile(data);
            if (s != null && s.path("pid").asLong() == p.pid()) {
                return p;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the stack did not start within " + WAIT_SECONDS + " s");
    }

    private static JsonNode stackFile(Path data) {
        try {
            return JSON.readTree(data.resolve("stack.json").toFile());
        } catch (IOException e) {
            return null;
        }
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
    void aNewRequestTakesOverTheLockOfARunKilledWithTheStack() throws Exception {
        Path root = RepoRoot.find();
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        CommandContext ctx = new CommandContext(root, data, 0, 600, new PrintStream(captured, true, StandardCharsets.UTF_8));
        Path labelled = tmp.resolve("labelled");
        Demo.synth(ctx, labelled, 2, 12, 3, false);
        List<String> validation = List.of("SYN-0003-02");

        Process first = serve(data);
        JsonNode endpoints = stackFile(data);
        ApiClient api = new ApiClient(URI.create(endpoints.path("api").asText()));
        DatasetRetraining retraining = new DatasetRetraining(ctx);
        retraining.upload(LocalAws.s3Client(URI.create(endpoints.path("s3").asText())), labelled, "lock-a", "v1", validation);
        // Started: A's execution runs (a lock taken but not yet started is the trigger's to finish, not a takeover).
        JsonNode held = awaitLock(api, l -> l.path("holder").asText("").startsWith("lock-a-") && l.path("started").asBoolean(),
                "dataset A's run took the lock and started");
        String deadHolder = held.path("holder").asText();

        first.destroyForcibly(); // SIGKILL: the run dies with the stack, its lock stays in DynamoDB
        assertTrue(first.waitFor(20, TimeUnit.SECONDS));

        serve(data);
        JsonNode again = stackFile(data);
        api = new ApiClient(URI.create(again.path("api").asText()));
        JsonNode stale = api.get("/retraining/lock").expect(200, "GET /retraining/lock").body();
        assertEquals(deadHolder, stale.path("holder").asText(), "the killed run's lock survived the restart: " + stale);
        assertNotEquals("RUNNING", stale.path("status").asText(), "the new runner does not know the dead execution: " + stale);

        long t0 = System.nanoTime();
        retraining.upload(LocalAws.s3Client(URI.create(again.path("s3").asText())), labelled, "lock-b", "v1", validation);
        JsonNode taken = awaitLock(api, l -> l.path("holder").asText("").startsWith("lock-b-") && l.path("started").asBoolean(),
                "dataset B took the lock over and started");
        System.out.printf("lock takeover test: B holds the lock %.1f s after its upload began: %s%n",
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
}
