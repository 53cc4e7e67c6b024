package dev.motflow.jobs.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A job as stored: an immutable view over its DynamoDB item (attribute names in
 * docs/data-model.md) with typed accessors for what the services read.
 */
public final class Job {
    private final Map<String, AttributeValue> item;

    public Job(Map<String, AttributeValue> item) {
        this.item = Collections.unmodifiableMap(new LinkedHashMap<>(item));
    }

    public Map<String, AttributeValue> item() {
        return item;
    }

    public String jobId() {
        return str("jobId");
    }

    public JobStatus status() {
        return JobStatus.valueOf(str("status"));
    }

    public long version() {
        Long v = num("version");
        return v == null ? 0 : v;
    }

    public String statusReason() {
        return str("statusReason");
    }

    public Instant createdAt() {
        return instant("createdAt");
    }

    public Instant updatedAt() {
        return instant("updatedAt");
    }

    public Route route() {
        String r = str("route");
        return r == null ? null : Route.valueOf(r);
    }

    public List<HistoryEntry> history() {
        AttributeValue h = item.get("history");
        if (h == null || !h.hasL()) {
            return List.of();
        }
        List<HistoryEntry> out = new ArrayList<>();
        for (AttributeValue e : h.l()) {
            Map<String, AttributeValue> m = e.m();
            AttributeValue reason = m.get("reason");
            out.add(new HistoryEntry(JobStatus.valueOf(m.get("status").s()), Instant.parse(m.get("at").s()),
                    reason == null ? null : reason.s()));
        }
        return out;
    }

    /** A string attribute, or null. */
    public String str(String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    /** A whole-number attribute, or null. */
    public Long num(String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? null : Long.valueOf(v.n());
    }

    public Instant instant(String name) {
        String s = str(name);
        return s == null ? null : Instant.parse(s);
    }

    @Override
    public String toString() {
        return "Job[" + jobId() + " " + str("status") + " v" + version() + "]";
    }
}
