package dev.motflow.jobs.store;

import static dev.motflow.common.Attr.n;
import static dev.motflow.common.Attr.s;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Job items: creation with {@code attribute_not_exists(pk)}, status changes as compare-and-set on
 * status and version, history appended in the same write (docs/data-model.md).
 */
public final class JobRepository {
    /** Most history entries kept in a job item; the oldest are dropped beyond it. */
    public static final int MAX_HISTORY = 16;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public JobRepository(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }

    public String table() {
        return table;
    }

    /**
     * Creates a job in {@code status} unless one with this id exists.
     *
     * @return the created job, or empty when the id was taken (a duplicate)
     */
    public Optional<Job> create(String jobId, JobStatus status, String reason, Map<String, AttributeValue> attributes) {
        Instant now = clock.instant();
        String at = Times.format(now);
        Map<String, AttributeValue> item = new LinkedHashMap<>(attributes);
        item.put(JobTableSchema.PK, s(JobTableSchema.jobPk(jobId)));
        item.put(JobTableSchema.SK, s(JobTableSchema.JOB_SK));
        item.put("jobId", s(jobId));
        item.put("status", s(status.name()));
        if (reason != null) {
            item.put("statusReason", s(reason));
        }
        item.put("version", n(1));
        item.put("createdAt", s(at));
        item.put("updatedAt", s(at));
        item.put("history", AttributeValue.fromL(List.of(historyEntry(status, at, reason))));
        item.put(JobTableSchema.GSI1_PK, s(JobTableSchema.statusPk(status.name())));
        item.put(JobTableSchema.GSI1_SK, s(at + "#" + jobId));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk)"));
            return Optional.of(new Job(item));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /** A job by id, read consistently (every transition starts from this read). */
    public Optional<Job> get(String jobId) {
        GetItemResponse r = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of(JobTableSchema.PK, s(JobTableSchema.jobPk(jobId)), JobTableSchema.SK, s(JobTableSchema.JOB_SK))));
        return r.hasItem() && !r.item().isEmpty() ? Optional.of(new Job(r.item())) : Optional.empty();
    }

    /**
     * Moves {@code current} to {@code to}, stamping time and reason, setting {@code sets} and
     * removing {@code removes}, on condition that status and version are still what was read.
     *
     * @throws IllegalTransitionException when the lifecycle does not allow the move
     * @throws StaleJobException when another writer changed the job first
     */
    public Job transition(Job current, JobStatus to, String reason, Map<String, AttributeValue> sets,
                          Collection<String> removes) {
        JobStatus from = current.status();
        if (!from.canMoveTo(to)) {
            throw new IllegalTransitionException(current.jobId(), from, to);
        }
        String at = Times.format(clock.instant());
        Map<String, AttributeValue> all = new LinkedHashMap<>(sets);
        all.put("status", s(to.name()));
        all.put(JobTableSchema.GSI1_PK, s(JobTableSchema.statusPk(to.name())));
        List<String> rm = new ArrayList<>(removes);
        if (reason != null) {
            all.put("statusReason", s(reason));
        } else {
            rm.add("statusReason");
        }
        AttributeValue entry = historyEntry(to, at, reason);
        List<HistoryUpdate> history = List.of(current.history().size() < MAX_HISTORY
                ? new HistoryUpdate("list_append(#history, :h)", AttributeValue.fromL(List.of(entry)))
                : new HistoryUpdate(":h", AttributeValue.fromL(trimmedHistory(current, entry))));
        return write(current, at, all, rm, history.get(0), from);
    }

    /** Changes attributes without a status change (e.g. releasing a lease), same version check. */
    public Job update(Job current, Map<String, AttributeValue> sets, Collection<String> removes) {
        return write(current, Times.format(clock.instant()), sets, removes, null, current.status());
    }

    private record HistoryUpdate(String expression, AttributeValue value) {
    }

    private static List<AttributeValue> trimmedHistory(Job current, AttributeValue entry) {
        List<AttributeValue> old = current.item().get("history").l();
        List<AttributeValue> out = new ArrayList<>(old.subList(old.size() - (MAX_HISTORY - 1), old.size()));
        out.add(entry);
        return out;
    }

    private Job write(Job current, String at, Map<String, AttributeValue> sets, Collection<String> removes,
                      HistoryUpdate history, JobStatus expectedStatus) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> setParts = new ArrayList<>();
        int i = 0;
        Map<String, AttributeValue> all = new LinkedHashMap<>(sets);
        all.put("updatedAt", s(at));
        all.put("version", n(current.version() + 1));
        for (Map.Entry<String, AttributeValue> e : all.entrySet()) {
            names.put("#a" + i, e.getKey());
            values.put(":a" + i, e.getValue());
            setParts.add("#a" + i + " = :a" + i);
            i++;
        }
        if (history != null) {
            names.put("#history", "history");
            values.put(":h", history.value());
            setParts.add("#history = " + history.expression());
        }
        StringBuilder expr = new StringBuilder("SET ").append(String.join(", ", setParts));
        List<String> rmParts = new ArrayList<>();
        for (String r : removes) {
            if (all.containsKey(r)) {
                continue;
            }
            names.put("#r" + rmParts.size(), r);
            rmParts.add("#r" + rmParts.size());
        }
        if (!rmParts.isEmpty()) {
            expr.append(" REMOVE ").append(String.join(", ", rmParts));
        }
        names.put("#cs", "status");
        names.put("#cv", "version");
        values.put(":cs", s(expectedStatus.name()));
        values.put(":cv", n(current.version()));
        try {
            UpdateItemResponse r = dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(JobTableSchema.PK, s(JobTableSchema.jobPk(current.jobId())),
                            JobTableSchema.SK, s(JobTableSchema.JOB_SK)))
                    .updateExpression(expr.toString())
                    .conditionExpression("#cs = :cs AND #cv = :cv")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW));
            return new Job(r.attributes());
        } catch (ConditionalCheckFailedException e) {
            throw new StaleJobException(current.jobId(), "changed since read (expected " + expectedStatus
                    + " v" + current.version() + ")");
        }
    }

    /** Jobs in {@code status}, newest first. */
    public Page<Job> listByStatus(JobStatus status, int limit, Map<String, AttributeValue> startKey) {
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(JobTableSchema.GSI1)
                .keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", s(JobTableSchema.statusPk(status.name()))))
                .scanIndexForward(false)
                .limit(limit);
        if (startKey != null) {
            q.exclusiveStartKey(startKey);
        }
        QueryResponse r = dynamo.query(q.build());
        List<Job> jobs = new ArrayList<>();
        for (Map<String, AttributeValue> item : r.items()) {
            jobs.add(new Job(item));
        }
        return new Page<>(jobs, r.hasLastEvaluatedKey() ? r.lastEvaluatedKey() : null);
    }

    private static AttributeValue historyEntry(JobStatus status, String at, String reason) {
        Map<String, AttributeValue> m = new LinkedHashMap<>();
        m.put("status", s(status.name()));
        m.put("at", s(at));
        if (reason != null) {
            m.put("reason", s(reason));
        }
        return AttributeValue.fromM(m);
    }
}
