package dev.motflow.table;

import java.util.Locale;

/**
 * The layout of motflow's single DynamoDB table (docs/data-model.md): attribute names of the keys,
 * the index and the TTL, and the format of every partition and sort key. The Lambda modules build
 * keys only through this class and the CDK app names the table's attributes from it, so the stored
 * format has one definition. Changing a format here changes how already-stored items are found.
 */
public final class TableKeys {
    /** Partition key attribute (S). */
    public static final String PK = "pk";
    /** Sort key attribute (S). */
    public static final String SK = "sk";
    /** The global secondary index (jobs by status, newest first). */
    public static final String GSI1 = "gsi1";
    /** Partition key of {@link #GSI1} (S): {@code STATUS#<status>}, on job items only. */
    public static final String GSI1_PK = "gsi1pk";
    /** Sort key of {@link #GSI1} (S): {@code <createdAt>#<jobId>}. */
    public static final String GSI1_SK = "gsi1sk";
    /** TTL attribute (N, epoch seconds). */
    public static final String TTL = "expiresAt";

    /** Sort key of a job item. */
    public static final String JOB_SK = "JOB";
    /** Sort-key prefix of a job's track summaries. */
    public static final String TRACK_PREFIX = "TRACK#";
    /** Sort key of a stream's tracker state. */
    public static final String STREAM_STATE_SK = "STATE";
    /** Sort key of a stream's entry in its owner's stream list ({@link #GSI1} partition {@link #streamsOfPk}). */
    public static final String STREAM_LISTED_BY_OWNER_SK = "LIST#OWNER";
    /** Sort key of a stream's entry in the list of every stream ({@link #GSI1} partition {@link #STREAMS_PK}). */
    public static final String STREAM_LISTED_SK = "LIST#ALL";
    /** {@link #GSI1} partition of every stream's list entry (what admins list). */
    public static final String STREAMS_PK = "STREAMS";
    /** Sort key of a model's production pointer. */
    public static final String MODEL_CURRENT_SK = "CURRENT";
    /** Sort-key prefix of model and dataset versions. */
    public static final String VERSION_PREFIX = "V#";
    /** Partition key of the retraining run lock. */
    public static final String RETRAIN_LOCK_PK = "RETRAIN#LOCK";
    /** Sort key of the retraining run lock. */
    public static final String RETRAIN_LOCK_SK = "LOCK";

    private TableKeys() {
    }

    /** {@code JOB#<jobId>}: a job and its track summaries. */
    public static String jobPk(String jobId) {
        return "JOB#" + jobId;
    }

    /** {@code STATUS#<status>}: the {@link #GSI1} partition of a job status. */
    public static String statusPk(String status) {
        return "STATUS#" + status;
    }

    /** {@code <createdAt>#<jobId>}: newest-first order inside a status partition. */
    public static String statusSk(String createdAt, String jobId) {
        return createdAt + "#" + jobId;
    }

    /** {@code TRACK#<firstFrame:08d>#<trackId:010d>}: tracks sort by first frame. */
    public static String trackSk(int firstFrame, int trackId) {
        return String.format(Locale.ROOT, "%s%08d#%010d", TRACK_PREFIX, firstFrame, trackId);
    }

    /** The highest track sort key whose first frame is at most {@code toFrame}. */
    public static String trackSkUpTo(Integer toFrame) {
        return toFrame == null ? TRACK_PREFIX + "~"
                : String.format(Locale.ROOT, "%s%08d#~", TRACK_PREFIX, Math.max(0, toFrame));
    }

    /** {@code STREAM#<streamId>}: a live stream's tracker state. */
    public static String streamPk(String streamId) {
        return "STREAM#" + streamId;
    }

    /** {@code STREAMS#<owner>}: the {@link #GSI1} partition of one owner's streams. */
    public static String streamsOfPk(String owner) {
        return STREAMS_PK + "#" + owner;
    }

    /** {@code <createdAt>#<streamId>}: newest-first order of a stream list. */
    public static String streamListSk(String createdAt, String streamId) {
        return createdAt + "#" + streamId;
    }

    /** {@code MODEL#<name>}: a model's versions and its production pointer. */
    public static String modelPk(String modelName) {
        return "MODEL#" + modelName;
    }

    /** {@code DATASET#<name>}: a dataset's versions and its retraining runs. */
    public static String datasetPk(String dataset) {
        return "DATASET#" + dataset;
    }

    /** {@code V#<version:08d>}: a model or dataset version. */
    public static String versionSk(long version) {
        return String.format(Locale.ROOT, "%s%08d", VERSION_PREFIX, version);
    }

    /** The version number of a {@link #versionSk} sort key. */
    public static long versionOf(String versionSk) {
        if (versionSk == null || !versionSk.startsWith(VERSION_PREFIX)) {
            throw new IllegalArgumentException("not a version sort key: " + versionSk);
        }
        return Long.parseLong(versionSk.substring(VERSION_PREFIX.length()));
    }

    /** {@code RUN#<executionName>}: a retraining run under its dataset. */
    public static String runSk(String executionName) {
        return "RUN#" + executionName;
    }

    /** {@code UNROUTABLE#<yyyy-MM-dd>}: messages no job could be found for, by day. */
    public static String unroutablePk(String day) {
        return "UNROUTABLE#" + day;
    }

    /** {@code <source>#<messageId>}: one unroutable message. */
    public static String unroutableSk(String source, String messageId) {
        return source + "#" + messageId;
    }
}
