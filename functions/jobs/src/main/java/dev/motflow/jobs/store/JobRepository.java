package dev.motflow.jobs.store;

import static dev.motflow.common.Attr.n;
import static dev.motflow.common.Attr.s;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.motflow.jobs.model.HistoryEntry;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.table.TableKeys;
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
     * Creates a job in {@code status} with the attributes of {@code initial}, unless one with this id exists.
     *
     * @return the created job, or empty when the id was taken (a duplicate)
     */
    public Optional<Job> create(String jobId, JobStatus status, String reason, JobUpdate initial) {
        Instant now = clock.instant();
        String at = Times.format(now);
        Map<String, AttributeValue> item = new LinkedHashMap<>(JobItems.attributes(initial));
        item.putAll(JobItems.key(jobId));
        item.put(JobItems.JOB_ID, s(jobId));
        item.put(JobItems.STATUS, s(status.name()));
        if (reason != null) {
            item.put(JobItems.STATUS_REASON, s(reason));
        }
        item.put(JobItems.VERSION, n(1));
        item.put(JobItems.CREATED_AT, s(at));
        item.put(JobItems.UPDATED_AT, s(at));
        item.put(JobItems.HISTORY, AttributeValue.fromL(List.of(JobItems.historyEntry(new HistoryEntry(status, now, reason)))));
        item.put(TableKeys.GSI1_PK, s(TableKeys.statusPk(status.name())));
        item.put(TableKeys.GSI1_SK, s(TableKeys.statusSk(at, jobId)));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk)"));
            return Optional.of(JobItems.fromItem(item));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /** A job by id, read consistently (every transition starts from this read). */
    public Optional<Job> get(String jobId) {
        GetItemResponse r = dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(JobItems.key(jobId)));
        return r.hasItem() && !r.item().isEmpty() ? Optional.of(JobItems.fromItem(r.item())) : Optional.empty();
    }

    /**
     * Moves {@code current} to {@code to}, stamping time and reason and applying {@code changes}, on
     * condition that status and version are still what was read.
     *
     * @throws IllegalTransitionException when the lifecycle does not allow the move
     * @throws StaleJobException when another writer changed the job first
     */
    public Job transition(Job current, JobStatus to, String reason, JobUpdate changes) {
        JobStatus from = current.status();
        if (!from.canMoveTo(to)) {
            throw new IllegalTransitionException(current.jobId(), from, to);
        }
        Instant now = clock.instant();
        Map<String, AttributeValue> all = JobItems.attributes(changes);
        all.put(JobItems.STATUS, s(to.name()));
        all.put(TableKeys.GSI1_PK, s(TableKeys.statusPk(to.name())));
        List<String> rm = removedNames(changes);
        if (reason != null) {
            all.put(JobItems.STATUS_REASON, s(reason));
        } else {
            rm.add(JobItems.STATUS_REASON);
        }
        HistoryEntry entry = new HistoryEntry(to, now, reason);
        HistoryUpdate history = current.history().size() < MAX_HISTORY
                ? new HistoryUpdate("list_append(#history, :h)", AttributeValue.fromL(List.of(JobItems.historyEntry(entry))))
                : new HistoryUpdate(":h", AttributeValue.fromL(trimmedHistory(current, entry)));
        return write(current, Times.format(now), all, rm, history, from);
    }

    /** Changes attributes without a status change (e.g. releasing a lease), same version check. */
    public Job update(Job current, JobUpdate changes) {
        return write(current, Times.format(clock.instant()), JobItems.attributes(changes), removedNames(changes), null,
                current.status());
    }

    private record HistoryUpdate(String expression, AttributeValue value) {
    }

    private static List<String> removedNames(JobUpdate changes) {
        List<String> out = new ArrayList<>();
        changes.removes().forEach(f -> out.add(f.name()));
        return out;
    }

    private static List<AttributeValue> trimmedHistory(Job current, HistoryEntry entry) {
        List<HistoryEntry> old = current.history();
        List<AttributeValue> out = new ArrayList<>();
        for (HistoryEntry h : old.subList(old.size() - (MAX_HISTORY - 1), old.size())) {
            out.add(JobItems.historyEntry(h));
        }
        out.add(JobItems.historyEntry(entry));
        return out;
    }

    private Job write(Job current, String at, Map<String, AttributeValue> sets, List<String> removes,
                      HistoryUpdate history, JobStatus expectedStatus) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> setParts = new ArrayList<>();
        int i = 0;
        Map<String, AttributeValue> all = new LinkedHashMap<>(sets);
        all.put(JobItems.UPDATED_AT, s(at));
        all.put(JobItems.VERSION, n(current.version() + 1));
        for (Map.Entry<String, AttributeValue> e : all.entrySet()) {
            names.put("#a" + i, e.getKey());
            values.put(":a" + i, e.getValue());
            setParts.add("#a" + i + " = :a" + i);
            i++;
        }
        if (history != null) {
            names.put("#history", JobItems.HISTORY);
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
        names.put("#cs", JobItems.STATUS);
        names.put("#cv", JobItems.VERSION);
        values.put(":cs", s(expectedStatus.name()));
        values.put(":cv", n(current.version()));
        try {
            UpdateItemResponse r = dynamo.updateItem(b -> b.tableName(table)
                    .key(JobItems.key(current.jobId()))
                    .updateExpression(expr.toString())
                    .conditionExpression("#cs = :cs AND #cv = :cv")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW));
            return JobItems.fromItem(r.attributes());
        } catch (ConditionalCheckFailedException e) {
            throw new StaleJobException(current.jobId(), "changed since read (expected " + expectedStatus
                    + " v" + current.version() + ")");
        }
    }

    /** Jobs in {@code status}, newest first, from {@code start} (null: the first page). */
    public Page<Job> listByStatus(JobStatus status, int limit, PageKey start) {
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(TableKeys.GSI1)
                .keyConditionExpression(TableKeys.GSI1_PK + " = :p")
                .expressionAttributeValues(Map.of(":p", s(TableKeys.statusPk(status.name()))))
                .scanIndexForward(false)
                .limit(limit);
        if (start != null) {
            q.exclusiveStartKey(PageKey.startKey(start));
        }
        QueryResponse r = dynamo.query(q.build());
        List<Job> jobs = new ArrayList<>();
        for (Map<String, AttributeValue> item : r.items()) {
            jobs.add(JobItems.fromItem(item));
        }
        return new Page<>(jobs, r.hasLastEvaluatedKey() ? PageKey.of(r.lastEvaluatedKey()) : null);
    }

    /** Most index items one owner's list reads per request (other owners' jobs are read and dropped). */
    public static final int MAX_OWNER_SCAN = 500;
    private static final int OWNER_SCAN_ROUND = 100;

    /**
     * {@code owner}'s jobs in {@code status}, newest first, from {@code start} (null: the first page).
     * The status partition is read with a filter on the owner, {@value #OWNER_SCAN_ROUND} items a
     * round, until {@code limit} jobs are found or {@value #MAX_OWNER_SCAN} items were read: a page
     * may then hold fewer than {@code limit} jobs (even none) and still have a next key. The next key
     * of a full page is the index key of its last job, so no job is skipped or repeated.
     */
    public Page<Job> listByStatusOwnedBy(JobStatus status, String owner, int limit, PageKey start) {
        List<Job> jobs = new ArrayList<>();
        Map<String, AttributeValue> from = PageKey.startKey(start);
        int read = 0;
        while (true) {
            QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(TableKeys.GSI1)
                    .keyConditionExpression("#p = :p")
                    .filterExpression("#o = :o")
                    .expressionAttributeNames(Map.of("#p", TableKeys.GSI1_PK, "#o", JobField.OWNER.name()))
                    .expressionAttributeValues(Map.of(":p", s(TableKeys.statusPk(status.name())), ":o", s(owner)))
                    .scanIndexForward(false)
                    .limit(OWNER_SCAN_ROUND);
            if (from != null) {
                q.exclusiveStartKey(from);
            }
            QueryResponse r = dynamo.query(q.build());
            read += r.scannedCount() == null ? OWNER_SCAN_ROUND : r.scannedCount();
            List<Map<String, AttributeValue>> items = r.items();
            for (int i = 0; i < items.size(); i++) {
                jobs.add(JobItems.fromItem(items.get(i)));
                if (jobs.size() == limit) {
                    boolean more = i < items.size() - 1 || (r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty());
                    return new Page<>(jobs, more ? PageKey.of(indexKey(items.get(i))) : null);
                }
            }
            from = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
            if (from == null || read >= MAX_OWNER_SCAN) {
                return new Page<>(jobs, PageKey.of(from));
            }
        }
    }

    /** The LastEvaluatedKey DynamoDB would give after {@code item} in the status index. */
    private static Map<String, AttributeValue> indexKey(Map<String, AttributeValue> item) {
        return Map.of(TableKeys.PK, item.get(TableKeys.PK), TableKeys.SK, item.get(TableKeys.SK),
                TableKeys.GSI1_PK, item.get(TableKeys.GSI1_PK), TableKeys.GSI1_SK, item.get(TableKeys.GSI1_SK));
    }

    /**
     * Up to {@code limit} jobs in {@code status} created before {@code createdBefore}, oldest first
     * (the reconciler's sweep: index partition {@code STATUS#<status>}, sort key below the cut-off).
     * The index is eventually consistent: callers re-read a job with {@link #get} before moving it.
     */
    public List<Job> oldestInStatus(JobStatus status, Instant createdBefore, int limit) {
        List<Job> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(TableKeys.GSI1)
                    .keyConditionExpression("#p = :p AND #s < :cut")
                    .expressionAttributeNames(Map.of("#p", TableKeys.GSI1_PK, "#s", TableKeys.GSI1_SK))
                    .expressionAttributeValues(Map.of(":p", s(TableKeys.statusPk(status.name())),
                            ":cut", s(Times.format(createdBefore))))
                    .scanIndexForward(true)
                    .limit(Math.min(100, limit - out.size()));
            if (start != null) {
                q.exclusiveStartKey(start);
            }
            QueryResponse r = dynamo.query(q.build());
            for (Map<String, AttributeValue> item : r.items()) {
                out.add(JobItems.fromItem(item));
            }
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null && out.size() < limit);
        return out;
    }

    /** The partition of {@code status} in the index: page tokens of a status list must stay in it. */
    public static String statusPartition(JobStatus status) {
        return TableKeys.statusPk(status.name());
    }

    /** The LastEvaluatedKey of {@link #listByStatus}: the job's table key and its index key in that partition. */
    public static PageTokens.KeyShape statusPageShape(JobStatus status) {
        return new PageTokens.KeyShape(Map.of(TableKeys.PK, TableKeys.jobPk(""), TableKeys.SK, TableKeys.JOB_SK,
                TableKeys.GSI1_PK, statusPartition(status), TableKeys.GSI1_SK, ""), TableKeys.GSI1_PK,
                statusPartition(status));
    }
}
