package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.motflow.cli.Main;
import dev.motflow.jobs.store.JobTableSchema;
import dev.motflow.retraining.handler.RetrainingApiHandler;
import dev.motflow.retraining.store.Keys;
import dev.motflow.retraining.store.RunCoordinator;
import dev.motflow.retraining.trigger.ExecutionStarter;
import dev.motflow.retraining.trigger.ExecutionStatus;
import dev.motflow.retraining.trigger.LabelledDataTrigger;
import dev.motflow.retraining.trigger.RunRequest;
import dev.motflow.testsupport.LocalAws;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code ./motflow retraining lock}: show and release through the local API server and the real
 * retraining API handler, on a lock in dynalite; and its usage errors.
 */
class LockOperationsTest {
    @TempDir
    Path dir;

    private static RunRequest request(String dataset, String version) {
        return new RunRequest(dataset, "bucket", "labelled/" + dataset + "/manifest.json", version, RunRequest.MOTCHALLENGE,
                false, "S3", "2026-12-04T06:00:00Z");
    }

    @Test
    void showsTheHolderAndReleasesOnlyTheNamedOne() throws Exception {
        LocalAws aws = LocalAws.shared();
        String table = aws.uniqueName("lockcli");
        aws.dynamo().createTable(JobTableSchema.createTableRequest(table));
        aws.dynamo().waiter().waitUntilTableExists(b -> b.tableName(table));
        List<String> started = new ArrayList<>();
        ExecutionStarter starter = (name, input) -> {
            started.add(name);
            return ExecutionStarter.Started.STARTED;
        };
        ExecutionStatus status = new ExecutionStatus() {
            @Override
            public String executionArn(String name) {
                return "arn:aws:states:us-east-1:000000000000:execution:motflow-retrain:" + name;
            }

            @Override
            public State state(String name) {
                return started.contains(name) ? State.RUNNING : State.NOT_FOUND;
            }
        };
        RunCoordinator coordinator = new RunCoordinator(aws.dynamo(), table, starter, status, Clock.systemUTC(),
                Duration.ofHours(2));
        coordinator.admit(request("street", "v1"));
        coordinator.admit(request("park", "v1"));
        RetrainingApiHandler handler = new RetrainingApiHandler(new LabelledDataTrigger(aws.s3(), coordinator,
                Clock.systemUTC()), "labelled", Clock.systemUTC());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LockOperations ops = new LockOperations(new CommandContext(RepoRoot.find(), dir, 0, 60,
                new PrintStream(out, true, StandardCharsets.UTF_8)));
        try (LocalApiServer server = new LocalApiServer(0, m -> { })) {
            server.start(new LocalApiServer.Routes(null, null, handler, () -> "[]", null));
            ApiClient api = new ApiClient(server.url());

            assertEquals(0, ops.show(api));
            String shown = out.toString(StandardCharsets.UTF_8);
            assertTrue(shown.startsWith("held by street-v1 (execution RUNNING), since "), shown);
            assertTrue(shown.contains("; 1 queued") && shown.contains("\"dataset\" : \"park\""), shown);
            assertTrue(!shown.contains("lease expired"), shown);

            out.reset();
            assertEquals(1, ops.release(api, "street-v0"), "a holder that does not hold it");
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("not released: the retraining lock is held by street-v1"),
                    out.toString(StandardCharsets.UTF_8));
            assertEquals("street-v1", coordinator.view().holder());

            out.reset();
            assertEquals(0, ops.release(api, " street-v1 "));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("released the lock of street-v1; handed over to the"
                    + " queued request park-v1, which started"), out.toString(StandardCharsets.UTF_8));
            assertEquals(List.of("street-v1", "park-v1"), started);

            // A lock as written before the lease: no leaseUntil. It shows as expired, and the next request takes it.
            Map<String, AttributeValue> old = new HashMap<>(Keys.lock());
            old.put("holder", AttributeValue.fromS("lake-v0"));
            old.put("started", AttributeValue.fromBool(true));
            aws.dynamo().putItem(b -> b.tableName(table).item(old));
            out.reset();
            assertEquals(0, ops.show(api));
            shown = out.toString(StandardCharsets.UTF_8);
            assertTrue(shown.startsWith("held by lake-v0 (execution NOT_FOUND), acquired at an unrecorded time; no lease (written before leases)"
                    + " — lease expired: the next request takes the lock over unless the execution is running"), shown);
            assertEquals(RunCoordinator.Admission.STARTED, coordinator.admit(request("lake", "v1")).admission());

            out.reset();
            assertEquals(0, ops.release(api, "lake-v1"));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("released the lock of lake-v1; the lock is free"),
                    out.toString(StandardCharsets.UTF_8));
            assertEquals(1, ops.release(api, "lake-v1"), "nothing holds it any more");
        }
    }

    @Test
    void releaseWithoutAHolderAndTheBareGroupAreUsageErrors() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(new String[] {"retraining", "lock", "release", "--data-dir", dir.toString()}, console, errors));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("motflow retraining lock: release needs --holder NAME"),
                err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, Main.run(new String[] {"retraining"}, console, errors));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Missing required subcommand: lock"),
                err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, Main.run(new String[] {"retraining", "lock", "drop"}, console, errors));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("drop"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(0, Main.run(new String[] {"help", "retraining"}, console, errors));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("lock"), out.toString(StandardCharsets.UTF_8));
    }
}
