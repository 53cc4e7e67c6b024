package dev.motflow.retraining.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.motflow.retraining.RetryableException;
import dev.motflow.retraining.TestTables;
import dev.motflow.retraining.store.RunCoordinator.Admission;
import dev.motflow.retraining.trigger.ExecutionStarter;
import dev.motflow.retraining.trigger.RunRequest;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.MutableClock;

class RunCoordinatorTest {
    private final LocalAws local = LocalAws.shared();
    private String table;
    private final List<String> started = new ArrayList<>();
    private final AtomicInteger failStarts = new AtomicInteger();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T06:00:00Z"));
    private RunCoordinator coordinator;

    @BeforeEach
    void setUp() {
        table = TestTables.create(local);
        ExecutionStarter starter = (name, input) -> {
            if (failStarts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new RetryableException("StartExecution throttled");
            }
            if (started.contains(name)) {
                return ExecutionStarter.Started.ALREADY_EXISTS;
            }
            started.add(name);
            return ExecutionStarter.Started.STARTED;
        };
        coordinator = new RunCoordinator(local.dynamo(), table, starter, clock, Duration.ofDays(11));
    }

    private static RunRequest request(String version) {
        return new RunRequest("street", "bucket", "labelled/street/manifest.json", version, RunRequest.MOTCHALLENGE, false,
                "S3", "2026-11-25T06:00:00Z");
    }

    @Test
    void oneRunAtATimeWithTheLatestArrivalQueued() {
        assertEquals(Admission.STARTED, coordinator.admit(request("v1")).admission());
        assertEquals(Admission.ALREADY_STARTED, coordinator.admit(request("v1")).admission(), "duplicate while running");
        assertEquals(Admission.QUEUED, coordinator.admit(request("v2")).admission());
        assertEquals(Admission.ALREADY_QUEUED, coordinator.admit(request("v2")).admission());
        assertEquals(Admission.QUEUED, coordinator.admit(request("v3")).admission(), "replaces v2");
        assertEquals(List.of("street-v1"), started);

        assertEquals(Optional.of("street-v3"), coordinator.release("street-v1"));
        assertEquals(List.of("street-v1", "street-v3"), started);
        assertEquals(Optional.empty(), coordinator.release("street-v1"), "a retried release changes nothing");
        assertEquals(Optional.empty(), coordinator.release("street-v3"));
        assertFalse(local.dynamo().getItem(b -> b.tableName(table).key(Keys.lock())).hasItem());
        assertEquals(Admission.ALREADY_STARTED, coordinator.admit(request("v1")).admission(), "finished runs are not rerun");
        assertEquals(Admission.STARTED, coordinator.admit(request("v4")).admission());
    }

    @Test
    void aFailedStartGivesTheLockBackSoTheRedeliveryCanStart() {
        failStarts.set(1);
        assertThrows(RetryableException.class, () -> coordinator.admit(request("v1")));
        assertTrue(started.isEmpty());
        assertEquals(Admission.STARTED, coordinator.admit(request("v1")).admission());
        assertEquals(List.of("street-v1"), started);
    }

    @Test
    void aHandOverWhoseStartFailedIsCompletedByTheRetriedRelease() {
        coordinator.admit(request("v1"));
        coordinator.admit(request("v2"));
        failStarts.set(1);
        assertThrows(RetryableException.class, () -> coordinator.release("street-v1"));
        assertEquals(Optional.of("street-v2"), coordinator.release("street-v1"));
        assertEquals(List.of("street-v1", "street-v2"), started);
    }

    @Test
    void anAbandonedLockExpiresWithItsLease() {
        coordinator.admit(request("v1"));
        assertEquals(Admission.QUEUED, coordinator.admit(request("v2")).admission());
        clock.advance(Duration.ofDays(12)); // v1's execution died without releasing
        assertEquals(Admission.STARTED, coordinator.admit(request("v5")).admission());
        assertEquals(List.of("street-v1", "street-v5"), started);
    }
}
