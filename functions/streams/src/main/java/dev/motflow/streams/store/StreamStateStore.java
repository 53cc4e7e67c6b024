package dev.motflow.streams.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import dev.motflow.common.Attr;
import dev.motflow.tracking.Policy;
import software.amazon.awssdk.core.SdkBytes;
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
    public static final String PK = "pk";
    public static final String SK = "sk";
    public static final String STATE_SK = "STATE";
    static final String VERSION = "version";
    static final String INCARNATION = "incarnation";
    static final String LAST_FRAME = "lastFrame";
    static final String POLICY = "policy";
    static final String STATE = "state";
    static final String STEPS = "steps";
    static final String CREATED_AT = "createdAt";
    static final String UPDATED_AT = "updatedAt";
    /** The table's TTL attribute. */
    public static final String EXPIRES_AT = "expiresAt";

    private final DynamoDbClient dynamo;
    private final String table;

    public StreamStateStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public static String pk(String streamId) {
        return "STREAM#" + streamId;
    }

    static Map<String, AttributeValue> key(String streamId) {
        return Map.of(PK, Attr.s(pk(streamId)), SK, Attr.s(STATE_SK));
    }

    /** The item as stored (expired or not), or null. */
    public StoredState load(String streamId) {
        GetItemResponse r = dynamo.getItem(b -> b.tableName(table).key(key(streamId)).consistentRead(true));
        if (!r.hasItem() || r.item().isEmpty()) {
            return null;
        }
        return fromItem(streamId, r.item());
    }

    /**
     * Writes {@code next} if the item is still what {@code previous} describes (null: no item).
     *
     * @throws VersionConflictException when it is not
     */
    public void write(StoredState next, StoredState previous) {
        PutItemRequest.Builder put = PutItemRequest.builder().tableName(table).item(toItem(next));
        if (previous == null) {
            put.conditionExpression("attribute_not_exists(#pk)").expressionAttributeNames(Map.of("#pk", PK));
        } else {
            put.conditionExpression("#v = :v AND #inc = :inc")
                    .expressionAttributeNames(Map.of("#v", VERSION, "#inc", INCARNATION))
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

    /** Removes the stream's state (idempotent). */
    public void delete(String streamId) {
        dynamo.deleteItem(b -> b.tableName(table).key(key(streamId)));
    }

    static Map<String, AttributeValue> toItem(StoredState s) {
        Map<String, AttributeValue> item = new HashMap<>(key(s.streamId()));
        item.put(VERSION, Attr.n(s.version()));
        item.put(INCARNATION, Attr.s(s.incarnation()));
        item.put(LAST_FRAME, Attr.n(s.lastFrame()));
        item.put(POLICY, Attr.s(s.policy().name()));
        item.put(STEPS, Attr.n(s.steps()));
        if (s.state() != null) {
            item.put(STATE, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(s.state())));
        }
        item.put(CREATED_AT, Attr.s(s.createdAt().toString()));
        item.put(UPDATED_AT, Attr.s(s.updatedAt().toString()));
        item.put(EXPIRES_AT, Attr.n(s.expiresAt()));
        return item;
    }

    static StoredState fromItem(String streamId, Map<String, AttributeValue> item) {
        AttributeValue state = item.get(STATE);
        return new StoredState(streamId,
                Long.parseLong(item.get(VERSION).n()),
                item.get(INCARNATION).s(),
                Long.parseLong(item.get(LAST_FRAME).n()),
                Policy.valueOf(item.get(POLICY).s()),
                state == null ? null : state.b().asByteArrayUnsafe(),
                item.containsKey(STEPS) ? Integer.parseInt(item.get(STEPS).n()) : 0,
                Instant.parse(item.get(CREATED_AT).s()),
                Instant.parse(item.get(UPDATED_AT).s()),
                Long.parseLong(item.get(EXPIRES_AT).n()));
    }

    /**
     * Size of the item as DynamoDB counts it against its 400 KB limit: attribute name lengths plus
     * value sizes (UTF-8 strings, raw binary, numbers at about 1 byte per 2 digits + 1).
     */
    public static int itemSize(StoredState s) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> e : toItem(s).entrySet()) {
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
