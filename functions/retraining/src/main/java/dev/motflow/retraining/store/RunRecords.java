package dev.motflow.retraining.store;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.Attr;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** Updates of the run item ({@code pk=DATASET#<dataset>, sk=RUN#<executionName>}) by the workflow's steps. */
public final class RunRecords {
    private static final String STATUS = "status";
    private static final String CANDIDATE_VERSION = "candidateVersion";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final Duration lease;

    /** Without lease renewal (reads, tests of single steps). */
    public RunRecords(DynamoDbClient dynamo, String table, Clock clock) {
        this(dynamo, table, clock, Duration.ZERO);
    }

    /** Each record a step makes also extends the run lock's lease to now + {@code lease} while this run holds it. */
    public RunRecords(DynamoDbClient dynamo, String table, Clock clock, Duration lease) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
        this.lease = lease;
    }

    /** The dataset failed validation with {@code problems} problems. */
    public void validationRejected(String dataset, String executionName, int problems) {
        set(dataset, executionName, Map.of(STATUS, Attr.s("VALIDATION_REJECTED"), "problems", Attr.n(problems)));
    }

    /** The dataset is valid: it is {@code datasetVersion}, scored on {@code validationSetId}. */
    public void validated(String dataset, String executionName, long datasetVersion, String validationSetId) {
        set(dataset, executionName, Map.of(STATUS, Attr.s("VALIDATED"), "datasetVersion", Attr.n(datasetVersion),
                "validationSetId", Attr.s(validationSetId)));
    }

    /** The production model's scores on this run's validation set. */
    public void productionScores(String dataset, String executionName, JsonNode scores) {
        set(dataset, executionName, Map.of("productionScores", DynamoJson.fromJson(scores)));
    }

    /** The candidate is model version {@code candidateVersion} with {@code scores}. */
    public void scored(String dataset, String executionName, long candidateVersion, JsonNode scores) {
        set(dataset, executionName, Map.of(STATUS, Attr.s("SCORED"), CANDIDATE_VERSION, Attr.n(candidateVersion),
                "candidateScores", DynamoJson.fromJson(scores)));
    }

    /** Where the run's model comes from (warm / cold / import), as ValidateDataset planned it. */
    public void trainingPlanned(String dataset, String executionName, String start, String summary, Long pretrainedVersion) {
        Map<String, AttributeValue> fields = new java.util.HashMap<>();
        fields.put("trainingStart", Attr.s(start));
        fields.put("trainingSummary", Attr.s(summary));
        if (pretrainedVersion != null) {
            fields.put("pretrainedVersion", Attr.n(pretrainedVersion));
        }
        set(dataset, executionName, fields);
    }

    /** The gate's verdict. */
    public void gateDecided(String dataset, String executionName, boolean approved, String reason) {
        set(dataset, executionName, Map.of(STATUS, Attr.s(approved ? "APPROVED" : "GATE_REJECTED"),
                "gateReason", Attr.s(reason)));
    }

    /**
     * The run ended with {@code outcome} (PROMOTED / REJECTED / FAILED).
     *
     * @param report the first problems, null for none
     * @param error the workflow's {@code {Error, Cause}}, null for none
     */
    public void finished(String dataset, String executionName, String outcome, String reason, java.time.Instant at,
                         JsonNode report, JsonNode error) {
        Map<String, AttributeValue> fields = new HashMap<>();
        fields.put(STATUS, Attr.s(outcome));
        fields.put("reason", Attr.s(reason));
        fields.put("finishedAt", Attr.s(at.toString()));
        if (report != null) {
            fields.put("report", DynamoJson.fromJson(report));
        }
        if (error != null) {
            fields.put("error", DynamoJson.fromJson(error));
        }
        set(dataset, executionName, fields);
    }

    /** The candidate version a run created, or null before it created one (or for no run). */
    public Long candidateVersion(String dataset, String executionName) {
        Map<String, AttributeValue> run = get(dataset, executionName);
        long v = Attr.num(run, CANDIDATE_VERSION, 0);
        return v == 0 ? null : v;
    }

    /** Sets {@code fields} (and updatedAt); creates the item when the run was started outside the trigger. */
    private void set(String dataset, String executionName, Map<String, AttributeValue> fields) {
        StringBuilder expr = new StringBuilder("SET updatedAt = :updatedAt, executionName = :executionName, dataset = :dataset");
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":updatedAt", Attr.s(clock.instant().toString()));
        values.put(":executionName", Attr.s(executionName));
        values.put(":dataset", Attr.s(dataset));
        int i = 0;
        for (Map.Entry<String, AttributeValue> e : fields.entrySet()) {
            expr.append(", #f").append(i).append(" = :v").append(i);
            names.put("#f" + i, e.getKey());
            values.put(":v" + i, e.getValue());
            i++;
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.run(dataset, executionName))
                    .updateExpression(expr.toString())
                    .expressionAttributeNames(names.isEmpty() ? null : names)
                    .expressionAttributeValues(values));
        } catch (SdkException e) {
            throw AwsErrors.classify("update run " + executionName, e);
        }
        renewLease(executionName);
    }

    /**
     * Extends the lock's lease: the step that records the run proves its execution alive. Only the
     * holder's lease is touched and never shortened, except one this configuration never grants (none,
     * or further ahead than the lease plus {@link RunCoordinator#LEASE_SLACK}: a lock from before the
     * lease), which is set to the lease; a run that lost its lock changes nothing.
     */
    private void renewLease(String executionName) {
        if (lease.isZero()) {
            return;
        }
        long until = clock.instant().plus(lease).getEpochSecond();
        long longest = until + RunCoordinator.LEASE_SLACK.toSeconds();
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.lock())
                    .updateExpression("SET leaseUntil = :until")
                    .conditionExpression("holder = :h AND (attribute_not_exists(leaseUntil) OR leaseUntil < :until"
                            + " OR leaseUntil > :longest)")
                    .expressionAttributeValues(Map.of(":until", Attr.n(until), ":h", Attr.s(executionName),
                            ":longest", Attr.n(longest))));
        } catch (ConditionalCheckFailedException notHeld) {
            // another run holds the lock (this one was taken over or released), or the lease is already longer
        } catch (SdkException e) {
            throw AwsErrors.classify("renew lock lease " + executionName, e);
        }
    }

    private Map<String, AttributeValue> get(String dataset, String executionName) {
        try {
            var r = dynamo.getItem(b -> b.tableName(table).key(Keys.run(dataset, executionName)).consistentRead(true));
            return r.hasItem() ? r.item() : null;
        } catch (SdkException e) {
            throw AwsErrors.classify("read run " + executionName, e);
        }
    }
}
