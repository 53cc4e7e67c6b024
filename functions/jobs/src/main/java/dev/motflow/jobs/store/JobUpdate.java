package dev.motflow.jobs.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Attributes one job write sets and removes, typed by {@link JobField}. A null or empty string value
 * is skipped (nothing is stored for "unknown"); removing and setting the same field in one update
 * sets it.
 */
public final class JobUpdate {
    private final Map<JobField<?>, Object> sets = new LinkedHashMap<>();
    private final Set<JobField<?>> removes = new LinkedHashSet<>();

    public static JobUpdate of() {
        return new JobUpdate();
    }

    public <T> JobUpdate set(JobField<T> field, T value) {
        if (value != null && !(value instanceof String s && s.isEmpty())) {
            sets.put(field, value);
        }
        return this;
    }

    public JobUpdate remove(JobField<?> field) {
        removes.add(field);
        return this;
    }

    /** This update's sets, then {@code other}'s. */
    public JobUpdate with(JobUpdate other) {
        sets.putAll(other.sets);
        removes.addAll(other.removes);
        return this;
    }

    Map<JobField<?>, Object> sets() {
        return Collections.unmodifiableMap(sets);
    }

    Set<JobField<?>> removes() {
        return Collections.unmodifiableSet(removes);
    }
}
