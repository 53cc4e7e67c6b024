package dev.motflow.retraining.store;

import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Keys of the retraining items in the single table (docs/data-model.md, "Retraining items"). */
public final class Keys {
    public static final String PK = "pk";
    public static final String SK = "sk";

    private Keys() {
    }

    public static Map<String, AttributeValue> lock() {
        return key("RETRAIN#LOCK", "LOCK");
    }

    public static Map<String, AttributeValue> run(String dataset, String executionName) {
        return key("DATASET#" + dataset, "RUN#" + executionName);
    }

    public static Map<String, AttributeValue> datasetVersion(String dataset, long version) {
        return key("DATASET#" + dataset, version(version));
    }

    public static Map<String, AttributeValue> modelVersion(String model, long version) {
        return key("MODEL#" + model, version(version));
    }

    public static Map<String, AttributeValue> modelCurrent(String model) {
        return key("MODEL#" + model, "CURRENT");
    }

    public static String version(long version) {
        return String.format("V#%08d", version);
    }

    public static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(PK, AttributeValue.fromS(pk), SK, AttributeValue.fromS(sk));
    }
}
