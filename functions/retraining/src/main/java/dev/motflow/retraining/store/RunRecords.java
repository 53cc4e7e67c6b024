package dev.motflow.retraining.store;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import dev.motflow.common.Attr;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Updates of the run item ({@code pk=DATASET#<dataset>, sk=RUN#<executionName>}) by the workflow's steps. */
public final class RunRecords {
    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public RunRecords(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }

    /** Sets {@code fields} (and updatedAt); creates the item when the run was started outside the trigger. */
    public void set(String dataset, String executionName, Map<String, AttributeValue> fields) {
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
    }

    public Map<String, AttributeValue> get(String dataset, String executionName) {
        try {
            var r = dynamo.getItem(b -> b.tableName(table).key(Keys.run(dataset, executionName)).consistentRead(true));
            return r.hasItem() ? r.item() : null;
        } catch (SdkException e) {
            throw AwsErrors.classify("read run " + executionName, e);
        }
    }
}
