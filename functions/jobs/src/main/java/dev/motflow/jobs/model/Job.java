package dev.motflow.jobs.model;

import java.time.Instant;
import java.util.List;

/**
 * A video job as stored (docs/data-model.md, "Job"). Every part a stage of the lifecycle has not
 * reached yet is null (a group's fields, never the group). Read from and written to DynamoDB only by
 * {@code store/JobItems}.
 *
 * @param version +1 on every write; transitions are compare-and-set on it
 * @param history status changes, oldest first, at most {@code JobRepository.MAX_HISTORY}
 * @param fileName the video's file name (NFC), from {@code POST /jobs} or the object key
 * @param owner who the job belongs to ({@code iam:<arn>}, {@code cognito:<sub>}, {@code drop:<bucket>/<prefix>}); null on jobs older than owners
 * @param upload what {@code POST /jobs} reserved (empty for a dropped object)
 * @param source the S3 object version the job is for (empty until it arrived)
 * @param video what ingest learned from the object
 * @param start the start lease and attempts
 * @param sagemaker the SageMaker work started for it, and the model a processing job mounts
 * @param result the result once SUCCEEDED
 * @param timings when each stage happened
 * @param lastError the last transient failure the job is waiting out in its state (null when none)
 */
public record Job(String jobId, JobStatus status, String statusReason, long version, Instant createdAt,
                  Instant updatedAt, List<HistoryEntry> history, String fileName, String owner, Upload upload, Source source,
                  Video video, Start start, SageMakerWork sagemaker, Result result, Timings timings,
                  LastError lastError) {
    public Job {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /**
     * An upload {@code POST /jobs} reserved.
     *
     * @param expiresAt TTL (epoch seconds) while the reservation is unclaimed
     */
    public record Upload(String key, String declaredContentType, Long expiresAt) {
    }

    /**
     * The object version: {@code versionIdentity} is {@code v:<versionId>} or {@code e:<eTag>:<sequencer>}.
     */
    public record Source(String bucket, String key, String versionIdentity, String versionId, String eTag,
                         String sequencer) {
        public String s3Uri() {
            return bucket == null ? null : "s3://" + bucket + "/" + key;
        }
    }

    /**
     * The video: the size {@code POST /jobs} or the S3 event announced, then what ingest found and
     * the route it takes.
     */
    public record Video(Long declaredSizeBytes, Long sizeBytes, Container container, Route route) {
    }

    /**
     * The start lease (docs/data-model.md, "Lifecycle").
     *
     * @param attempts lease takeovers + 1
     * @param calls SageMaker calls the last start made (retries included)
     * @param lastError why the last start could not happen, while it is retried
     */
    public record Start(Instant leaseUntil, Long attempts, Long calls, String lastError) {
    }

    /**
     * The SageMaker side: an async inference or a processing job, and the model a processing job mounts.
     *
     * @param processingOutputUri where the processing job writes
     * @param processingResultUri the result file inside it
     */
    public record SageMakerWork(String endpointName, String inferenceId, String outputLocation, String failureLocation,
                                String processingJobName, String processingJobArn, String processingOutputUri,
                                String processingResultUri, ModelUse model) {
    }

    /** The model a processing job mounts; {@code version} only for {@link ModelSource#CURRENT}. */
    public record ModelUse(ModelSource source, Long version, String s3Uri) {
    }

    /**
     * A SUCCEEDED job's result.
     *
     * @param bucket where the result lives (results bucket)
     * @param sourceResult the URI SageMaker wrote it to, when it was copied
     */
    public record Result(Long trackCount, Long frameCount, Long boxCount, String bucket, String key,
                         String sourceResult) {
    }

    /** When each stage happened; {@code totalMillis} from receipt to the end. */
    public record Timings(Instant receivedAt, Instant runningAt, Instant inferenceReceivedAt,
                          Instant inferenceCompletedAt, Instant processingStartedAt, Instant processingEndedAt,
                          Instant finishedAt, Long totalMillis) {
    }

    /**
     * A transient failure (an S3, DynamoDB or SageMaker outage) that did not end the job: it stays in
     * its state and is retried (the queue's redelivery, then the reconciler); a later success removes it.
     */
    public record LastError(String message, Instant at) {
    }

    @Override
    public String toString() {
        return "Job[" + jobId + " " + status + " v" + version + "]";
    }
}
