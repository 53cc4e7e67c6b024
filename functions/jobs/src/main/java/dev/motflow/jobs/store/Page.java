package dev.motflow.jobs.store;

import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** One page of a query; {@code lastKey} is null on the last page. */
public record Page<T>(List<T> items, Map<String, AttributeValue> lastKey) {
    public Page {
        items = List.copyOf(items);
        lastKey = lastKey == null || lastKey.isEmpty() ? null : Map.copyOf(lastKey);
    }
}
