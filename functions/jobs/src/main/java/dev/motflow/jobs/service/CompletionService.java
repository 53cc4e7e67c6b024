package dev.motflow.jobs.service;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.common.JsonLog;
import dev.motflow.common.LogContext;
import dev.motflow.jobs.JobsJson;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.store.JobField;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.JobUpdate;
import dev.motflow.jobs.store.StaleJobException;
import dev.motflow.jobs.store.TrackRepository;
import dev.motflow.jobs.store.UnroutableLog;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Finishes jobs: from the async endpoint's SNS notifications (SNS envelope in an SQS body; the
 * message is SageMaker's async inference notification) and from EventBridge "SageMaker Processing
 * Job State Change" events. A success reads the MOTChallenge result from S3, writes the track
 * summaries, copies the result to {@code s3://RESULTS_BUCKET/results/<jobId>/tracks.txt} and sets
 * SUCCEEDED with counts and timings; a failure sets FAILED with SageMaker's reason. Duplicate
 * notifications find a terminal job and change nothing. Unattributable messages are recorded in
 * the unroutable log and acknowledged; transient errors answer {@link Outcome#RETRY}.
 */
public final class CompletionService {
    public static final String RESULT_FILE = "tracks.txt";
    static final String SOURCE_ASYNC = "async-notification";
    static final String SOURCE_PROCESSING = "processing-event";
    static final String SOURCE_RECONCILER = "reconciler";
    private static final JsonLog LOG = JsonLog.get(CompletionService.class);
    private static final ObjectMapper JSON = JobsJson.MAPPER;
    private static final int MAX_STALE_ROUNDS = 5;

    private final JobsConfig config;
    private final JobRepository jobs;
    private final TrackRepository tracks;
    private final UnroutableLog unroutable;
    private final S3Client s3;
    private final Clock clock;
    private final MotResultReader reader = new MotResultReader();

    private final InJobRetry retry;

    public CompletionService(JobsConfig config, JobRepository jobs, TrackRepository tracks, UnroutableLog unroutable,
                             S3Client s3, Clock clock) {
        this(config, jobs, tracks, unroutable, s3, clock, new InJobRetry(InJobRetry.DEFAULT));
    }

    /** {@code retry}: the in-invocation retry of each step (reading the result, writing tracks, recording the end). */
    public CompletionService(JobsConfig config, JobRepository jobs, TrackRepository tracks, UnroutableLog unroutable,
                             S3Client s3, Clock clock, InJobRetry retry) {
        this.retry = retry;
        this.config = config;
        this.jobs = jobs;
        this.tracks = tracks;
        this.unroutable = unroutable;
        this.s3 = s3;
        this.clock = clock;
    }

    public static String resultKey(String jobId) {
        return "results/" + jobId + "/" + RESULT_FILE;
    }

    /** One SQS message body holding an SNS envelope of an async inference notification. */
    public Outcome handleAsyncNotification(String messageId, String body) {
        try {
            JsonNode envelope;
            try {
                envelope = body == null ? null : JSON.readTree(body);
            } catch (IOException e) {
                return unroutable(SOURCE_ASYNC, messageId, "the message body is not JSON", body);
            }
            if (envelope == null || !envelope.isObject()) {
                return unroutable(SOURCE_ASYNC, messageId, "the message body is not a JSON object", body);
            }
            if (!"Notification".equals(envelope.path("Type").asText()) || !envelope.path("Message").isTextual()) {
                return unroutable(SOURCE_ASYNC, messageId, "not an SNS notification envelope (Type '"
                        + envelope.path("Type").asText("") + "', Message must be a string)", body);
            }
            JsonNode msg;
            try {
                msg = JSON.readTree(envelope.get("Message").asText());
            } catch (IOException e) {
                return unroutable(SOURCE_ASYNC, messageId, "the SNS Message is not JSON", body);
            }
            if (msg == null || !msg.isObject()) {
                return unroutable(SOURCE_ASYNC, messageId, "the SNS Message is not a JSON object", body);
            }
            String inferenceId = msg.path("inferenceId").asText("");
            String status = msg.path("invocationStatus").asText("");
            if (!JobIds.valid(inferenceId)) {
                return unroutable(SOURCE_ASYNC, messageId, "inferenceId '" + KeyRules.printable(inferenceId)
                        + "' is not a motflow job id", body);
            }
            LogContext.put("jobId", inferenceId);
            Optional<Job> found = jobs.get(inferenceId);
            if (found.isEmpty()) {
                return unroutable(SOURCE_ASYNC, messageId, "no job " + inferenceId + " for this notification", body);
            }
            JobUpdate timings = JobUpdate.of()
                    .set(JobField.INFERENCE_RECEIVED_AT, time(msg.path("receivedTime").asText(null)))
                    .set(JobField.INFERENCE_COMPLETED_AT, time(msg.path("eventTime").asText(null)));
            JsonNode response = msg.path("responseParameters");
            switch (status) {
                case "Completed" -> {
                    String output = response.path("outputLocation").asText("");
                    if (output.isEmpty()) {
                        output = Optional.ofNullable(found.get().sagemaker().outputLocation()).orElse("");
                    }
                    return succeed(found.get(), output, timings, SOURCE_ASYNC, messageId, body);
                }
                case "Failed" -> {
                    String failureReason = msg.path("failureReason").asText("no reason given");
                    String reason = "async inference failed: " + failureReason;
                    String failure = response.path("failureLocation").asText("");
                    if (!failure.isEmpty()) {
                        timings.set(JobField.FAILURE_LOCATION, failure);
                        reason += " (details: " + failure + ")";
                    }
                    String rejection = ContainerRejections.fromAsyncFailure(failureReason);
                    if (rejection != null) {
                        return reject(found.get(), rejection, timings);
                    }
                    return fail(found.get(), reason, timings);
                }
                default -> {
                    return unroutable(SOURCE_ASYNC, messageId, "invocationStatus '" + KeyRules.printable(status)
                            + "' is neither Completed nor Failed (job " + inferenceId + ")", body);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("completion failed; the message will be retried", e, "messageId", messageId);
            return Outcome.RETRY;
        }
    }

    /** One EventBridge event (detail-type "SageMaker Processing Job State Change"). */
    public Outcome handleProcessingEvent(JsonNode event) {
        String eventId = event == null ? null : event.path("id").asText(null);
        String raw = event == null ? "null" : event.toString();
        try {
            if (event == null || !event.isObject()) {
                return unroutable(SOURCE_PROCESSING, eventId, "the event is not a JSON object", raw);
            }
            if (!"SageMaker Processing Job State Change".equals(event.path("detail-type").asText())) {
                return unroutable(SOURCE_PROCESSING, eventId, "detail-type '" + event.path("detail-type").asText("")
                        + "' is not a processing job state change", raw);
            }
            JsonNode detail = event.path("detail");
            String name = detail.path("ProcessingJobName").asText("");
            String status = detail.path("ProcessingJobStatus").asText("");
            if (name.isEmpty() || status.isEmpty()) {
                return unroutable(SOURCE_PROCESSING, eventId, "detail lacks ProcessingJobName or ProcessingJobStatus", raw);
            }
            String jobId = JobIds.fromProcessingJobName(name);
            if (jobId == null) {
                LOG.info("processing job is not a motflow job; ignored", "processingJobName", name);
                return Outcome.DONE;
            }
            LogContext.put("jobId", jobId);
            Optional<Job> found = jobs.get(jobId);
            if (found.isEmpty()) {
                return unroutable(SOURCE_PROCESSING, eventId, "no job " + jobId + " for processing job " + name, raw);
            }
            Job job = found.get();
            JobUpdate timings = JobUpdate.of()
                    .set(JobField.PROCESSING_STARTED_AT, epochMillisOrTime(detail.get("ProcessingStartTime")))
                    .set(JobField.PROCESSING_ENDED_AT, epochMillisOrTime(detail.get("ProcessingEndTime")));
            switch (status) {
                case "Completed" -> {
                    String uri = job.sagemaker().processingResultUri();
                    if (uri == null) {
                        return fail(job, "processing job " + name + " completed but the job has no result location", timings);
                    }
                    return succeed(job, uri, timings, SOURCE_PROCESSING, eventId, raw);
                }
                case "Failed", "Stopped" -> {
                    String why = detail.path("FailureReason").asText(detail.path("ExitMessage").asText(""));
                    String rejection = "Failed".equals(status) ? ContainerRejections.fromProcessingFailure(why) : null;
                    if (rejection != null) {
                        return reject(job, rejection, timings);
                    }
                    return fail(job, "processing job " + name + " " + status.toLowerCase(java.util.Locale.ROOT)
                            + (why.isEmpty() ? "" : ": " + why), timings);
                }
                case "InProgress", "Stopping" -> {
                    LOG.info("processing job " + status, "jobId", jobId, "processingJobName", name);
                    return Outcome.DONE;
                }
                default -> {
                    return unroutable(SOURCE_PROCESSING, eventId, "unknown ProcessingJobStatus '" + status + "'", raw);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("processing event failed; it will be retried", e, "eventId", eventId);
            return Outcome.RETRY;
        }
    }

    /**
     * The reconciler found the result of a started job ({@code resultUri}): the same checks and
     * conditional writes as a success notification, so a notification arriving later changes nothing.
     */
    public Outcome completeFound(Job job, String resultUri, JobUpdate timings) {
        return succeed(job, resultUri, timings == null ? JobUpdate.of() : timings, SOURCE_RECONCILER, job.jobId(),
                "{\"reconciledJob\":\"" + job.jobId() + "\"}");
    }

    /** The reconciler settles a job as FAILED (a failure it found, or a timeout); terminal jobs stay as they are. */
    public Outcome failFound(Job job, String reason, JobUpdate timings) {
        return fail(job, reason, timings == null ? JobUpdate.of() : timings);
    }

    private Outcome succeed(Job job, String resultUri, JobUpdate timings, String source,
                            String messageId, String body) {
        if (job.status().terminal()) {
            LOG.info("duplicate completion: job already " + job.status(), "jobId", job.jobId());
            return Outcome.DONE;
        }
        if (job.status() != JobStatus.RUNNING && job.status() != JobStatus.STARTING) {
            return unroutable(source, messageId, "job " + job.jobId() + " is " + job.status()
                    + " and never started on SageMaker", body);
        }
        S3Uri uri = S3Uri.parse(resultUri);
        if (uri == null) {
            return fail(job, "the result location '" + KeyRules.printable(resultUri) + "' is not an s3:// URI", timings);
        }
        MotResultReader.Result result;
        String resultKey = resultKey(job.jobId());
        try {
            try {
                result = retry.call(job.jobId(), "reading the result " + uri, () -> readResult(uri));
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return fail(job, "the result " + uri + " does not exist", timings);
                }
                throw e;
            } catch (InvalidResult e) {
                return fail(job, "the result is not a valid MOTChallenge file: " + e.getCause().getMessage(), timings);
            }
            retry.run(job.jobId(), "writing the tracks", () -> tracks.putAll(job.jobId(), result.tracks()));
            if (!(uri.bucket().equals(config.resultsBucket()) && uri.key().equals(resultKey))) {
                retry.run(job.jobId(), "copying the result", () -> s3.copyObject(b -> b.sourceBucket(uri.bucket())
                        .sourceKey(uri.key()).destinationBucket(config.resultsBucket()).destinationKey(resultKey)));
            }
        } catch (RuntimeException e) {
            if (TransientErrors.isTransient(e)) {
                return waitOut(job, "completing from " + uri, e);
            }
            if (e instanceof S3Exception refused) {
                // Access denied, a bad request: the same call will be refused again.
                return fail(job, "the result " + uri + " could not be read or copied: " + TransientErrors.describe(refused), timings);
            }
            throw e;
        }
        Instant now = clock.instant();
        JobUpdate sets = JobUpdate.of().with(timings)
                .set(JobField.TRACK_COUNT, (long) result.tracks().size())
                .set(JobField.FRAME_COUNT, (long) result.frames())
                .set(JobField.BOX_COUNT, (long) result.boxes())
                .set(JobField.RESULT_BUCKET, config.resultsBucket())
                .set(JobField.RESULT_KEY, resultKey)
                .set(JobField.SOURCE_RESULT, uri.toString())
                .set(JobField.FINISHED_AT, now);
        Instant received = job.timings().receivedAt();
        if (received != null) {
            sets.set(JobField.TOTAL_MILLIS, Duration.between(received, now).toMillis());
        }
        String reason = result.tracks().size() + " tracks, " + result.boxes() + " boxes over " + result.frames() + " frames";
        return finish(job, JobStatus.SUCCEEDED, reason, sets);
    }

    private MotResultReader.Result readResult(S3Uri uri) {
        try (InputStream in = s3.getObject(b -> b.bucket(uri.bucket()).key(uri.key()))) {
            return reader.read(in, uri.toString());
        } catch (MotResultReader.InvalidResultException e) {
            throw new InvalidResult(e);
        } catch (IOException e) {
            // The connection broke while the body was read: as transient as a refused connection.
            throw new java.io.UncheckedIOException("reading " + uri, e);
        }
    }

    /** The result file is not MOTChallenge text (permanent: reading it again gives the same file). */
    private static final class InvalidResult extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidResult(MotResultReader.InvalidResultException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * A transient failure outlasted the in-invocation retries: the job stays in its state with the
     * error recorded (best effort: DynamoDB may be what is down) and the message comes back (SQS
     * redelivery; after the last one, the reconciler finds the job and its result).
     */
    private Outcome waitOut(Job job, String what, RuntimeException e) {
        String error = what + " failed: " + TransientErrors.describe(e);
        LOG.warn("transient failure; the job stays " + job.status() + " and the message will be retried", "jobId",
                job.jobId(), "error", error);
        recordLastError(jobs, job, error, clock);
        return Outcome.RETRY;
    }

    /**
     * Records {@code error} as the job's {@code lastError} if the job is as read and DynamoDB answers,
     * once per run of failures: a job that already has one keeps it (the first failure of the outage
     * and when it began), because every write moves {@code updatedAt}, from which the reconciler's hard
     * timeout counts; rewriting it on each retry would keep a job that never recovers open for good.
     */
    static void recordLastError(JobRepository jobs, Job job, String error, Clock clock) {
        if (job.lastError() != null) {
            return;
        }
        try {
            jobs.update(job, JobUpdate.of().set(JobField.LAST_ERROR, error).set(JobField.LAST_ERROR_AT, clock.instant()));
        } catch (RuntimeException notNow) {
            // DynamoDB down too, or the job moved on: the log line above holds the error.
        }
    }

    private Outcome fail(Job job, String reason, JobUpdate timings) {
        if (job.status().terminal()) {
            LOG.info("duplicate completion: job already " + job.status(), "jobId", job.jobId());
            return Outcome.DONE;
        }
        return finish(job, JobStatus.FAILED, reason, JobUpdate.of().with(timings).set(JobField.FINISHED_AT, clock.instant()));
    }

    /** The input itself cannot be tracked (the container said so): REJECTED with the container's reason. */
    private Outcome reject(Job job, String reason, JobUpdate timings) {
        if (job.status().terminal()) {
            LOG.info("duplicate completion: job already " + job.status(), "jobId", job.jobId());
            return Outcome.DONE;
        }
        return finish(job, JobStatus.REJECTED, "the video cannot be tracked: " + reason,
                JobUpdate.of().with(timings).set(JobField.FINISHED_AT, clock.instant()));
    }

    private Outcome finish(Job job, JobStatus to, String reason, JobUpdate sets) {
        Job current = job;
        for (int round = 0; round < MAX_STALE_ROUNDS; round++) {
            if (current.status().terminal()) {
                LOG.info("job already " + current.status() + "; notification had no effect", "jobId", job.jobId());
                return Outcome.DONE;
            }
            if (!current.status().canMoveTo(to)) {
                LOG.warn("job cannot move " + current.status() + " -> " + to, "jobId", job.jobId());
                return Outcome.DONE;
            }
            Job read = current;
            JobUpdate changes = JobUpdate.of().with(sets).remove(JobField.LEASE_UNTIL);
            if (to == JobStatus.SUCCEEDED) {
                changes.remove(JobField.LAST_ERROR).remove(JobField.LAST_ERROR_AT);
            }
            try {
                retry.call(job.jobId(), "recording " + to, () -> jobs.transition(read, to, reason, changes));
                if (to == JobStatus.SUCCEEDED) {
                    LOG.info("job succeeded", "jobId", job.jobId(), "reason", reason);
                } else {
                    LOG.warn("job failed", "jobId", job.jobId(), "reason", reason);
                }
                return Outcome.DONE;
            } catch (StaleJobException e) {
                current = jobs.get(job.jobId()).orElseThrow();
            }
        }
        return Outcome.RETRY;
    }

    private Outcome unroutable(String source, String messageId, String reason, String body) {
        LOG.warn("message not attributable; recorded and acknowledged", "source", source, "messageId", messageId,
                "reason", reason);
        unroutable.record(source, messageId, reason, body);
        return Outcome.DONE;
    }

    /** An ISO-8601 time, or null when there is none or it is not a timestamp (nothing rather than garbage). */
    private static Instant time(String iso) {
        if (iso == null || iso.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(iso);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** EventBridge sends SageMaker times as epoch milliseconds (or, in places, ISO text). */
    private static Instant epochMillisOrTime(JsonNode v) {
        if (v != null && v.isNumber()) {
            return Instant.ofEpochMilli(v.asLong());
        }
        return v != null && v.isTextual() ? time(v.asText()) : null;
    }

    /** An s3://bucket/key URI. */
    record S3Uri(String bucket, String key) {
        static S3Uri parse(String uri) {
            if (uri == null || !uri.startsWith("s3://")) {
                return null;
            }
            int slash = uri.indexOf('/', 5);
            if (slash <= 5 || slash == uri.length() - 1) {
                return null;
            }
            return new S3Uri(uri.substring(5, slash), uri.substring(slash + 1));
        }

        @Override
        public String toString() {
            return "s3://" + bucket + "/" + key;
        }
    }
}
