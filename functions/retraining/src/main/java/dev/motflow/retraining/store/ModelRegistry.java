package dev.motflow.retraining.store;

import java.time.Clock;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.Attr;
import dev.motflow.common.model.ModelPointer;
import dev.motflow.common.store.ModelPointerItems;
import dev.motflow.retraining.RetryableException;
import dev.motflow.retraining.model.ModelVersion;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Model versions ({@code MODEL#<name>}, {@code V#<n>}) with their scores per validation set, and the
 * production pointer ({@code sk=CURRENT}), moved only by compare-and-set on the version it replaces.
 */
public final class ModelRegistry {
    /**
     * What the workflow reads of the production pointer (version 0 when the item has none). The
     * item itself is {@link ModelPointer}, shared with functions/jobs.
     */
    public record Current(long version, String artifactS3Uri, String endpointConfigName) {
        static Current of(ModelPointer p) {
            return new Current(p.version() == null ? 0 : p.version(), p.artifactS3Uri(), p.endpointConfigName());
        }
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
                        .expressionAttributeValues(Map.of(":pk", Attr.s(TableKeys.modelPk(model)), ":v", Attr.s(TableKeys.VERSION_PREFIX)))
                        .scanIndexForward(false).limit(1).consistentRead(true));
                long next = newest.items().isEmpty() ? 1 : TableKeys.versionOf(Attr.str(newest.items().get(0), TableKeys.SK)) + 1;
                Map<String, AttributeValue> item = ModelVersionItems.toItem(new ModelVersion(model, next, artifactS3Uri,
                        datasetVersion, ModelVersion.Status.CANDIDATE,
                        // a forced import without a dataset has no validation set and no scores
                        validationSetId == null ? Map.of() : Map.of(validationSetId, scores), executionName,
                        clock.instant(), null));
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

    /** A version, or null when there is none. */
    public ModelVersion version(long version) {
        try {
            var r = dynamo.getItem(b -> b.tableName(table).key(Keys.modelVersion(model, version)).consistentRead(true));
            return r.hasItem() && !r.item().isEmpty() ? ModelVersionItems.fromItem(model, r.item()) : null;
        } catch (SdkException e) {
            throw AwsErrors.classify("read model version", e);
        }
    }

    public Current current() {
        try {
            var r = dynamo.getItem(b -> b.tableName(table).key(Keys.modelCurrent(model)).consistentRead(true));
            ModelPointer p = r.hasItem() ? ModelPointerItems.fromItem(model, r.item()) : null;
            return p == null ? null : Current.of(p);
        } catch (SdkException e) {
            throw AwsErrors.classify("read production pointer", e);
        }
    }

    /** The scores stored for {@code version} on {@code validationSetId}, or null. */
    public JsonNode scores(long version, String validationSetId) {
        ModelVersion v = version(version);
        return v == null ? null : v.metrics().get(validationSetId);
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
    public boolean setStatus(long version, ModelVersion.Status from, ModelVersion.Status to) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Keys.modelVersion(model, version))
                    .updateExpression("SET #s = :to, updatedAt = :now")
                    .conditionExpression("#s = :from")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":to", Attr.s(to.name()), ":from", Attr.s(from.name()),
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
        Map<String, AttributeValue> item = ModelPointerItems.toItem(new ModelPointer(model, version, artifactS3Uri,
                endpointConfigName, expectedPrevious, clock.instant(), executionName));
        try {
            if (expectedPrevious == null) {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            } else {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("#v = :prev")
                        .expressionAttributeNames(Map.of("#v", ModelPointerItems.VERSION))
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
