package dev.motflow.jobs.store;

import static dev.motflow.common.Attr.n;
import static dev.motflow.common.Attr.s;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Records messages no job can be found for ({@code pk=UNROUTABLE#<day>}), so nothing is dropped
 * silently: an operator can query a day's records. Kept 30 days.
 */
public final class UnroutableLog {
    public static final int MAX_BODY_CHARS = 4096;
    private static final Duration RETENTION = Duration.ofDays(30);

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public UnroutableLog(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }

    public static String dayPk(Instant t) {
        return TableKeys.unroutablePk(Times.format(t).substring(0, 10));
    }

    /** Stores the record; repeated deliveries of one message overwrite the same item. */
    public void record(String source, String messageId, String reason, String body) {
        Instant now = clock.instant();
        String id = messageId == null || messageId.isEmpty() ? "unknown" : messageId;
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(TableKeys.PK, s(dayPk(now)));
        item.put(TableKeys.SK, s(TableKeys.unroutableSk(source, id)));
        item.put("source", s(source));
        item.put("messageId", s(id));
        item.put("reason", s(reason));
        item.put("at", s(Times.format(now)));
        String b = body == null ? "" : body;
        item.put("body", s(b.isEmpty() ? "(empty)" : b.length() > MAX_BODY_CHARS ? b.substring(0, MAX_BODY_CHARS) : b));
        item.put("bodyChars", n(b.length()));
        item.put(TableKeys.TTL, n(now.plus(RETENTION).getEpochSecond()));
        dynamo.putItem(r -> r.tableName(table).item(item));
    }
}
