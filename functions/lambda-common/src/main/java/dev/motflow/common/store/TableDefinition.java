package dev.motflow.common.store;

import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The single table of docs/data-model.md as a CreateTable request, for the local stack, tests and
 * benchmarks; the CDK app defines the same table from the same {@link TableKeys} names.
 */
public final class TableDefinition {
    private TableDefinition() {
    }

    public static CreateTableRequest createTableRequest(String tableName) {
        return CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        attr(TableKeys.PK), attr(TableKeys.SK), attr(TableKeys.GSI1_PK), attr(TableKeys.GSI1_SK))
                .keySchema(key(TableKeys.PK, KeyType.HASH), key(TableKeys.SK, KeyType.RANGE))
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder()
                        .indexName(TableKeys.GSI1)
                        .keySchema(key(TableKeys.GSI1_PK, KeyType.HASH), key(TableKeys.GSI1_SK, KeyType.RANGE))
                        // ALL: job items are small, and a list page then needs no second read.
                        .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                        .build())
                .build();
    }

    private static AttributeDefinition attr(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
