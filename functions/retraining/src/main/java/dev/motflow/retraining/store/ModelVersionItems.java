package dev.motflow.retraining.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.Attr;
import dev.motflow.retraining.model.ModelVersion;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link ModelVersion} <-> its DynamoDB item; the attribute names are the stored format. */
final class ModelVersionItems {
    static final String STATUS = "status";
    static final String METRICS = "metrics";
    static final String UPDATED_AT = "updatedAt";

    private ModelVersionItems() {
    }

    static Map<String, AttributeValue> toItem(ModelVersion v) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.modelVersion(v.model(), v.version()));
        item.put("artifactS3Uri", Attr.s(v.artifactS3Uri()));
        item.put("datasetVersion", Attr.n(v.datasetVersion()));
        Map<String, AttributeValue> metrics = new LinkedHashMap<>();
        v.metrics().forEach((set, scores) -> metrics.put(set, DynamoJson.fromJson(scores)));
        item.put(METRICS, AttributeValue.fromM(metrics));
        item.put(STATUS, Attr.s(v.status().name()));
        item.put("executionName", Attr.s(v.executionName()));
        item.put("createdAt", Attr.s(v.createdAt().toString()));
        if (v.updatedAt() != null) {
            item.put(UPDATED_AT, Attr.s(v.updatedAt().toString()));
        }
        return item;
    }

    static ModelVersion fromItem(String model, Map<String, AttributeValue> item) {
        Map<String, JsonNode> metrics = new LinkedHashMap<>();
        AttributeValue m = item.get(METRICS);
        if (m != null && m.hasM()) {
            m.m().forEach((set, scores) -> metrics.put(set, DynamoJson.toJson(scores)));
        }
        String status = Attr.str(item, STATUS);
        return new ModelVersion(model, TableKeys.versionOf(Attr.str(item, TableKeys.SK)), Attr.str(item, "artifactS3Uri"),
                Attr.num(item, "datasetVersion", 0), status == null ? null : ModelVersion.Status.valueOf(status), metrics,
                Attr.str(item, "executionName"), instant(item, "createdAt"), instant(item, UPDATED_AT));
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        String t = Attr.str(item, name);
        return t == null ? null : Instant.parse(t);
    }
}
