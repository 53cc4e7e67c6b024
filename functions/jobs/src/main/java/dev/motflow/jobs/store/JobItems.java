package dev.motflow.jobs.store;

import static dev.motflow.common.Attr.n;
import static dev.motflow.common.Attr.s;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.motflow.jobs.model.Container;
import dev.motflow.jobs.model.HistoryEntry;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.ModelSource;
import dev.motflow.jobs.model.Route;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@link Job} <-> its DynamoDB item ({@code pk=JOB#<jobId>}, {@code sk=JOB}, docs/data-model.md):
 * the one place that knows how a job is stored.
 */
public final class JobItems {
    static final String JOB_ID = "jobId";
    static final String STATUS = "status";
    static final String STATUS_REASON = "statusReason";
    static final String VERSION = "version";
    static final String CREATED_AT = "createdAt";
    static final String UPDATED_AT = "updatedAt";
    static final String HISTORY = "history";

    private JobItems() {
    }

    public static Map<String, AttributeValue> key(String jobId) {
        return Map.of(TableKeys.PK, s(TableKeys.jobPk(jobId)), TableKeys.SK, s(TableKeys.JOB_SK));
    }

    /** The stored form of one typed value. */
    static AttributeValue value(JobField<?> field, Object v) {
        if (v instanceof String text) {
            return s(text);
        }
        if (v instanceof Long number) {
            return n(number);
        }
        if (v instanceof Instant t) {
            return s(Times.format(t));
        }
        if (v instanceof Enum<?> e) {
            return s(e.name());
        }
        throw new IllegalArgumentException("no stored form for " + field.name() + " = " + v);
    }

    /** The attribute map of an update's sets. */
    static Map<String, AttributeValue> attributes(JobUpdate update) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        update.sets().forEach((field, v) -> out.put(field.name(), value(field, v)));
        return out;
    }

    static AttributeValue historyEntry(HistoryEntry h) {
        Map<String, AttributeValue> m = new LinkedHashMap<>();
        m.put("status", s(h.status().name()));
        m.put("at", s(Times.format(h.at())));
        if (h.reason() != null) {
            m.put("reason", s(h.reason()));
        }
        return AttributeValue.fromM(m);
    }

    public static Job fromItem(Map<String, AttributeValue> item) {
        return new Job(text(item, JOB_ID), JobStatus.valueOf(text(item, STATUS)), text(item, STATUS_REASON),
                number(item, VERSION) == null ? 0 : number(item, VERSION), instant(item, CREATED_AT),
                instant(item, UPDATED_AT), history(item), get(item, JobField.FILE_NAME), get(item, JobField.OWNER),
                new Job.Upload(get(item, JobField.UPLOAD_KEY), get(item, JobField.DECLARED_CONTENT_TYPE),
                        get(item, JobField.EXPIRES_AT)),
                new Job.Source(get(item, JobField.SRC_BUCKET), get(item, JobField.SRC_KEY),
                        get(item, JobField.SRC_VERSION_IDENTITY), get(item, JobField.SRC_VERSION_ID),
                        get(item, JobField.SRC_ETAG), get(item, JobField.SRC_SEQUENCER)),
                new Job.Video(get(item, JobField.DECLARED_SIZE_BYTES), get(item, JobField.SIZE_BYTES),
                        get(item, JobField.CONTAINER), get(item, JobField.ROUTE)),
                new Job.Start(get(item, JobField.LEASE_UNTIL), get(item, JobField.START_ATTEMPTS),
                        get(item, JobField.START_CALLS), get(item, JobField.LAST_START_ERROR)),
                new Job.SageMakerWork(get(item, JobField.ENDPOINT_NAME), get(item, JobField.INFERENCE_ID),
                        get(item, JobField.OUTPUT_LOCATION), get(item, JobField.FAILURE_LOCATION),
                        get(item, JobField.PROCESSING_JOB_NAME), get(item, JobField.PROCESSING_JOB_ARN),
                        get(item, JobField.PROCESSING_OUTPUT_URI), get(item, JobField.PROCESSING_RESULT_URI),
                        new Job.ModelUse(get(item, JobField.MODEL_SOURCE), get(item, JobField.MODEL_VERSION),
                                get(item, JobField.MODEL_S3_URI))),
                new Job.Result(get(item, JobField.TRACK_COUNT), get(item, JobField.FRAME_COUNT),
                        get(item, JobField.BOX_COUNT), get(item, JobField.RESULT_BUCKET),
                        get(item, JobField.RESULT_KEY), get(item, JobField.SOURCE_RESULT)),
                new Job.Timings(get(item, JobField.RECEIVED_AT), get(item, JobField.RUNNING_AT),
                        get(item, JobField.INFERENCE_RECEIVED_AT), get(item, JobField.INFERENCE_COMPLETED_AT),
                        get(item, JobField.PROCESSING_STARTED_AT), get(item, JobField.PROCESSING_ENDED_AT),
                        get(item, JobField.FINISHED_AT), get(item, JobField.TOTAL_MILLIS)),
                get(item, JobField.LAST_ERROR) == null ? null
                        : new Job.LastError(get(item, JobField.LAST_ERROR), get(item, JobField.LAST_ERROR_AT)));
    }

    /** The stored history list, as is (the repository rewrites it when it trims). */
    static List<AttributeValue> storedHistory(Map<String, AttributeValue> item) {
        AttributeValue h = item.get(HISTORY);
        return h == null || !h.hasL() ? List.of() : h.l();
    }

    private static List<HistoryEntry> history(Map<String, AttributeValue> item) {
        List<HistoryEntry> out = new ArrayList<>();
        for (AttributeValue e : storedHistory(item)) {
            Map<String, AttributeValue> m = e.m();
            AttributeValue reason = m.get("reason");
            out.add(new HistoryEntry(JobStatus.valueOf(m.get("status").s()), Instant.parse(m.get("at").s()),
                    reason == null ? null : reason.s()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <T> T get(Map<String, AttributeValue> item, JobField<T> field) {
        AttributeValue v = item.get(field.name());
        if (v == null) {
            return null;
        }
        Class<T> type = field.type();
        Object out;
        if (type == String.class) {
            out = v.s();
        } else if (type == Long.class) {
            out = v.n() == null ? null : Long.valueOf(v.n());
        } else if (type == Instant.class) {
            out = v.s() == null ? null : Instant.parse(v.s());
        } else if (type == Container.class) {
            out = v.s() == null ? null : Container.valueOf(v.s());
        } else if (type == Route.class) {
            out = v.s() == null ? null : Route.valueOf(v.s());
        } else if (type == ModelSource.class) {
            out = v.s() == null ? null : ModelSource.valueOf(v.s());
        } else {
            throw new IllegalArgumentException("no reader for " + field.name() + " of " + type);
        }
        return (T) out;
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static Long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? null : Long.valueOf(v.n());
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        String t = text(item, name);
        return t == null ? null : Instant.parse(t);
    }
}
