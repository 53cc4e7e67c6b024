package dev.motflow.retraining.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.retraining.Json;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * What the console reads about retraining (docs/data-model.md, "Retraining items"): a dataset's
 * runs, newest first, and the model registry (every version with its scores, and the production
 * pointer). Single-partition queries only, as every other read of the table.
 */
public final class RetrainingQueries {
    /** At most this many runs per answer. */
    public static final int MAX_RUNS = 100;

    private final DynamoDbClient dynamo;
    private final String table;
    private final String model;

    public RetrainingQueries(DynamoDbClient dynamo, String table, String model) {
        this.dynamo = dynamo;
        this.table = table;
        this.model = model;
    }

    /** The runs of {@code dataset}, newest first, as their items say (keys left out). */
    public ArrayNode runs(String dataset, int limit) {
        List<ObjectNode> runs = new ArrayList<>();
        for (Map<String, AttributeValue> item : query(TableKeys.datasetPk(dataset), "RUN#")) {
            runs.add(plain(item));
        }
        runs.sort((a, b) -> started(b).compareTo(started(a)));
        ArrayNode out = Json.MAPPER.createArrayNode();
        runs.stream().limit(Math.min(limit, MAX_RUNS)).forEach(out::add);
        return out;
    }

    /**
     * {@code {"model", "current": {version, artifactS3Uri, endpointConfigName, deployedAt, ...} | null,
     * "versions": [{version, status, metrics: {validationSetId: scores}, executionName, createdAt, ...}]}},
     * versions ascending.
     */
    public ObjectNode models() {
        ObjectNode out = Json.object().put("model", model);
        out.putNull("current");
        ArrayNode versions = out.putArray("versions");
        for (Map<String, AttributeValue> item : query(TableKeys.modelPk(model), null)) {
            String sk = item.get(TableKeys.SK).s();
            if (sk.equals(TableKeys.MODEL_CURRENT_SK)) {
                out.set("current", plain(item));
            } else if (sk.startsWith(TableKeys.VERSION_PREFIX)) {
                ObjectNode v = Json.object().put("version", TableKeys.versionOf(sk));
                v.setAll(plain(item));
                versions.add(v);
            }
        }
        return out;
    }

    private List<Map<String, AttributeValue>> query(String pk, String skPrefix) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder q = QueryRequest.builder().tableName(table).consistentRead(true).exclusiveStartKey(start);
            if (skPrefix == null) {
                q.keyConditionExpression("#pk = :pk").expressionAttributeNames(Map.of("#pk", TableKeys.PK))
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)));
            } else {
                q.keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                        .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk), ":prefix", AttributeValue.fromS(skPrefix)));
            }
            QueryResponse r = dynamo.query(q.build());
            items.addAll(r.items());
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    /** When a run began: {@code createdAt} (admission), else its first record's {@code updatedAt}. */
    private static String started(JsonNode run) {
        return run.path("createdAt").asText(run.path("updatedAt").asText(""));
    }

    /** An item as JSON without its table keys. */
    private static ObjectNode plain(Map<String, AttributeValue> item) {
        ObjectNode o = Json.object();
        item.forEach((k, v) -> {
            if (!k.equals(TableKeys.PK) && !k.equals(TableKeys.SK)) {
                JsonNode j = DynamoJson.toJson(v);
                o.set(k, j);
            }
        });
        return o;
    }
}
