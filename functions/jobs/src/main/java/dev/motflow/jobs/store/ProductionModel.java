package dev.motflow.jobs.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.motflow.common.model.ModelPointer;
import dev.motflow.common.store.ModelPointerItems;
import dev.motflow.jobs.model.ModelSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * The model processing jobs mount: the production pointer the retraining workflow moves
 * ({@code pk=MODEL#<name>}, {@code sk=CURRENT}, docs/data-model.md "Production model pointer"),
 * else the configured fallback. Read through {@link ModelPointerItems}, the mapper the retraining
 * workflow writes with, so this module needs nothing else from functions/retraining. One answer is reused for {@code ttl} so a burst of uploads costs one read;
 * a promotion reaches new processing jobs at most {@code ttl} later.
 */
public final class ProductionModel {
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

    /** The model to mount; {@code version} only for {@link ModelSource#CURRENT}, {@code s3Uri} null for {@link ModelSource#IMAGE}. */
    public record Choice(ModelSource source, String s3Uri, Long version) {
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
        GetItemResponse r = dynamo.getItem(b -> b.tableName(table).key(ModelPointerItems.key(modelName)));
        ModelPointer pointer = r.hasItem() ? ModelPointerItems.fromItem(modelName, r.item()) : null;
        String uri = pointer == null ? null : pointer.artifactS3Uri();
        if (uri != null && !uri.isBlank()) {
            return new Choice(ModelSource.CURRENT, uri, pointer.version());
        }
        return fallbackS3Uri != null ? new Choice(ModelSource.FALLBACK, fallbackS3Uri, null)
                : new Choice(ModelSource.IMAGE, null, null);
    }
}
