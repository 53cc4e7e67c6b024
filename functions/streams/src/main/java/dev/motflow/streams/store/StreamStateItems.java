package dev.motflow.streams.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import dev.motflow.common.Attr;
import dev.motflow.table.TableKeys;
import dev.motflow.tracking.Policy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@link StoredState} <-> its DynamoDB item ({@code pk=STREAM#<streamId>}, {@code sk=STATE},
 * docs/data-model.md "Stream tracker state as functions/streams writes it").
 */
final class StreamStateItems {
    static final String VERSION = "version";
    static final String INCARNATION = "incarnation";
    static final String LAST_FRAME = "lastFrame";
    static final String POLICY = "policy";
    static final String STATE = "state";
    static final String STEPS = "steps";
    static final String CREATED_AT = "createdAt";
    static final String UPDATED_AT = "updatedAt";
    static final String EXPIRES_AT = TableKeys.TTL;
    static final String OWNER = "owner";
    static final String LISTED_UNTIL = "listedUntil";
    /** What a list reads of a state (everything but the tracker bytes), as projection names. */
    static final Map<String, String> SUMMARY_NAMES = Map.ofEntries(Map.entry("#pk", TableKeys.PK),
            Map.entry("#v", VERSION), Map.entry("#inc", INCARNATION), Map.entry("#lf", LAST_FRAME),
            Map.entry("#pol", POLICY), Map.entry("#st", STEPS), Map.entry("#ca", CREATED_AT), Map.entry("#ua", UPDATED_AT),
            Map.entry("#ex", EXPIRES_AT), Map.entry("#o", OWNER), Map.entry("#lu", LISTED_UNTIL));

    private StreamStateItems() {
    }

    static Map<String, AttributeValue> key(String streamId) {
        return Map.of(TableKeys.PK, Attr.s(TableKeys.streamPk(streamId)), TableKeys.SK, Attr.s(TableKeys.STREAM_STATE_SK));
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
        if (s.owner() != null) {
            item.put(OWNER, Attr.s(s.owner()));
        }
        item.put(LISTED_UNTIL, Attr.n(s.listedUntil()));
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
                Long.parseLong(item.get(EXPIRES_AT).n()),
                item.containsKey(OWNER) ? item.get(OWNER).s() : null,
                item.containsKey(LISTED_UNTIL) ? Long.parseLong(item.get(LISTED_UNTIL).n()) : 0);
    }
}
