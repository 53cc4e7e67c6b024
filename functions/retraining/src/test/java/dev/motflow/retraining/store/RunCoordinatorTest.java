package dev.motflow.retraining.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.motflow.retraining.RetryableException;
import dev.motflow.retraining.TestTables;
import dev.motflow.retraining.store.RunCoordinator.Admission;
import dev.motflow.common.Attr;
import dev.motflow.retraining.trigger.ExecutionStarter;
import dev.motflow.retraining.trigger.ExecutionStatus;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
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
    /** What the "workflow service" says about each execution; absent = RUNNING once started. */
    private final Map<String, ExecutionStatus.State> states = new HashMap<>();
    private RunCoordinator withStatus;
    private final List<String> notified = new ArrayList<>();

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
        ExecutionStatus status = new ExecutionStatus() {
            @Override
            public String executionArn(String name) {
                return "arn:aws:states:eu-west-1:123456789012:execution:retrain:" + name;
            }

            @Override
            public State state(String name) {
                return states.getOrDefault(name, started.contains(name) ? State.RUNNING : State.NOT_FOUND);
            }
        };
        withStatus = new RunCoordinator(local.dynamo(), table, starter, status, clock, Duration.ofHours(2))
                .notifyingReplaced((dataset, replaced, by) -> notified.add(dataset + ":" + replaced + "->" + by));
    }

    private static RunRequest request(String dataset, String version) {
        return new RunRequest(dataset, "bucket", "labelled/" + dataset + "/manifest.json", version, RunRequest.MOTCHALLENGE,
                false, "S3", "2026-11-25T06:00:00Z");
    }

    private Map<String, AttributeValue> lock() {
        var r = local.dynamo().getItem(b -> b.tableName(table).key(Keys.lock()).consistentRead(true));
        return r.hasItem() ? r.item() : null;
    }

    private Map<String, AttributeValue> run(String dataset, String name) {
        var r = local.dynamo().getItem(b -> b.tableName(table).key(Keys.run(dataset, name)).consistentRead(true));
        return r.hasItem() ? r.item() : null;
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

    @Test
    void aLockWhoseExecutionWasAbortedIsTakenOverWithoutWaitingForTheLease() {
        assertEquals(Admission.STARTED, withStatus.admit(request("street", "v1")).admission());
        new RunRecords(local.dynamo(), table, clock).validated("street", "street-v1", 1, "abc");
        assertEquals(Admission.QUEUED, withStatus.admit(request("park", "v1")).admission());
        assertEquals("arn:aws:states:eu-west-1:123456789012:execution:retrain:street-v1", Attr.str(lock(), "executionArn"));

        states.put("street-v1", ExecutionStatus.State.ABORTED); // StopExecution, or the runner was killed
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Admission.STARTED, withStatus.admit(request("street", "v2")).admission());
        assertEquals(List.of("street-v1", "street-v2"), started);
        Map<String, AttributeValue> lock = lock();
        assertEquals("street-v2", Attr.str(lock, "holder"));
        assertEquals("street-v1", Attr.str(lock, "takenOverFrom"));
        assertEquals("park-v1", Attr.str(lock.get("pending").m().get("park").m(), "executionName"), "the queue survives");
        assertEquals("ABANDONED", Attr.str(run("street", "street-v1"), "status"), "the dead run is no longer VALIDATED");

        assertEquals(Optional.of("park-v1"), withStatus.release("street-v2"));
        assertEquals(List.of("street-v1", "street-v2", "park-v1"), started);
        assertEquals(Optional.empty(), withStatus.release("street-v1"), "the dead run's late release frees nothing");
        assertEquals("park-v1", Attr.str(lock(), "holder"));
    }

    @Test
    void aRunningHolderKeepsTheLockPastItsLeaseAndAnExpiredDeadOneLosesIt() {
        withStatus.admit(request("street", "v1"));
        clock.advance(Duration.ofHours(3)); // a long training job: no step renewed the lease
        assertEquals(Admission.QUEUED, withStatus.admit(request("street", "v2")).admission(), "still RUNNING");
        assertEquals("street-v1", Attr.str(lock(), "holder"));

        states.put("street-v1", ExecutionStatus.State.SUCCEEDED); // ended without its last step releasing
        assertEquals(Admission.STARTED, withStatus.admit(request("park", "v1")).admission());
        assertEquals("park-v1", Attr.str(lock(), "holder"));
        assertEquals(Optional.of("street-v2"), withStatus.release("park-v1"));
    }

    @Test
    void aLockTakenButNotYetStartedIsLeftAloneUntilItsLeaseEnds() {
        failStarts.set(1);
        // a trigger took the lock and died before StartExecution; a second request arrived meanwhile
        assertThrows(RetryableException.class, () -> withStatus.admit(request("street", "v1")));
        local.dynamo().putItem(b -> b.tableName(table).item(Map.of(Keys.PK, Keys.lock().get(Keys.PK), Keys.SK,
                Keys.lock().get(Keys.SK), "holder", Attr.s("street-v0"), "acquiredAt", Attr.s(clock.instant().toString()),
                "leaseUntil", Attr.n(clock.instant().plus(Duration.ofHours(2)).getEpochSecond()), "started", Attr.bool(false))));
        assertEquals(Admission.QUEUED, withStatus.admit(request("park", "v1")).admission(), "its execution may not exist yet");
        clock.advance(Duration.ofHours(2).plusSeconds(1));
        assertEquals(Admission.STARTED, withStatus.admit(request("park", "v2")).admission(), "never started, lease over");
    }

    @Test
    void queuedRequestsAreKeptPerDatasetAndOnlyTheSameDatasetsOlderOneIsReplaced() {
        withStatus.admit(request("street", "v1"));
        assertEquals(Admission.QUEUED, withStatus.admit(request("street", "v2")).admission());
        clock.advance(Duration.ofSeconds(1));
        RunCoordinator.Admitted park = withStatus.admit(request("park", "v1"));
        assertEquals(Admission.QUEUED, park.admission());
        assertEquals(null, park.replaced(), "another dataset's request replaces nothing");
        clock.advance(Duration.ofSeconds(1));
        RunCoordinator.Admitted street = withStatus.admit(request("street", "v3"));
        assertEquals(Admission.QUEUED, street.admission());
        assertEquals("street-v2", street.replaced());
        Map<String, AttributeValue> replaced = run("street", "street-v2");
        assertEquals("REPLACED", Attr.str(replaced, "status"));
        assertEquals("street-v3", Attr.str(replaced, "replacedBy"));
        assertEquals(List.of("street:street-v2->street-v3"), notified, "the replaced request is notified, once");
        assertEquals(Admission.ALREADY_QUEUED, withStatus.admit(request("street", "v3")).admission());
        assertEquals(1, notified.size());

        RunCoordinator.LockView view = withStatus.view();
        assertEquals("street-v1", view.holder());
        assertEquals("RUNNING", view.executionStatus());
        assertEquals(List.of(new RunCoordinator.Pending("park", "park-v1", "2026-11-25T06:00:01Z"),
                new RunCoordinator.Pending("street", "street-v3", "2026-11-25T06:00:02Z")), view.pending());

        assertEquals(Optional.of("park-v1"), withStatus.release("street-v1"), "the oldest queued request goes first");
        assertEquals(Optional.of("street-v3"), withStatus.release("park-v1"));
        assertEquals(Optional.empty(), withStatus.release("street-v3"));
        assertEquals(null, lock());
        assertEquals(List.of("street-v1", "park-v1", "street-v3"), started);
    }

    @Test
    void stepsRecordingTheRunRenewTheHoldersLeaseOnly() {
        withStatus.admit(request("street", "v1"));
        long first = Attr.num(lock(), "leaseUntil", 0);
        clock.advance(Duration.ofMinutes(90));
        RunRecords records = new RunRecords(local.dynamo(), table, clock, Duration.ofHours(2));
        records.validated("street", "street-v1", 1, "abc");
        assertEquals(first + 90 * 60, Attr.num(lock(), "leaseUntil", 0));
        records.validated("park", "park-v9", 1, "abc"); // not the holder
        assertEquals(first + 90 * 60, Attr.num(lock(), "leaseUntil", 0));
    }

    @Test
    void anOperatorReleasesOnlyTheHolderNamedAndTheQueueMovesOn() {
        withStatus.admit(request("street", "v1"));
        withStatus.admit(request("park", "v1"));
        RunCoordinator.OperatorRelease wrong = withStatus.releaseByOperator("street-v0");
        assertEquals(RunCoordinator.ReleaseOutcome.HOLDER_MISMATCH, wrong.outcome());
        assertEquals("street-v1", wrong.currentHolder());

        RunCoordinator.OperatorRelease handed = withStatus.releaseByOperator("street-v1");
        assertEquals(RunCoordinator.ReleaseOutcome.HANDED_OVER, handed.outcome());
        assertEquals("park-v1", handed.followUp());
        assertEquals("ABANDONED", Attr.str(run("street", "street-v1"), "status"));
        assertEquals(RunCoordinator.ReleaseOutcome.RELEASED, withStatus.releaseByOperator("park-v1").outcome());
        assertEquals(RunCoordinator.ReleaseOutcome.NOT_HELD, withStatus.releaseByOperator("park-v1").outcome());
        assertEquals(null, withStatus.view().holder());
    }

    /**
     * A lock item as the code before the lease wrote it: holder, request, started, optionally the old
     * 11-day lease and a single queued request; no execution ARN.
     */
    private void putOldLock(String holder, RunRequest request, boolean started, Long leaseUntil,
                            Map<String, AttributeValue> pending, boolean withAcquiredAt) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.lock());
        item.put("holder", AttributeValue.fromS(holder));
        item.put("request", DynamoJson.fromObject(request));
        item.put("started", AttributeValue.fromBool(started));
        if (withAcquiredAt) {
            item.put("acquiredAt", AttributeValue.fromS(clock.instant().minus(Duration.ofDays(3)).toString()));
        }
        if (leaseUntil != null) {
            item.put("leaseUntil", AttributeValue.fromN(Long.toString(leaseUntil)));
        }
        if (pending != null) {
            item.put("pending", AttributeValue.fromM(pending));
        }
        local.dynamo().putItem(b -> b.tableName(table).item(item));
    }

    /** The old format's single queued request: the request's fields plus its execution name and queue time. */
    private Map<String, AttributeValue> oldPending(RunRequest request) {
        Map<String, AttributeValue> p = new HashMap<>(DynamoJson.fromObject(request).m());
        p.put("executionName", AttributeValue.fromS(request.executionName()));
        p.put("queuedAt", AttributeValue.fromS(clock.instant().minus(Duration.ofDays(2)).toString()));
        return p;
    }

    @Test
    void aLockWithoutALeaseFromBeforeTheLeaseIsTakenOverInsteadOfBlocking() {
        // Its run died (kill -9) after starting: the service does not know the execution any more.
        putOldLock("street-v0", request("street", "v0"), true, null, null, false);
        states.put("street-v0", ExecutionStatus.State.NOT_FOUND);
        RunCoordinator.LockView before = withStatus.view();
        assertEquals("street-v0", before.holder());
        assertEquals(null, before.expiry());
        assertTrue(before.leaseExpired(), "a lock without a lease counts as expired");

        assertEquals(Admission.STARTED, withStatus.admit(request("park", "v1")).admission());
        assertEquals("park-v1", Attr.str(lock(), "holder"));
        assertEquals("street-v0", Attr.str(lock(), "takenOverFrom"));
        assertEquals(clock.instant().plus(Duration.ofHours(2)).getEpochSecond(), Attr.num(lock(), "leaseUntil", 0),
                "the new holder has the current lease");
        assertEquals(List.of("park-v1"), started);
    }

    @Test
    void theOldElevenDayLockIsTakenOverFromADeadHolderButARunningOneKeepsItAndItsStepsShortenIt() {
        long elevenDays = clock.instant().plus(Duration.ofDays(11)).getEpochSecond();
        // A trigger that took the old lock and died before starting: blocked retraining for 11 days before.
        putOldLock("street-v0", request("street", "v0"), false, elevenDays, null, true);
        assertTrue(withStatus.view().leaseExpired(), "a lease longer than any this coordinator grants");
        assertEquals(Admission.STARTED, withStatus.admit(request("park", "v1")).admission(), "execution NOT_FOUND");
        assertEquals("street-v0", Attr.str(lock(), "takenOverFrom"));

        // The same old lock held by an execution still RUNNING stays its own; its next step renews it to 2 h.
        local.dynamo().deleteItem(b -> b.tableName(table).key(Keys.lock()));
        putOldLock("street-v1", request("street", "v1"), true, elevenDays, null, true);
        states.put("street-v1", ExecutionStatus.State.RUNNING);
        assertEquals(Admission.QUEUED, withStatus.admit(request("park", "v2")).admission());
        assertEquals("street-v1", Attr.str(lock(), "holder"));
        new RunRecords(local.dynamo(), table, clock, Duration.ofHours(2)).validated("street", "street-v1", 1, "abc");
        assertEquals(clock.instant().plus(Duration.ofHours(2)).getEpochSecond(), Attr.num(lock(), "leaseUntil", 0));
        assertFalse(withStatus.view().leaseExpired());
    }

    @Test
    void anOldSingleQueuedRequestIsConvertedToTheQueuePerDatasetAndStillRuns() {
        putOldLock("street-v1", request("street", "v1"), true, clock.instant().plus(Duration.ofHours(1)).getEpochSecond(),
                oldPending(request("park", "v1")), true);
        states.put("street-v1", ExecutionStatus.State.RUNNING);
        RunCoordinator.LockView view = withStatus.view();
        assertEquals(1, view.pending().size(), view.toString());
        assertEquals("park", view.pending().get(0).dataset());
        assertEquals("park-v1", view.pending().get(0).executionName());
        AttributeValue converted = lock().get("pending").m().get("park");
        assertEquals("park-v1", Attr.str(converted.m(), "executionName"), "stored per dataset now");

        // Another dataset queues next to it; the same dataset replaces it, recorded and notified.
        assertEquals(Admission.QUEUED, withStatus.admit(request("lake", "v1")).admission());
        RunCoordinator.Admitted replacing = withStatus.admit(request("park", "v2"));
        assertEquals("park-v1", replacing.replaced());
        assertEquals("REPLACED", Attr.str(run("park", "park-v1"), "status"));
        assertEquals(List.of("park:park-v1->park-v2"), notified);
        assertEquals(Optional.of("lake-v1"), withStatus.release("street-v1"), "the older queued request goes first");
        assertEquals(Optional.of("park-v2"), withStatus.release("lake-v1"));
        assertEquals(List.of("lake-v1", "park-v2"), started);
    }
}
