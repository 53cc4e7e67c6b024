package dev.motflow.retraining.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.motflow.common.Attr;
import dev.motflow.common.JsonLog;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.RetryableException;
import dev.motflow.retraining.trigger.ExecutionStarter;
import dev.motflow.retraining.trigger.RunRequest;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * One retraining at a time. A lock item (conditional put) names the running execution; a request
 * that arrives while it runs is stored in the lock as the single pending follow-up (a newer one
 * replaces it), and the run's last step hands the lock over to it and starts it. Every step is a
 * single-item conditional write, so concurrent triggers and a finishing run resolve to one winner.
 *
 * <p>The lock has a lease longer than the state machine's own timeout: a run that dies without
 * reaching its last step (aborted by hand) frees the lock when the lease runs out.
 */
public final class RunCoordinator {
    public enum Admission { STARTED, ALREADY_STARTED, QUEUED, ALREADY_QUEUED }

    public record Admitted(Admission admission, String executionName) {
    }

    private static final int MAX_ROUNDS = 8;

    private final DynamoDbClient dynamo;
    private final String table;
    private final ExecutionStarter starter;
    private final Clock clock;
    private final Duration lease;

    public RunCoordinator(DynamoDbClient dynamo, String table, ExecutionStarter starter, Clock clock, Duration lease) {
        this.dynamo = dynamo;
        this.table = table;
        this.starter = starter;
        this.clock = clock;
        this.lease = lease;
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
                Map<String, AttributeValue> lock = get(Keys.lock());
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
                AttributeValue pending = lock.get("pending");
                if (pending != null && pending.hasM() && name.equals(Attr.str(pending.m(), "executionName"))) {
                    return new Admitted(Admission.ALREADY_QUEUED, name);
                }
                if (queue(request, name, holder)) {
                    log.info("run-queued", "behind", holder, "replaced",
                            pending != null && pending.hasM() ? Attr.str(pending.m(), "executionName") : "-");
                    return new Admitted(Admission.QUEUED, name);
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
                Map<String, AttributeValue> lock = get(Keys.lock());
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
                AttributeValue pending = lock.get("pending");
                if (pending == null || !pending.hasM()) {
                    if (delete(executionName)) {
                        log.info("lock-released");
                        return Optional.empty();
                    }
                    continue;
                }
                RunRequest followUp = RunRequest.fromJson(DynamoJson.toJson(pending));
                String followUpName = followUp.executionName();
                if (Attr.flag(get(Keys.run(followUp.dataset(), followUpName)), "started")) {
                    dropPending(executionName, followUpName); // that data was trained on already
                    continue;
                }
                if (handOver(executionName, followUp, followUpName)) {
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
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR leaseUntil < :now")
                    .expressionAttributeValues(Map.of(":now", Attr.n(now.getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException held) {
            return false;
        }
    }

    private boolean queue(RunRequest request, String name, String holder) {
        Map<String, AttributeValue> pending = new HashMap<>(DynamoJson.fromObject(request).m());
        pending.put("executionName", Attr.s(name));
        pending.put("queuedAt", Attr.s(clock.instant().toString()));
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.lock())
                    .updateExpression("SET pending = :p")
                    .conditionExpression("holder = :h")
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromM(pending), ":h", Attr.s(holder))));
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    private boolean delete(String holder) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(Keys.lock())
                    .conditionExpression("holder = :h AND attribute_not_exists(pending)")
                    .expressionAttributeValues(Map.of(":h", Attr.s(holder))));
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    private void dropPending(String holder, String pendingName) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.lock())
                    .updateExpression("REMOVE pending")
                    .conditionExpression("holder = :h AND pending.executionName = :p")
                    .expressionAttributeValues(Map.of(":h", Attr.s(holder), ":p", Attr.s(pendingName))));
        } catch (ConditionalCheckFailedException changed) {
            // a newer follow-up replaced it; the next round looks again
        }
    }

    private boolean handOver(String holder, RunRequest followUp, String followUpName) {
        Instant now = clock.instant();
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.lock())
                    .updateExpression("SET holder = :n, #request = :r, acquiredAt = :now, leaseUntil = :lease, "
                            + "started = :false, handedOverBy = :h REMOVE pending")
                    .conditionExpression("holder = :h AND pending.executionName = :n")
                    .expressionAttributeNames(Map.of("#request", "request"))
                    .expressionAttributeValues(Map.of(":n", Attr.s(followUpName), ":r", DynamoJson.fromObject(followUp),
                            ":now", Attr.s(now.toString()), ":lease", Attr.n(now.plus(lease).getEpochSecond()),
                            ":false", Attr.bool(false), ":h", Attr.s(holder))));
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
                            .conditionExpression("holder = :h AND started = :false")
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

    private Map<String, AttributeValue> get(Map<String, AttributeValue> key) {
        var item = dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true));
        return item.hasItem() ? item.item() : null;
    }
}
