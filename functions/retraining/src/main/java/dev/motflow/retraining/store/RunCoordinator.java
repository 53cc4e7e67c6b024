package dev.motflow.retraining.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.motflow.common.Attr;
import dev.motflow.common.JsonLog;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.RetryableException;
import dev.motflow.retraining.trigger.ExecutionStarter;
import dev.motflow.retraining.trigger.ExecutionStatus;
import dev.motflow.retraining.trigger.ReplacedRequests;
import dev.motflow.retraining.trigger.RunRequest;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * One retraining at a time. A lock item (conditional put) names the running execution and its ARN;
 * a request that arrives while it runs is stored in the lock as the pending follow-up of its dataset
 * (one per dataset: a newer request for the same dataset replaces the older, which is recorded as a
 * REPLACED run; other datasets' requests are kept), and the run's last step hands the lock over to
 * the oldest pending request and starts it. Every step is a single-item conditional write, so
 * concurrent triggers and a finishing run resolve to one winner.
 *
 * <p>The lock has a lease (2 h by default) that the workflow's steps renew as they record the run
 * ({@link RunRecords}). A contender that finds the lock held asks the workflow service about the
 * holder ({@link ExecutionStatus}) and takes the lock over (conditional on that holder and its
 * acquisition) when the holder's execution has ended without releasing it (aborted, crashed, timed
 * out, gone), or when the lease ran out and the service does not say the execution is running. A
 * RUNNING holder keeps the lock past its lease: a long training job renews nothing until it ends.
 *
 * <p>Lock items written before the lease existed are read as expired-leased, so they are taken over
 * like any other lock whose lease ran out (at once, unless the service says the holder is RUNNING)
 * instead of blocking retraining: an item without {@code leaseUntil}, or with one further ahead than
 * this coordinator ever grants (the old 11-day lock). A single queued request of that format
 * ({@code pending} holding one request instead of one per dataset) is converted to the per-dataset
 * form the first time the lock is read.
 */
public final class RunCoordinator {
    public enum Admission { STARTED, ALREADY_STARTED, QUEUED, ALREADY_QUEUED }

    /**
     * @param replaced the execution name of the queued request of the same dataset this one replaced, or null
     */
    public record Admitted(Admission admission, String executionName, String replaced) {
        public Admitted(Admission admission, String executionName) {
            this(admission, executionName, null);
        }
    }

    /**
     * The lock as operators see it ({@code GET /retraining/lock}); {@code holder} null when free.
     * {@code expiry} is null for a lock without a lease; {@code leaseExpired} says whether the lease
     * no longer protects it (ran out, or a lock from before leases), so that the next request takes
     * it over unless its execution is running.
     */
    public record LockView(String holder, String executionArn, String since, Instant expiry, boolean started,
                           String executionStatus, String takenOverFrom, List<Pending> pending, boolean leaseExpired) {
    }

    /** A request waiting for the lock. */
    public record Pending(String dataset, String executionName, String queuedAt) {
    }

    /** What an operator release did. */
    public enum ReleaseOutcome { NOT_HELD, HOLDER_MISMATCH, RELEASED, HANDED_OVER }

    public record OperatorRelease(ReleaseOutcome outcome, String currentHolder, String followUp) {
    }

    /** The lease a coordinator gets unless configured: renewed by each step, so it only has to span one step's gap. */
    public static final Duration DEFAULT_LEASE = Duration.ofHours(2);

    /**
     * How far a lease may reach past now + this coordinator's lease before it counts as one this
     * configuration never granted (clocks of different Lambdas, a lease setting lowered by a deploy).
     */
    public static final Duration LEASE_SLACK = Duration.ofMinutes(5);

    private static final int MAX_ROUNDS = 8;

    private final DynamoDbClient dynamo;
    private final String table;
    private final ExecutionStarter starter;
    private final Clock clock;
    private final Duration lease;
    private final ExecutionStatus status;
    private ReplacedRequests replacedRequests = ReplacedRequests.NONE;

    /** Without a status source: an abandoned lock is freed only by its lease or an operator. */
    public RunCoordinator(DynamoDbClient dynamo, String table, ExecutionStarter starter, Clock clock, Duration lease) {
        this(dynamo, table, starter, ExecutionStatus.LEASE_ONLY, clock, lease);
    }

