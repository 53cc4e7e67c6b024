package dev.motflow.jobs.store;

import dev.motflow.common.store.TableDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;

/**
 * The single table as a CreateTable request. Kept for the local stack and the integration tests,
 * which call it; the definition is {@link TableDefinition}.
 */
public final class JobTableSchema {
    private JobTableSchema() {
    }

    public static CreateTableRequest createTableRequest(String tableName) {
        return TableDefinition.createTableRequest(tableName);
    }
}
