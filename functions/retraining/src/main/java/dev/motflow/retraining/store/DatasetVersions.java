package dev.motflow.retraining.store;

import java.util.Map;

import dev.motflow.common.Attr;
import dev.motflow.retraining.RetryableException;
import dev.motflow.retraining.model.DatasetVersion;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** Dataset versions ({@code DATASET#<name>}, {@code V#<n>}): numbered once per manifest content. */
public final class DatasetVersions {
    private final DynamoDbClient dynamo;
    private final String table;

    public DatasetVersions(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * The version number of {@code content} (its own {@code version} is ignored): the existing one when
     * the same manifest content (sha256 and manifest version) was recorded, else the next number
     * ({@code attribute_not_exists} makes concurrent writers pick different numbers).
     */
    public long record(DatasetVersion content) {
        try {
            for (int round = 0; round < 5; round++) {
                var page = dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND begins_with(sk, :v)")
                        .expressionAttributeValues(Map.of(":pk", Attr.s(TableKeys.datasetPk(content.dataset())),
                                ":v", Attr.s(TableKeys.VERSION_PREFIX)))
                        .scanIndexForward(false).consistentRead(true));
                long newest = 0;
                for (Map<String, AttributeValue> item : page.items()) {
                    DatasetVersion known = DatasetVersionItems.fromItem(content.dataset(), item);
                    newest = Math.max(newest, known.version());
                    if (content.sha256().equals(known.sha256()) && content.manifestVersion().equals(known.manifestVersion())) {
                        return known.version();
                    }
                }
                long next = newest + 1;
                Map<String, AttributeValue> item = DatasetVersionItems.toItem(content.withVersion(next));
                try {
                    dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(sk)"));
                    return next;
                } catch (ConditionalCheckFailedException taken) {
                    // another run took that number; look again
                }
            }
            throw new RetryableException("dataset version numbers are contended");
        } catch (SdkException e) {
            throw AwsErrors.classify("record dataset version", e);
        }
    }
}
