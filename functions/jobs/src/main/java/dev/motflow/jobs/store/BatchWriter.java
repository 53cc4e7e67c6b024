package dev.motflow.jobs.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.motflow.common.Backoff;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * BatchWriteItem in chunks of 25, re-sending unprocessed items with jittered backoff up to
 * {@link Backoff#maxAttempts()} calls per chunk. Items must be idempotent puts. This retry is by
 * hand because the SDK's cannot do it: a call with unprocessed items succeeds (HTTP 200), and only
 * the caller knows to send the leftovers again.
 */
public final class BatchWriter {
    public static final int MAX_BATCH = 25;

    private final DynamoDbClient dynamo;
    private final Backoff backoff;

    public BatchWriter(DynamoDbClient dynamo, Backoff backoff) {
        this.dynamo = dynamo;
        this.backoff = backoff;
    }

    /** Calls made and items that had to be re-sent. */
    public record Stats(int calls, int resentItems) {
    }

    /** Thrown when items are still unprocessed after every attempt. */
    public static final class UnprocessedItemsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UnprocessedItemsException(String message) {
            super(message);
        }
    }

    public Stats putAll(String table, List<Map<String, AttributeValue>> items) {
        int calls = 0;
        int resent = 0;
        for (int from = 0; from < items.size(); from += MAX_BATCH) {
            List<WriteRequest> pending = new ArrayList<>();
            for (Map<String, AttributeValue> item : items.subList(from, Math.min(items.size(), from + MAX_BATCH))) {
                pending.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
            int attempt = 0;
            while (!pending.isEmpty()) {
                attempt++;
                List<WriteRequest> batch = pending;
                BatchWriteItemResponse r = dynamo.batchWriteItem(b -> b.requestItems(Map.of(table, batch)));
                calls++;
                List<WriteRequest> left = r.hasUnprocessedItems() ? r.unprocessedItems().getOrDefault(table, List.of()) : List.of();
                pending = left;
                if (!left.isEmpty()) {
                    if (attempt >= backoff.maxAttempts()) {
                        throw new UnprocessedItemsException(left.size() + " items still unprocessed after "
                                + attempt + " BatchWriteItem calls");
                    }
                    resent += left.size();
                    backoff.pause(attempt);
                }
            }
        }
        return new Stats(calls, resent);
    }
}