    public RunCoordinator(DynamoDbClient dynamo, String table, ExecutionStarter starter, ExecutionStatus status, Clock clock,
                          Duration lease) {
        this.dynamo = dynamo;
        this.table = table;
        this.starter = starter;
        this.status = status;
        this.clock = clock;
        this.lease = lease;
    }

    /** Who is told when a queued request is replaced by a newer one of its dataset. */
    public RunCoordinator notifyingReplaced(ReplacedRequests notifier) {
        this.replacedRequests = notifier;
        return this;
    }

    /** Starts the run now, or queues it as the follow-up of the running one; duplicates change nothing. */
    public Admitted admit(RunRequest request) {
        String name = request.executionName();
        JsonLog log = JsonLog.named("coordinator").with("executionName", name);
        try {
            Map<String, AttributeValue> run = get(Keys.run(request.dataset(), name));
            if (Attr.flag(run, "started")) {
                log.info("duplicate-request", "status", String.valueOf(Attr.str(run, "status")));
                return new Admitted(Admission.ALREADY_STARTED, name);
            }
            for (int round = 0; round < MAX_ROUNDS; round++) {
                if (tryAcquire(request, name)) {
                    startRun(request, name, true);
                    log.info("run-started", "dataset", request.dataset(), "trigger", request.trigger());
                    return new Admitted(Admission.STARTED, name);
                }
                Map<String, AttributeValue> lock = readLock();
                if (lock == null) {
                    continue; // released between our put and our read
                }
                String holder = Attr.str(lock, "holder");
                if (name.equals(holder)) {
                    if (!Attr.flag(lock, "started")) {
                        startRun(request, name, false); // an earlier attempt took the lock but died before starting
                    }
                    return new Admitted(Admission.ALREADY_STARTED, name);
                }
                if (tryTakeOver(request, name, lock, log)) {
                    startRun(request, name, true);
                    log.info("run-started", "dataset", request.dataset(), "trigger", request.trigger(), "tookOverFrom", holder);
                    return new Admitted(Admission.STARTED, name);
                }
                Map<String, AttributeValue> mine = pendingEntries(lock).get(request.dataset());
                if (mine != null && name.equals(Attr.str(mine, "executionName"))) {
                    return new Admitted(Admission.ALREADY_QUEUED, name);
                }
                if (queue(request, name, holder, lock.containsKey("pending"))) {
                    String replaced = mine == null ? null : Attr.str(mine, "executionName");
                    if (replaced != null) {
                        recordReplaced(request.dataset(), replaced, mine, name);
                    }
                    log.info("run-queued", "behind", holder, "dataset", request.dataset(), "replaced", replaced == null ? "-" : replaced);
                    return new Admitted(Admission.QUEUED, name, replaced);
                }
            }
            throw new RetryableException("retraining lock is contended; try again");
        } catch (SdkException e) {
            throw AwsErrors.classify("admit " + name, e);
        }
    }

