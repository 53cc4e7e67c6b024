package dev.motflow.jobs.store;

import java.util.List;

/** One page of a query; {@code lastKey} is null on the last page. */
public record Page<T>(List<T> items, PageKey lastKey) {
    public Page {
        items = List.copyOf(items);
    }
}
