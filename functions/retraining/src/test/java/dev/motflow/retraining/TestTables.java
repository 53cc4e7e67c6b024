package dev.motflow.retraining;

import dev.motflow.testsupport.LocalAws;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** A fresh single table with the project's key schema (pk, sk strings) on dynalite. */
public final class TestTables {
    private TestTables() {
    }

    public static String create(LocalAws local) {
        String table = local.uniqueName("retrain");
        local.dynamo().createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
        // dynalite answers CreateTable before the table is ACTIVE; using it earlier is ResourceNotFound
        local.dynamo().waiter().waitUntilTableExists(b -> b.tableName(table),
                o -> o.backoffStrategy(software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy.create(java.time.Duration.ofMillis(20)))
                        .maxAttempts(500));
        return table;
    }
}
