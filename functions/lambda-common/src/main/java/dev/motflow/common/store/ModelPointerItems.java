package dev.motflow.common.store;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.motflow.common.Attr;
import dev.motflow.common.model.ModelPointer;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link ModelPointer} <-> its DynamoDB item; the attribute names are the stored format. */
public final class ModelPointerItems {
    public static final String VERSION = "version";
    public static final String ARTIFACT_S3_URI = "artifactS3Uri";
    public static final String ENDPOINT_CONFIG_NAME = "endpointConfigName";
    public static final String PREVIOUS_VERSION = "previousVersion";
    public static final String DEPLOYED_AT = "deployedAt";
    public static final String EXECUTION_NAME = "executionName";

    private ModelPointerItems() {
    }

    /** The key of {@code modelName}'s pointer. */
    public static Map<String, AttributeValue> key(String modelName) {
        return Map.of(TableKeys.PK, Attr.s(TableKeys.modelPk(modelName)),
                TableKeys.SK, Attr.s(TableKeys.MODEL_CURRENT_SK));
    }

    /** The whole item, key included. */
    public static Map<String, AttributeValue> toItem(ModelPointer p) {
        Map<String, AttributeValue> item = new LinkedHashMap<>(key(p.modelName()));
        if (p.version() != null) {
            item.put(VERSION, Attr.n(p.version()));
        }
        putText(item, ARTIFACT_S3_URI, p.artifactS3Uri());
        putText(item, ENDPOINT_CONFIG_NAME, p.endpointConfigName());
        putText(item, EXECUTION_NAME, p.executionName());
        if (p.deployedAt() != null) {
            item.put(DEPLOYED_AT, Attr.s(p.deployedAt().toString()));
        }
        if (p.previousVersion() != null) {
            item.put(PREVIOUS_VERSION, Attr.n(p.previousVersion()));
        }
        return item;
    }

    /** The pointer an item holds, or null for no item. */
    public static ModelPointer fromItem(String modelName, Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) {
            return null;
        }
        String deployedAt = Attr.str(item, DEPLOYED_AT);
        return new ModelPointer(modelName, number(item, VERSION), Attr.str(item, ARTIFACT_S3_URI),
                Attr.str(item, ENDPOINT_CONFIG_NAME), number(item, PREVIOUS_VERSION),
                deployedAt == null ? null : Instant.parse(deployedAt), Attr.str(item, EXECUTION_NAME));
    }

    private static Long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? null : Long.valueOf(v.n());
    }

    private static void putText(Map<String, AttributeValue> item, String name, String v) {
        if (v != null) {
            item.put(name, Attr.s(v));
        }
    }
}
