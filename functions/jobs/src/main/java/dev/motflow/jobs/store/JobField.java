package dev.motflow.jobs.store;

import java.time.Instant;

import dev.motflow.jobs.model.Container;
import dev.motflow.jobs.model.ModelSource;
import dev.motflow.jobs.model.Route;
import dev.motflow.table.TableKeys;

/**
 * A job attribute a service may set or remove, with the type of its value: the compiler checks
 * every {@link JobUpdate}. {@link JobItems} stores strings as S, numbers as N, enums by name and
 * instants as fixed-width UTC text ({@link Times}). The names are the stored format
 * (docs/data-model.md); the key, status, version and history attributes are the repository's own.
 */
public record JobField<T>(String name, Class<T> type) {
    /**
     * Who the job belongs to: the API caller who reserved it ({@code iam:<arn>}, {@code cognito:<sub>}),
     * or {@code drop:<bucket>/<prefix>} for a dropped object.
     */
    public static final JobField<String> OWNER = new JobField<>("owner", String.class);
    // Reservation (POST /jobs)
    public static final JobField<String> UPLOAD_KEY = new JobField<>("uploadKey", String.class);
    public static final JobField<String> DECLARED_CONTENT_TYPE = new JobField<>("declaredContentType", String.class);
    /** TTL (epoch seconds) while the reservation is unclaimed. */
    public static final JobField<Long> EXPIRES_AT = new JobField<>(TableKeys.TTL, Long.class);
    // The object and the video
    public static final JobField<String> FILE_NAME = new JobField<>("fileName", String.class);
    public static final JobField<String> SRC_BUCKET = new JobField<>("srcBucket", String.class);
    public static final JobField<String> SRC_KEY = new JobField<>("srcKey", String.class);
    public static final JobField<String> SRC_VERSION_IDENTITY = new JobField<>("srcVersionIdentity", String.class);
    public static final JobField<String> SRC_VERSION_ID = new JobField<>("srcVersionId", String.class);
    public static final JobField<String> SRC_ETAG = new JobField<>("srcETag", String.class);
    public static final JobField<String> SRC_SEQUENCER = new JobField<>("srcSequencer", String.class);
    public static final JobField<Long> DECLARED_SIZE_BYTES = new JobField<>("declaredSizeBytes", Long.class);
    public static final JobField<Long> SIZE_BYTES = new JobField<>("sizeBytes", Long.class);
    public static final JobField<Container> CONTAINER = new JobField<>("container", Container.class);
    public static final JobField<Route> ROUTE = new JobField<>("route", Route.class);
    // Start
    public static final JobField<Instant> LEASE_UNTIL = new JobField<>("leaseUntil", Instant.class);
    public static final JobField<Long> START_ATTEMPTS = new JobField<>("startAttempts", Long.class);
    public static final JobField<Long> START_CALLS = new JobField<>("startCalls", Long.class);
    public static final JobField<String> LAST_START_ERROR = new JobField<>("lastStartError", String.class);
    // SageMaker
    public static final JobField<String> ENDPOINT_NAME = new JobField<>("endpointName", String.class);
    public static final JobField<String> INFERENCE_ID = new JobField<>("inferenceId", String.class);
    public static final JobField<String> OUTPUT_LOCATION = new JobField<>("outputLocation", String.class);
    public static final JobField<String> FAILURE_LOCATION = new JobField<>("failureLocation", String.class);
    public static final JobField<String> PROCESSING_JOB_NAME = new JobField<>("processingJobName", String.class);
    public static final JobField<String> PROCESSING_JOB_ARN = new JobField<>("processingJobArn", String.class);
    public static final JobField<String> PROCESSING_OUTPUT_URI = new JobField<>("processingOutputUri", String.class);
    public static final JobField<String> PROCESSING_RESULT_URI = new JobField<>("processingResultUri", String.class);
    public static final JobField<ModelSource> MODEL_SOURCE = new JobField<>("modelSource", ModelSource.class);
    public static final JobField<Long> MODEL_VERSION = new JobField<>("modelVersion", Long.class);
    public static final JobField<String> MODEL_S3_URI = new JobField<>("modelS3Uri", String.class);
    // Result
    public static final JobField<Long> TRACK_COUNT = new JobField<>("trackCount", Long.class);
    public static final JobField<Long> FRAME_COUNT = new JobField<>("frameCount", Long.class);
    public static final JobField<Long> BOX_COUNT = new JobField<>("boxCount", Long.class);
    public static final JobField<String> RESULT_BUCKET = new JobField<>("resultBucket", String.class);
    public static final JobField<String> RESULT_KEY = new JobField<>("resultKey", String.class);
    public static final JobField<String> SOURCE_RESULT = new JobField<>("sourceResult", String.class);
    // Timings
    public static final JobField<Instant> RECEIVED_AT = new JobField<>("receivedAt", Instant.class);
    public static final JobField<Instant> RUNNING_AT = new JobField<>("runningAt", Instant.class);
    public static final JobField<Instant> INFERENCE_RECEIVED_AT = new JobField<>("inferenceReceivedAt", Instant.class);
    public static final JobField<Instant> INFERENCE_COMPLETED_AT = new JobField<>("inferenceCompletedAt", Instant.class);
    public static final JobField<Instant> PROCESSING_STARTED_AT = new JobField<>("processingStartedAt", Instant.class);
    public static final JobField<Instant> PROCESSING_ENDED_AT = new JobField<>("processingEndedAt", Instant.class);
    public static final JobField<Instant> FINISHED_AT = new JobField<>("finishedAt", Instant.class);
    public static final JobField<Long> TOTAL_MILLIS = new JobField<>("totalMillis", Long.class);
    // A transient failure (S3, DynamoDB, SageMaker unavailable) the job is waiting out in its state
    public static final JobField<String> LAST_ERROR = new JobField<>("lastError", String.class);
    public static final JobField<Instant> LAST_ERROR_AT = new JobField<>("lastErrorAt", Instant.class);
}
