package dev.motflow.retraining.score;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.Attr;
import dev.motflow.retraining.RetryableException;
import dev.motflow.retraining.store.AwsErrors;
import dev.motflow.retraining.store.DynamoJson;
import dev.motflow.retraining.store.Keys;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Model versions ({@code MODEL#<name>}, {@code V#<n>}) with their scores per validation set, and the
 * production pointer ({@code sk=CURRENT}), moved only by compare-and-set on the version it replaces.
 */
public final class ModelRegistry {
    /** The production pointer. */
    public record Current(long version, String artifactS3Uri, String endpointConfigName) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final String model;
    private final Clock clock;

    public ModelRegistry(DynamoDbClient dynamo, String table, String model, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.model = model;
        this.clock = clock;
    }

    public String model() {
        return model;
    }

    /**
     * Creates the next version number for a candidate (never reusing a number); its scores are
     * stored under {@code validationSetId} unless that is null.
     */
    public long createCandidate(String artifactS3Uri, long datasetVersion, String validationSetId, JsonNode scores,
                                String executionName) {
        try {
            for (int round = 0; round < 5; round++) {
                var newest = dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND begins_with(sk, :v)")
                        .expressionAttributeValues(Map.of(":pk", Attr.s("MODEL#" + model), ":v", Attr.s("V#")))
                        .scanIndexForward(false).limit(1).consistentRead(true));
                long next = newest.items().isEmpty() ? 1 : Long.parseLong(Attr.str(newest.items().get(0), "sk").substring(2)) + 1;
                Map<String, AttributeValue> item = new HashMap<>(Keys.modelVersion(model, next));
                item.put("artifactS3Uri", Attr.s(artifactS3Uri));
                item.put("datasetVersion", Attr.n(datasetVersion));
                // a forced import without a dataset has no validation set and no scores
                item.put("metrics", AttributeValue.fromM(validationSetId == null ? Map.of()
                        : Map.of(validationSetId, DynamoJson.fromJson(scores))));
                item.put("status", Attr.s("CANDIDATE"));
                item.put("executionName", Attr.s(executionName));
                item.put("createdAt", Attr.s(clock.instant().toString()));
                try {
                    dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(sk)"));
                    return next;
                } catch (ConditionalCheckFailedException taken) {
                    // a concurrent writer took the number
                }
            }
            throw new RetryableException("model version numbers are contended");
        } catch (SdkException e) {
            throw AwsErrors.classify("create model version", e);
        }
    }

    public Map<String, AttributeValue> version(long version) {
        try {
            var r = dynamo.getItem(b -> b.tableName(table).key(Keys.modelVersion(model, version)).consistentRead(true));
            return r.hasItem() ? r.item() : null;
        } catch (SdkException e) {
            throw AwsErrors.classify("read model version", e);
        }
    }

    public Current current() {
        try {
            var r = dynamo.getItem(b -> b.tableName(table).key(Keys.modelCurrent(model)).consistentRead(true));
            if (!r.hasItem()) {
                return null;
            }
            return new Current(Attr.num(r.item(), "version", 0), Attr.str(r.item(), "artifactS3Uri"),
                    Attr.str(r.item(), "endpointConfigName"));
        } catch (SdkException e) {
            throw AwsErrors.classify("read production pointer", e);
        }
    }

    /** The scores stored for {@code version} on {@code validationSetId}, or null. */
    public JsonNode scores(long version, String validationSetId) {
        Map<String, AttributeValue> item = version(version);
        if (item == null || !item.containsKey("metrics") || !item.get("metrics").hasM()) {
            return null;
        }
        AttributeValue v = item.get("metrics").m().get(validationSetId);
        return v == null ? null : DynamoJson.toJson(v);
    }

    public void putScores(long version, String validationSetId, JsonNode scores) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.modelVersion(model, version))
                    .updateExpression("SET #m = if_not_exists(#m, :empty)")
                    .conditionExpression("attribute_exists(sk)")
                    .expressionAttributeNames(Map.of("#m", "metrics"))
                    .expressionAttributeValues(Map.of(":empty", AttributeValue.fromM(Map.of()))));
            dynamo.updateItem(b -> b.tableName(table).key(Keys.modelVersion(model, version))
                    .updateExpression("SET #m.#set = :s")
                    .expressionAttributeNames(Map.of("#m", "metrics", "#set", validationSetId))
                    .expressionAttributeValues(Map.of(":s", DynamoJson.fromJson(scores))));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("model version " + version + " does not exist", e);
        } catch (SdkException e) {
            throw AwsErrors.classify("store scores", e);
        }
    }

    /** Moves a version from one status to another; false when it is not in {@code from}. */
    public boolean setStatus(long version, String from, String to) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.modelVersion(model, version))
                    .updateExpression("SET #s = :to, updatedAt = :now")
                    .conditionExpression("#s = :from")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":to", Attr.s(to), ":from", Attr.s(from),
                            ":now", Attr.s(clock.instant().toString()))));
            return true;
        } catch (ConditionalCheckFailedException notThere) {
            return false;
        } catch (SdkException e) {
            throw AwsErrors.classify("set model status", e);
        }
    }

    /**
     * Points production at {@code version} if it still points at {@code expectedPrevious} (null: no
     * production yet). Returns false when someone else moved it; a repeat of the same move is true.
     */
    public boolean promote(long version, Long expectedPrevious, String artifactS3Uri, String endpointConfigName,
                           String executionName) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.modelCurrent(model));
        item.put("version", Attr.n(version));
        item.put("artifactS3Uri", Attr.s(artifactS3Uri));
        item.put("endpointConfigName", Attr.s(endpointConfigName));
        item.put("executionName", Attr.s(executionName));
        item.put("deployedAt", Attr.s(clock.instant().toString()));
        if (expectedPrevious != null) {
            item.put("previousVersion", Attr.n(expectedPrevious));
        }
        try {
            if (expectedPrevious == null) {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            } else {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("version = :prev")
                        .expressionAttributeValues(Map.of(":prev", Attr.n(expectedPrevious))));
            }
            return true;
        } catch (ConditionalCheckFailedException moved) {
            Current now = current();
            return now != null && now.version() == version;
        } catch (SdkException e) {
            throw AwsErrors.classify("promote", e);
        }
    }
}
