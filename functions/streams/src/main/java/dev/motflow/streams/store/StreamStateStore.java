package dev.motflow.streams.store;

import java.util.Map;

import dev.motflow.common.Attr;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Stream tracker states in the single table: one item per stream, read with a consistent
 * {@code GetItem} and written whole with a {@code PutItem} conditioned on the version and
 * incarnation that were read ({@code attribute_not_exists(pk)} for a new stream). Single-item
 * operations only (no transactions: dynalite has none and nothing here needs one).
 */
public final class StreamStateStore {
    /** The table's TTL attribute. */
    public static final String EXPIRES_AT = StreamStateItems.EXPIRES_AT;

    private final DynamoDbClient dynamo;
    private final String table;

    public StreamStateStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public static String pk(String streamId) {
        return TableKeys.streamPk(streamId);
    }

    static Map<String, AttributeValue> key(String streamId) {
        return StreamStateItems.key(streamId);
    }

    /** The item as stored (expired or not), or null. */
    public StoredState load(String streamId) {
        GetItemResponse r = dynamo.getItem(b -> b.tableName(table).key(key(streamId)).consistentRead(true));
        if (!r.hasItem() || r.item().isEmpty()) {
            return null;
        }
        return StreamStateItems.fromItem(streamId, r.item());
    }

    /**
     * Writes {@code next} if the item is still what {@code previous} describes (null: no item).
     *
     * @throws VersionConflictException when it is not
     */
    public void write(StoredState next, StoredState previous) {
        PutItemRequest.Builder put = PutItemRequest.builder().tableName(table).item(StreamStateItems.toItem(next));
        if (previous == null) {
            put.conditionExpression("attribute_not_exists(#pk)").expressionAttributeNames(Map.of("#pk", TableKeys.PK));
        } else {
            put.conditionExpression("#v = :v AND #inc = :inc")
                    .expressionAttributeNames(Map.of("#v", StreamStateItems.VERSION, "#inc", StreamStateItems.INCARNATION))
                    .expressionAttributeValues(Map.of(":v", Attr.n(previous.version()),
                            ":inc", Attr.s(previous.incarnation())));
        }
        try {
            dynamo.putItem(put.build());
        } catch (ConditionalCheckFailedException e) {
            throw new VersionConflictException("stream " + next.streamId() + " changed since version "
                    + (previous == null ? "(none)" : previous.version()) + " was read");
        }
    }

    /**
     * Removes the stream's state if it is still the incarnation {@code read} (frames written since do
     * not matter; a reset and re-creation, possibly by another owner, does).
     *
     * @return false when the item is gone or is another incarnation
     */
    public boolean delete(StoredState read) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(key(read.streamId()))
                    .conditionExpression("#inc = :inc")
                    .expressionAttributeNames(Map.of("#inc", StreamStateItems.INCARNATION))
                    .expressionAttributeValues(Map.of(":inc", Attr.s(read.incarnation()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Size of the item as DynamoDB counts it against its 400 KB limit: attribute name lengths plus
     * value sizes (UTF-8 strings, raw binary, numbers at about 1 byte per 2 digits + 1).
     */
    public static int itemSize(StoredState s) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> e : StreamStateItems.toItem(s).entrySet()) {
            size += e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            AttributeValue v = e.getValue();
            if (v.s() != null) {
                size += v.s().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            } else if (v.n() != null) {
                size += (v.n().length() + 1) / 2 + 1;
            } else if (v.b() != null) {
                size += v.b().asByteArrayUnsafe().length;
            }
        }
        return size;
    }
}
