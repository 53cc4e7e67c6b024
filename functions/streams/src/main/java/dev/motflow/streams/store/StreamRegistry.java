package dev.motflow.streams.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.motflow.common.Attr;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The stream lists ({@code GET /streams}): two small entries per stream next to its state,
 * {@code sk=LIST#OWNER} in the {@code gsi1} partition {@code STREAMS#<owner>} (the owner's list) and
 * {@code sk=LIST#ALL} in {@code STREAMS} (the admins' list), each {@code <createdAt>#<streamId>} in
 * the sort key. They are written when a stream starts and again before they would expire
 * ({@code expiresAt}, refreshed from the frame path at most once per state TTL), never on an ordinary
 * frame, so the state item, rewritten every frame, stays out of the index. An entry can outlive its
 * stream (a reset whose entry delete failed, an expired stream): {@link #list} reads the states
 * and leaves out every entry whose stream is gone, expired, or another incarnation.
 */
public final class StreamRegistry {
    static final String INCARNATION = "incarnation";
    static final String CREATED_AT = "createdAt";

    /** One page of a list; {@code nextSortKey} null at the end. */
    public record Page(List<StoredState> streams, String nextSortKey) {
    }

    private final DynamoDbClient dynamo;
    private final String table;

    public StreamRegistry(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * Writes (or refreshes) the stream's list entries, until {@code s.listedUntil()}. An entry of a
     * newer incarnation (the stream reset and started again meanwhile) is left alone.
     */
    public void register(StoredState s) {
        String sortKey = TableKeys.streamListSk(s.createdAt().toString(), s.streamId());
        put(s, TableKeys.STREAM_LISTED_SK, TableKeys.STREAMS_PK, sortKey);
        if (s.owner() != null) {
            put(s, TableKeys.STREAM_LISTED_BY_OWNER_SK, TableKeys.streamsOfPk(s.owner()), sortKey);
        }
    }

    private void put(StoredState s, String sk, String partition, String sortKey) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":p", Attr.s(partition));
        values.put(":s", Attr.s(sortKey));
        values.put(":i", Attr.s(s.incarnation()));
        values.put(":c", Attr.s(s.createdAt().toString()));
        values.put(":e", Attr.n(s.listedUntil()));
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(s.streamId(), sk))
                    .updateExpression("SET #gp = :p, #gs = :s, #inc = :i, #c = :c, #e = :e")
                    .conditionExpression("attribute_not_exists(#c) OR #c <= :c")
                    .expressionAttributeNames(Map.of("#gp", TableKeys.GSI1_PK, "#gs", TableKeys.GSI1_SK,
                            "#inc", INCARNATION, "#c", CREATED_AT, "#e", TableKeys.TTL))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException newer) {
            // a later incarnation of the stream id is listed: ours is gone
        }
    }

    /** Removes the entries of the incarnation {@code incarnation} (others are left). */
    public void remove(String streamId, String incarnation) {
        for (String sk : List.of(TableKeys.STREAM_LISTED_SK, TableKeys.STREAM_LISTED_BY_OWNER_SK)) {
            try {
                dynamo.deleteItem(b -> b.tableName(table).key(key(streamId, sk))
                        .conditionExpression("#inc = :i")
                        .expressionAttributeNames(Map.of("#inc", INCARNATION))
                        .expressionAttributeValues(Map.of(":i", Attr.s(incarnation))));
            } catch (ConditionalCheckFailedException otherOrNone) {
                // none, or another incarnation's
            }
        }
    }

    /**
     * Live streams of a list, newest first: {@code owner}'s ({@code null}: every stream), at most
     * {@code limit} entries read after {@code afterSortKey} (null: from the newest). Entries whose
     * stream is no longer live are left out, so a page may be shorter than {@code limit} and still
     * have a next key. States are read without their tracker bytes.
     */
    public Page list(String owner, int limit, String afterSortKey, Instant now) {
        String partition = owner == null ? TableKeys.STREAMS_PK : TableKeys.streamsOfPk(owner);
        String sk = owner == null ? TableKeys.STREAM_LISTED_SK : TableKeys.STREAM_LISTED_BY_OWNER_SK;
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(TableKeys.GSI1)
                .keyConditionExpression("#p = :p")
                .expressionAttributeNames(Map.of("#p", TableKeys.GSI1_PK))
                .expressionAttributeValues(Map.of(":p", Attr.s(partition)))
                .scanIndexForward(false)
                .limit(limit);
        if (afterSortKey != null) {
            String streamId = afterSortKey.substring(afterSortKey.indexOf('#') + 1);
            Map<String, AttributeValue> start = new HashMap<>(key(streamId, sk));
            start.put(TableKeys.GSI1_PK, Attr.s(partition));
            start.put(TableKeys.GSI1_SK, Attr.s(afterSortKey));
            q.exclusiveStartKey(start);
        }
        QueryResponse r = dynamo.query(q.build());
        Map<String, String> incarnations = new LinkedHashMap<>();
        String last = null;
        for (Map<String, AttributeValue> entry : r.items()) {
            String id = streamIdOf(entry);
            incarnations.put(id, Attr.str(entry, INCARNATION));
            last = Attr.str(entry, TableKeys.GSI1_SK);
        }
        Map<String, StoredState> states = states(incarnations.keySet());
        List<StoredState> live = new ArrayList<>();
        incarnations.forEach((id, incarnation) -> {
            StoredState s = states.get(id);
            if (s != null && !s.expired(now) && s.incarnation().equals(incarnation)) {
                live.add(s);
            }
        });
        boolean more = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty();
        return new Page(live, more ? last : null);
    }

    /** The states of {@code streamIds} without their tracker bytes (BatchGetItem, consistent reads). */
    private Map<String, StoredState> states(java.util.Collection<String> streamIds) {
        Map<String, StoredState> out = new HashMap<>();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (String id : streamIds) {
            keys.add(StreamStateItems.key(id));
        }
        for (int from = 0; from < keys.size(); from += 100) {
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder()
                    .keys(keys.subList(from, Math.min(keys.size(), from + 100))).consistentRead(true)
                    .projectionExpression(String.join(", ", StreamStateItems.SUMMARY_NAMES.keySet()))
                    .expressionAttributeNames(StreamStateItems.SUMMARY_NAMES).build());
            for (int round = 0; !request.isEmpty(); round++) {
                if (round == 5) {
                    throw software.amazon.awssdk.core.exception.SdkClientException.create(
                            "the stream states were not all read after 5 rounds of BatchGetItem");
                }
                Map<String, KeysAndAttributes> ask = request;
                BatchGetItemResponse got = dynamo.batchGetItem(b -> b.requestItems(ask));
                for (Map<String, AttributeValue> item : got.responses().getOrDefault(table, List.of())) {
                    String id = streamIdOf(item);
                    out.put(id, StreamStateItems.fromItem(id, item));
                }
                request = got.hasUnprocessedKeys() ? got.unprocessedKeys() : Map.of();
            }
        }
        return out;
    }

    private static String streamIdOf(Map<String, AttributeValue> item) {
        return item.get(TableKeys.PK).s().substring(TableKeys.streamPk("").length());
    }

    private static Map<String, AttributeValue> key(String streamId, String sk) {
        return Map.of(TableKeys.PK, Attr.s(TableKeys.streamPk(streamId)), TableKeys.SK, Attr.s(sk));
    }
}