    /**
     * Releases the lock held by {@code executionName}; if a follow-up is pending, hands the lock to
     * it and starts it. Safe to call again after a failure (a handed-over run that did not start is
     * started by the retry).
     *
     * @return the follow-up execution started, if any
     */
    public Optional<String> release(String executionName) {
        JsonLog log = JsonLog.named("coordinator").with("executionName", executionName);
        try {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                Map<String, AttributeValue> lock = readLock();
                if (lock == null) {
                    return Optional.empty();
                }
                String holder = Attr.str(lock, "holder");
                if (!executionName.equals(holder)) {
                    if (executionName.equals(Attr.str(lock, "handedOverBy")) && !Attr.flag(lock, "started")) {
                        RunRequest followUp = RunRequest.fromJson(DynamoJson.toJson(lock.get("request")));
                        startRun(followUp, holder, false);
                        log.info("follow-up-started", "followUp", holder, "retry", true);
                        return Optional.of(holder);
                    }
                    return Optional.empty(); // already released (a retried call)
                }
                Optional<Map.Entry<String, Map<String, AttributeValue>>> next = pendingEntries(lock).entrySet().stream()
                        .min(Comparator.comparing((Map.Entry<String, Map<String, AttributeValue>> e) ->
                                String.valueOf(Attr.str(e.getValue(), "queuedAt"))).thenComparing(Map.Entry::getKey));
                if (next.isEmpty()) {
                    if (delete(executionName)) {
                        log.info("lock-released");
                        return Optional.empty();
                    }
                    continue;
                }
                String pendingDataset = next.get().getKey();
                RunRequest followUp = RunRequest.fromJson(DynamoJson.toJson(AttributeValue.fromM(next.get().getValue())));
                String followUpName = followUp.executionName();
                if (Attr.flag(get(Keys.run(followUp.dataset(), followUpName)), "started")) {
                    dropPending(executionName, pendingDataset, followUpName); // that data was trained on already
                    continue;
                }
                if (handOver(executionName, pendingDataset, followUp, followUpName)) {
                    startRun(followUp, followUpName, false);
                    log.info("follow-up-started", "followUp", followUpName);
                    return Optional.of(followUpName);
                }
            }
            throw new RetryableException("retraining lock is contended; try again");
        } catch (SdkException e) {
            throw AwsErrors.classify("release " + executionName, e);
        }
    }

    private boolean tryAcquire(RunRequest request, String name) {
        Instant now = clock.instant();
        Map<String, AttributeValue> item = new HashMap<>(Keys.lock());
        item.put("holder", Attr.s(name));
        item.put("request", DynamoJson.fromObject(request));
        item.put("acquiredAt", Attr.s(now.toString()));
        item.put("leaseUntil", Attr.n(now.plus(lease).getEpochSecond()));
        item.put("started", Attr.bool(false));
        putArn(item, name);
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk)")
);
            return true;
        } catch (ConditionalCheckFailedException held) {
            return false;
        }
    }

    private void putArn(Map<String, AttributeValue> item, String name) {
        String arn = status.executionArn(name);
        if (arn != null) {
            item.put("executionArn", Attr.s(arn));
        }
    }

    /**
     * Takes the lock from a holder that can no longer release it: its execution ended or is gone
     * (after it was started), or its lease ran out and the service does not say it is running. The
     * write is conditional on the holder and its acquisition time, so of several contenders one wins,
     * and the holder's queued requests stay queued.
     */
    private boolean tryTakeOver(RunRequest request, String name, Map<String, AttributeValue> lock, JsonLog log) {
        String holder = Attr.str(lock, "holder");
        Instant now = clock.instant();
        boolean expired = leaseExpired(lock, now);
        boolean started = Attr.flag(lock, "started");
        if (!started && !expired) {
            return false; // its trigger is between taking the lock and starting: the execution may not exist yet
        }
        ExecutionStatus.State state = status.state(holder);
        boolean ended = started && !state.mayStillRelease();
        if (!ended && !(expired && state != ExecutionStatus.State.RUNNING && state != ExecutionStatus.State.PENDING_REDRIVE)) {
            return false;
        }
        Map<String, AttributeValue> item = new HashMap<>(Keys.lock());
        item.put("holder", Attr.s(name));
        item.put("request", DynamoJson.fromObject(request));
        item.put("acquiredAt", Attr.s(now.toString()));
        item.put("leaseUntil", Attr.n(now.plus(lease).getEpochSecond()));
        item.put("started", Attr.bool(false));
        item.put("takenOverFrom", Attr.s(holder));
        putArn(item, name);
        if (lock.containsKey("pending")) {
            item.put("pending", lock.get("pending"));
        }
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":h", Attr.s(holder));
        String condition;
        if (lock.containsKey("acquiredAt")) {
            condition = "holder = :h AND acquiredAt = :a";
            values.put(":a", lock.get("acquiredAt"));
        } else {
            condition = "holder = :h AND attribute_not_exists(acquiredAt)"; // an item of an older format
        }
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression(condition).expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
        log.info("lock-taken-over", "from", holder, "holderState", state.name(), "leaseExpired", expired);
        abandon(lock, holder, "lock taken over by " + name + ": execution " + state.name().toLowerCase(java.util.Locale.ROOT)
                + (expired ? ", lease expired" : ""));
        return true;
    }

    /** Marks the old holder's run ABANDONED unless it reached a final status, so no run item stays in flight forever. */
    private void abandon(Map<String, AttributeValue> lock, String holder, String reason) {
        AttributeValue request = lock.get("request");
        String dataset = request != null && request.hasM() ? Attr.str(request.m(), "dataset") : null;
        if (dataset == null) {
            return;
        }
        String now = clock.instant().toString();
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.run(dataset, holder))
                    .updateExpression("SET #s = :abandoned, reason = :reason, updatedAt = :now, finishedAt = :now")
                    .conditionExpression("attribute_exists(sk) AND NOT (#s IN (:promoted, :rejected, :failed, :abandoned))")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":abandoned", Attr.s("ABANDONED"), ":reason", Attr.s(reason),
                            ":now", Attr.s(now), ":promoted", Attr.s("PROMOTED"), ":rejected", Attr.s("REJECTED"),
                            ":failed", Attr.s("FAILED"))));
        } catch (ConditionalCheckFailedException finished) {
            // it ended properly (or has no run item): nothing to mark
        }
    }

    /** The lock's queued requests by dataset (empty when none). */
    private static Map<String, Map<String, AttributeValue>> pendingEntries(Map<String, AttributeValue> lock) {
        Map<String, Map<String, AttributeValue>> out = new TreeMap<>();
        AttributeValue pending = lock == null ? null : lock.get("pending");
        if (pending != null && pending.hasM()) {
            pending.m().forEach((dataset, entry) -> {
                if (entry.hasM()) {
                    out.put(dataset, entry.m());
                }
            });
        }
        return out;
    }

    /** Records a queued request that a newer one of its dataset replaced (it never ran; the newer one will). */
    private void recordReplaced(String dataset, String replaced, Map<String, AttributeValue> entry, String by) {
        Instant now = clock.instant();
        Map<String, AttributeValue> item = new HashMap<>(Keys.run(dataset, replaced));
        item.put("executionName", Attr.s(replaced));
        item.put("dataset", Attr.s(dataset));
        Map<String, AttributeValue> request = new HashMap<>(entry);
        request.remove("executionName");
        request.remove("queuedAt");
        item.put("request", AttributeValue.fromM(request));
        item.put("status", Attr.s("REPLACED"));
        item.put("started", Attr.bool(false));
        item.put("replacedBy", Attr.s(by));
        item.put("reason", Attr.s("replaced in the queue by " + by + " (a newer request for dataset " + dataset + ")"));
        if (entry.containsKey("queuedAt")) {
            item.put("createdAt", entry.get("queuedAt"));
        }
        item.put("updatedAt", Attr.s(now.toString()));
        item.put("finishedAt", Attr.s(now.toString()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(sk)"));
        } catch (ConditionalCheckFailedException exists) {
            // recorded already (a retried request)
        }
        JsonLog.named("coordinator").with("executionName", replaced)
                .log(JsonLog.Level.WARN, "queued-request-replaced", null, "dataset", dataset, "replacedBy", by);
        replacedRequests.replaced(dataset, replaced, by);
    }

    /** The lock for operators; the holder's execution state is asked of the workflow service. */
    public LockView view() {
        try {
            Map<String, AttributeValue> lock = readLock();
            if (lock == null) {
                return new LockView(null, null, null, null, false, null, null, List.of(), false);
            }
            String holder = Attr.str(lock, "holder");
            List<Pending> pending = new ArrayList<>();
            pendingEntries(lock).forEach((dataset, e) ->
                    pending.add(new Pending(dataset, Attr.str(e, "executionName"), Attr.str(e, "queuedAt"))));
            long until = Attr.num(lock, "leaseUntil", -1);
            return new LockView(holder, Attr.str(lock, "executionArn"), Attr.str(lock, "acquiredAt"),
                    until < 0 ? null : Instant.ofEpochSecond(until), Attr.flag(lock, "started"), status.state(holder).name(),
                    Attr.str(lock, "takenOverFrom"), pending, leaseExpired(lock, clock.instant()));
        } catch (SdkException e) {
            throw AwsErrors.classify("read lock", e);
        }
    }

    /**
     * An operator frees the lock held by {@code holder} (named in the request, so a release meant for
     * a run that already ended cannot free its successor's lock). The holder's run, unless it reached
     * a final status, is marked ABANDONED; the oldest queued request, if any, gets the lock and starts.
     */
    public OperatorRelease releaseByOperator(String holder) {
        JsonLog log = JsonLog.named("coordinator").with("executionName", holder);
        try {
            Map<String, AttributeValue> lock = readLock();
            if (lock == null) {
                return new OperatorRelease(ReleaseOutcome.NOT_HELD, null, null);
            }
            String current = Attr.str(lock, "holder");
            if (!holder.equals(current)) {
                return new OperatorRelease(ReleaseOutcome.HOLDER_MISMATCH, current, null);
            }
            Optional<String> followUp = release(holder);
            abandon(lock, holder, "lock released by an operator");
            log.info("lock-released-by-operator", "followUp", followUp.orElse("-"));
            return followUp.map(f -> new OperatorRelease(ReleaseOutcome.HANDED_OVER, f, f))
                    .orElseGet(() -> new OperatorRelease(ReleaseOutcome.RELEASED, null, null));
        } catch (SdkException e) {
            throw AwsErrors.classify("operator release " + holder, e);
        }
    }

    /** Puts the request in its dataset's slot of the holder's queue (replacing that dataset's older one only). */
    private boolean queue(RunRequest request, String name, String holder, boolean hasPending) {
        Map<String, AttributeValue> entry = new HashMap<>(DynamoJson.fromObject(request).m());
        entry.put("executionName", Attr.s(name));
        entry.put("queuedAt", Attr.s(clock.instant().toString()));
        try {
            if (hasPending) {
                dynamo.updateItem(b -> b.tableName(table).key(Keys.lock())
                        .updateExpression("SET pending.#ds = :p")
                        .conditionExpression("holder = :h AND attribute_exists(pending)")
                        .expressionAttributeNames(Map.of("#ds", request.dataset()))
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromM(entry), ":h", Attr.s(holder))));
            } else {
                dynamo.updateItem(b -> b.tableName(table).key(Keys.lock())
                        .updateExpression("SET pending = :p")
                        .conditionExpression("holder = :h AND attribute_not_exists(pending)")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromM(Map.of(request.dataset(),
                                AttributeValue.fromM(entry))), ":h", Attr.s(holder))));
            }
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    private boolean delete(String holder) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(Keys.lock())
                    .conditionExpression("holder = :h AND (attribute_not_exists(pending) OR size(pending) = :zero)")
                    .expressionAttributeValues(Map.of(":h", Attr.s(holder), ":zero", Attr.n(0))));
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    private void dropPending(String holder, String dataset, String pendingName) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.lock())
                    .updateExpression("REMOVE pending.#ds")
                    .conditionExpression("holder = :h AND pending.#ds.executionName = :p")
                    .expressionAttributeNames(Map.of("#ds", dataset))
                    .expressionAttributeValues(Map.of(":h", Attr.s(holder), ":p", Attr.s(pendingName))));
        } catch (ConditionalCheckFailedException changed) {
            // a newer follow-up replaced it; the next round looks again
        }
    }

    private boolean handOver(String holder, String dataset, RunRequest followUp, String followUpName) {
        Instant now = clock.instant();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":n", Attr.s(followUpName));
        values.put(":r", DynamoJson.fromObject(followUp));
        values.put(":now", Attr.s(now.toString()));
        values.put(":lease", Attr.n(now.plus(lease).getEpochSecond()));
        values.put(":false", Attr.bool(false));
        values.put(":h", Attr.s(holder));
        String arn = status.executionArn(followUpName);
        values.put(":arn", arn == null ? AttributeValue.fromNul(true) : Attr.s(arn));
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.lock())
                    .updateExpression("SET holder = :n, #request = :r, acquiredAt = :now, leaseUntil = :lease, "
                            + "started = :false, handedOverBy = :h, executionArn = :arn REMOVE pending.#ds, takenOverFrom")
                    .conditionExpression("holder = :h AND pending.#ds.executionName = :n")
                    .expressionAttributeNames(Map.of("#request", "request", "#ds", dataset))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    /**
     * Records the run and starts its execution. When the start fails and we took the lock just now,
     * the lock is given back so that the redelivered trigger can take it again.
     */
    private void startRun(RunRequest request, String name, boolean releaseOnFailure) {
        Instant now = clock.instant();
        Map<String, AttributeValue> item = new HashMap<>(Keys.run(request.dataset(), name));
        item.put("executionName", Attr.s(name));
        item.put("dataset", Attr.s(request.dataset()));
        item.put("request", DynamoJson.fromObject(request));
        item.put("status", Attr.s("STARTING"));
        item.put("started", Attr.bool(false));
        item.put("createdAt", Attr.s(now.toString()));
        item.put("updatedAt", Attr.s(now.toString()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(sk)"));
        } catch (ConditionalCheckFailedException exists) {
            // a previous attempt recorded it; starting is idempotent by name
        }
        try {
            starter.start(name, Json.write(request.toJson()));
        } catch (RuntimeException e) {
            if (releaseOnFailure) {
                try {
                    dynamo.deleteItem(b -> b.tableName(table).key(Keys.lock())
                            .conditionExpression("holder = :h AND started = :false AND attribute_not_exists(pending)")
                            .expressionAttributeValues(Map.of(":h", Attr.s(name), ":false", Attr.bool(false))));
                } catch (ConditionalCheckFailedException ignored) {
                    // someone queued behind us meanwhile or it is already gone; the lease covers the rest
                }
            }
            throw e;
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.run(request.dataset(), name))
                    .updateExpression("SET started = :true, updatedAt = :now")
                    .expressionAttributeValues(Map.of(":true", Attr.bool(true), ":now", Attr.s(clock.instant().toString()))));
            dynamo.updateItem(b -> b.tableName(table).key(Keys.run(request.dataset(), name))
                    .updateExpression("SET #s = :running")
                    .conditionExpression("#s = :starting")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":running", Attr.s("RUNNING"), ":starting", Attr.s("STARTING"))));
        } catch (ConditionalCheckFailedException alreadyMoved) {
            // the execution itself already recorded a later status
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.lock())
                    .updateExpression("SET started = :true")
                    .conditionExpression("holder = :h")
                    .expressionAttributeValues(Map.of(":true", Attr.bool(true), ":h", Attr.s(name))));
        } catch (ConditionalCheckFailedException released) {
            // the run already finished and released the lock
        }
    }

    /**
     * Whether the lease no longer protects the lock: it ran out, or the item has none or one longer
     * than this coordinator grants (written before the lease was renewed by the steps, e.g. the 11-day
     * lock), which counts as expired.
     */
    boolean leaseExpired(Map<String, AttributeValue> lock, Instant now) {
        AttributeValue until = lock.get("leaseUntil");
        if (until == null || until.n() == null) {
            return true;
        }
        long epoch = Long.parseLong(until.n());
        return epoch < now.getEpochSecond() || epoch > now.plus(lease).plus(LEASE_SLACK).getEpochSecond();
    }

    /**
     * The lock item (null when free), its queue in the per-dataset form: a lock of the older format
     * with one queued request in {@code pending} is converted first (conditional on that request).
     */
    private Map<String, AttributeValue> readLock() {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Map<String, AttributeValue> lock = get(Keys.lock());
            AttributeValue pending = lock == null ? null : lock.get("pending");
            if (pending == null || !pending.hasM() || !isSingleRequest(pending.m())) {
                return lock;
            }
            String dataset = Attr.str(pending.m(), "dataset");
            String queued = Attr.str(pending.m(), "executionName");
            try {
                dynamo.updateItem(b -> b.tableName(table).key(Keys.lock())
                        .updateExpression("SET pending = :p")
                        .conditionExpression("holder = :h AND pending.executionName = :n")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromM(Map.of(dataset, pending)),
                                ":h", lock.get("holder"), ":n", Attr.s(queued))));
                JsonLog.named("coordinator").with("executionName", queued).info("lock-queue-converted", "dataset", dataset,
                        "holder", Attr.str(lock, "holder"));
            } catch (ConditionalCheckFailedException changed) {
                // another reader converted it, or the queue moved on: read again
            }
        }
        throw new RetryableException("retraining lock is contended; try again");
    }

    /** {@code pending} of the older format: one request (its own fields) instead of dataset -> request. */
    private static boolean isSingleRequest(Map<String, AttributeValue> pending) {
        AttributeValue name = pending.get("executionName");
        AttributeValue dataset = pending.get("dataset");
        return name != null && name.s() != null && dataset != null && dataset.s() != null;
    }

    private Map<String, AttributeValue> get(Map<String, AttributeValue> key) {
        var item = dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true));
        return item.hasItem() ? item.item() : null;
    }
}
