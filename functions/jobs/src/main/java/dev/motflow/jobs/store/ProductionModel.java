package dev.motflow.jobs.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.motflow.common.Attr;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * The model processing jobs mount: the production pointer the retraining workflow moves
 * ({@code pk=MODEL#<name>}, {@code sk=CURRENT}, docs/data-model.md "Production model pointer"),
 * else the configured fallback. Read with a plain GetItem so this module needs nothing from
 * functions/retraining. One answer is reused for {@code ttl} so a burst of uploads costs one read;
 * a promotion reaches new processing jobs at most {@code ttl} later.
 */
public final class ProductionModel {
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

    /** Where the model came from. */
    public enum Source {
        /** The retraining workflow's production pointer. */
        CURRENT,
        /** No pointer yet: {@code PROCESSING_MODEL_S3_URI}. */
        FALLBACK,
        /** Neither: the processing image's own model. */
        IMAGE
    }

    /** The model to mount; {@code version} only for {@link Source#CURRENT}, {@code s3Uri} null for {@link Source#IMAGE}. */
    public record Choice(Source source, String s3Uri, Long version) {
    }

    private record Cached(Choice choice, Instant until) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final String modelName;
    private final String fallbackS3Uri;
    private final Clock clock;
    private final Duration ttl;
    private volatile Cached cached;

    public ProductionModel(DynamoDbClient dynamo, String table, String modelName, String fallbackS3Uri, Clock clock,
                           Duration ttl) {
        this.dynamo = dynamo;
        this.table = table;
        this.modelName = modelName;
        this.fallbackS3Uri = fallbackS3Uri;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** The key of the production pointer of {@code modelName}. */
    public static Map<String, AttributeValue> currentKey(String modelName) {
        return Map.of("pk", Attr.s("MODEL#" + modelName), "sk", Attr.s("CURRENT"));
    }

    /** The model a processing job started now should use; DynamoDB errors propagate (the caller retries). */
    public Choice choose() {
        Instant now = clock.instant();
        Cached c = cached;
        if (c != null && now.isBefore(c.until())) {
            return c.choice();
        }
        Choice fresh = read();
        cached = new Cached(fresh, now.plus(ttl));
        return fresh;
    }

    private Choice read() {
        GetItemResponse r = dynamo.getItem(b -> b.tableName(table).key(currentKey(modelName)));
        String uri = r.hasItem() ? Attr.str(r.item(), "artifactS3Uri") : null;
        if (uri != null && !uri.isBlank()) {
            AttributeValue v = r.item().get("version");
            Long version = v != null && v.n() != null ? Long.valueOf(v.n()) : null;
            return new Choice(Source.CURRENT, uri, version);
        }
        return fallbackS3Uri != null ? new Choice(Source.FALLBACK, fallbackS3Uri, null)
                : new Choice(Source.IMAGE, null, null);
    }
}
