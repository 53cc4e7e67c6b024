package dev.motflow.retraining.store;

import java.util.Map;

import dev.motflow.common.store.ModelPointerItems;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Keys of the retraining items in the single table (docs/data-model.md, "Retraining items"), built
 * from the shared layout in {@link TableKeys}.
 */
public final class Keys {
    public static final String PK = TableKeys.PK;
    public static final String SK = TableKeys.SK;

    private Keys() {
    }

    public static Map<String, AttributeValue> lock() {
        return key(TableKeys.RETRAIN_LOCK_PK, TableKeys.RETRAIN_LOCK_SK);
    }

    public static Map<String, AttributeValue> run(String dataset, String executionName) {
        return key(TableKeys.datasetPk(dataset), TableKeys.runSk(executionName));
    }

    public static Map<String, AttributeValue> datasetVersion(String dataset, long version) {
        return key(TableKeys.datasetPk(dataset), version(version));
    }

    public static Map<String, AttributeValue> modelVersion(String model, long version) {
        return key(TableKeys.modelPk(model), version(version));
    }

    /** The production pointer's key: the one {@link ModelPointerItems} reads and writes (jobs reads it too). */
    public static Map<String, AttributeValue> modelCurrent(String model) {
        return ModelPointerItems.key(model);
    }

    public static String version(long version) {
        return TableKeys.versionSk(version);
    }

    public static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(PK, AttributeValue.fromS(pk), SK, AttributeValue.fromS(sk));
    }
}
