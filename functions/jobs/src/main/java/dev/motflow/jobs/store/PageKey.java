package dev.motflow.jobs.store;

import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Where a query stopped (DynamoDB's LastEvaluatedKey), opaque outside the store: the API turns it
 * into a page token with {@link PageTokens} and back.
 */
public final class PageKey {
    private final Map<String, AttributeValue> key;

    PageKey(Map<String, AttributeValue> key) {
        this.key = Map.copyOf(key);
    }

    /** The key of a query response, or null when the query is complete. */
    static PageKey of(Map<String, AttributeValue> lastEvaluatedKey) {
        return lastEvaluatedKey == null || lastEvaluatedKey.isEmpty() ? null : new PageKey(lastEvaluatedKey);
    }

    static Map<String, AttributeValue> startKey(PageKey k) {
        return k == null ? null : k.key;
    }

    Map<String, AttributeValue> attributes() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageKey other && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }
}
