package dev.motflow.jobs.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.common.JsonLog;
import dev.motflow.common.LogContext;
import dev.motflow.jobs.JobsJson;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.Route;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.store.JobField;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.JobUpdate;
import dev.motflow.jobs.store.ProductionModel;
import dev.motflow.jobs.store.StaleJobException;
import dev.motflow.jobs.store.UnroutableLog;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns S3 ObjectCreated notifications (delivered through SQS) into jobs: one job per object
 * version however often or concurrently the event arrives, validated (key rules, size, content),
 * rejected with an actionable reason or started on SageMaker (docs/data-model.md, lifecycle).
 *
 * <p>Message policy: a body that is not an S3 event notification, or a record without bucket or
 * key, is recorded in the unroutable log and acknowledged (retrying cannot fix it); the
 * {@code s3:TestEvent} S3 sends when notifications are configured and non-ObjectCreated events are
 * logged and acknowledged; transient failures (S3, DynamoDB, SageMaker unavailable, a start in
 * progress elsewhere) answer {@link Outcome#RETRY} so SQS redelivers the message.
 */
public final class IngestService {
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(2);
    static final String SOURCE = "ingest";
    private static final JsonLog LOG = JsonLog.get(IngestService.class);
    private static final ObjectMapper JSON = JobsJson.MAPPER;
    private static final Pattern RESERVED_KEY = Pattern.compile("^incoming/([0-9a-f]{32})/[^/]+$");
    private static final int MAX_STALE_ROUNDS = 8;

    private final JobsConfig config;
    private final JobRepository jobs;
    private final UnroutableLog unroutable;
    private final S3Client s3;
    private final SageMakerLauncher launcher;
    private final ProductionModel model;
    private final Clock clock;
    private final Duration lease;
    private final ContainerSniffer sniffer = new ContainerSniffer();
    private final InJobRetry retry;

    public IngestService(JobsConfig config, JobRepository jobs, UnroutableLog unroutable, S3Client s3,
                         SageMakerLauncher launcher, ProductionModel model, Clock clock, Duration lease) {
        this(config, jobs, unroutable, s3, launcher, model, clock, lease, new InJobRetry(InJobRetry.DEFAULT));
    }

    /** {@code retry}: the in-invocation retry of the object's reads (HeadObject, the ranges the sniffer reads). */
    public IngestService(JobsConfig config, JobRepository jobs, UnroutableLog unroutable, S3Client s3,
                         SageMakerLauncher launcher, ProductionModel model, Clock clock, Duration lease,
                         InJobRetry retry) {
        this.retry = retry;
        this.config = config;
        this.jobs = jobs;
        this.unroutable = unroutable;
        this.s3 = s3;
        this.launcher = launcher;
        this.model = model;
        this.clock = clock;
        this.lease = lease;
    }

    /** Handles one SQS message body (an S3 event notification). */
    public Outcome handleMessage(String messageId, String body) {
        try {
            JsonNode root;
            try {
                root = body == null ? null : JSON.readTree(body);
            } catch (java.io.IOException e) {
                return unroutable(messageId, "the message body is not JSON (" + firstLine(e.getMessage()) + ")", body);
            }
            if (root == null || !root.isObject()) {
                return unroutable(messageId, "the message body is not a JSON object", body);
            }
            if ("s3:TestEvent".equals(root.path("Event").asText())) {
                LOG.info("S3 test event acknowledged", "messageId", messageId, "bucket", root.path("Bucket").asText(null));
                return Outcome.DONE;
            }
            JsonNode records = root.get("Records");
            if (records == null || !records.isArray() || records.isEmpty()) {
                return unroutable(messageId, "the message is not an S3 event notification (no Records)", body);
            }
            Outcome out = Outcome.DONE;
            for (int i = 0; i < records.size(); i++) {
                out = out.and(handleRecord(messageId, i, records.get(i), body));
            }
            return out;
        } catch (RuntimeException e) {
            LOG.error("ingest failed; the message will be retried", e, "messageId", messageId);
            return Outcome.RETRY;
        }
    }

    private Outcome handleRecord(String messageId, int index, JsonNode rec, String body) {
        String eventSource = rec.path("eventSource").asText("");
        String eventName = rec.path("eventName").asText("");
        if (!"aws:s3".equals(eventSource)) {
            return unroutable(messageId, "record " + index + " is not an S3 event (eventSource '" + eventSource + "')", body);
        }
        String bucket = rec.at("/s3/bucket/name").asText("");
        String rawKey = rec.at("/s3/object/key").asText("");
        if (bucket.isEmpty() || rawKey.isEmpty()) {
            return unroutable(messageId, "record " + index + " has no s3.bucket.name or s3.object.key", body);
        }
        if (!eventName.startsWith("ObjectCreated:")) {
            LOG.info("event ignored: only ObjectCreated events start jobs", "messageId", messageId,
                    "eventName", eventName, "bucket", bucket, "key", KeyRules.printable(rawKey));
            return Outcome.DONE;
        }
        String decoded = KeyRules.decodeEventKey(rawKey);
        JsonNode obj = rec.at("/s3/object");
        S3ObjectRef ref = new S3ObjectRef(bucket, decoded != null ? decoded : rawKey, textOrNull(obj, "versionId"),
                stripQuotes(textOrNull(obj, "eTag")), textOrNull(obj, "sequencer"), obj.path("size").asLong(-1));
        return ingest(ref, decoded != null);
    }

    /** Creates (or finds) the job of one object version and moves it as far as it can go now. */
    public Outcome ingest(S3ObjectRef ref, boolean keyDecoded) {
        // Every later line of this object's handling carries its job id (a reservation's, once claimed).
        LogContext.put("jobId", JobIds.forObject(ref));
        Job job = keyDecoded ? claimReservation(ref) : null;
        if (job == null) {
            String jobId = JobIds.forObject(ref);
            Optional<Job> created = jobs.create(jobId, JobStatus.RECEIVED, "object arrived: " + ref.s3Uri(),
                    sourceAttributes(ref).set(JobField.OWNER, Tenancy.dropOwner(ref.bucket(), ref.key())));
            if (created.isPresent()) {
                job = created.get();
                LOG.info("job created", "jobId", jobId, "bucket", ref.bucket(), "key", KeyRules.printable(ref.key()));
            } else {
                job = jobs.get(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " vanished"));
                LOG.info("duplicate event for an existing job", "jobId", jobId, "status", job.status().name());
            }
        }
        LogContext.put("jobId", job.jobId());
        return advance(job, ref, keyDecoded);
    }

    /** A POST /jobs reservation this upload claims, or null when the key is not a reserved one. */
    private Job claimReservation(S3ObjectRef ref) {
        Matcher m = RESERVED_KEY.matcher(ref.key());
        if (!m.matches()) {
            return null;
        }
        String jobId = m.group(1);
        for (int round = 0; round < MAX_STALE_ROUNDS; round++) {
            Optional<Job> found = jobs.get(jobId);
            if (found.isEmpty()) {
                return null;
            }
            Job job = found.get();
            if (sameUpload(ref, job.source())) {
                return job;
            }
            if (job.status() != JobStatus.AWAITING_UPLOAD || !ref.key().equals(job.upload().key())) {
                return null;
            }
            try {
                // The size POST /jobs declared stays: validate holds the object to it.
                Job claimed = jobs.transition(job, JobStatus.RECEIVED, "upload arrived: " + ref.s3Uri(),
                        sourceAttributes(ref, false).remove(JobField.EXPIRES_AT));
                LOG.info("reserved job claimed by its upload", "jobId", jobId);
                return claimed;
            } catch (StaleJobException e) {
                // Another delivery claimed it meanwhile: re-read and see whether it was this version.
            }
        }
        throw new StaleJobException(jobId, "reservation kept changing");
    }

    /**
     * Whether {@code ref} is the upload that claimed the reservation. The reconciler claims from a
     * HeadObject, which has no sequencer (only events carry one): on an unversioned bucket the same
     * key and ETag is then the same upload, so its event arriving later joins that job, not a new one.
     */
    static boolean sameUpload(S3ObjectRef ref, Job.Source claimed) {
        if (ref.versionIdentity().equals(claimed.versionIdentity())) {
            return true;
        }
        boolean unversioned = claimed.versionId() == null && (ref.versionId() == null || "null".equals(ref.versionId()));
        boolean oneWithoutSequencer = claimed.sequencer() == null || ref.sequencer() == null;
        return unversioned && oneWithoutSequencer && claimed.key() != null && claimed.key().equals(ref.key())
                && claimed.eTag() != null && claimed.eTag().equals(ref.eTag());
    }

    private JobUpdate sourceAttributes(S3ObjectRef ref) {
        return sourceAttributes(ref, true);
    }

    /** The object's attributes; its announced size as the declared one unless a reservation declared it. */
    private JobUpdate sourceAttributes(S3ObjectRef ref, boolean announcedSize) {
        JobUpdate sets = JobUpdate.of()
                .set(JobField.SRC_BUCKET, ref.bucket())
                .set(JobField.SRC_KEY, ref.key())
                .set(JobField.SRC_VERSION_IDENTITY, ref.versionIdentity())
                .set(JobField.SRC_VERSION_ID, ref.versionId())
                .set(JobField.SRC_ETAG, ref.eTag())
                .set(JobField.SRC_SEQUENCER, ref.sequencer())
                .set(JobField.RECEIVED_AT, clock.instant());
        return announcedSize ? sets.set(JobField.DECLARED_SIZE_BYTES, ref.sizeBytes() >= 0 ? ref.sizeBytes() : null) : sets;
    }

    private Outcome advance(Job job, S3ObjectRef ref, boolean keyDecoded) {
        for (int round = 0; ; round++) {
            try {
                switch (job.status()) {
                    case RECEIVED -> {
                        Job next = validate(job, ref, keyDecoded);
                        return next.status() == JobStatus.STARTING ? launch(next) : Outcome.DONE;
                    }
                    case STARTING -> {
                        Instant leaseUntil = job.start().leaseUntil();
                        if (leaseUntil != null && leaseUntil.isAfter(clock.instant())) {
                            LOG.info("start in progress in another worker; retry later", "jobId", job.jobId());
                            return Outcome.RETRY;
                        }
                        long attempt = Optional.ofNullable(job.start().attempts()).orElse(0L) + 1;
                        Job taken = jobs.transition(job, JobStatus.STARTING,
                                "start lease expired; taking over (start attempt " + attempt + ")",
                                JobUpdate.of().set(JobField.LEASE_UNTIL, clock.instant().plus(lease))
                                        .set(JobField.START_ATTEMPTS, attempt));
                        return launch(taken);
                    }
                    default -> {
                        LOG.info("nothing to do: job already " + job.status(), "jobId", job.jobId());
                        return Outcome.DONE;
                    }
                }
            } catch (StaleJobException e) {
                if (round >= MAX_STALE_ROUNDS) {
                    LOG.warn("job keeps changing under this worker; retry later", "jobId", job.jobId());
                    return Outcome.RETRY;
                }
                String id = job.jobId();
                job = jobs.get(id).orElseThrow(() -> new IllegalStateException("job " + id + " vanished"));
            } catch (RuntimeException e) {
                if (!TransientErrors.isTransient(e)) {
                    throw e;
                }
                // S3 or DynamoDB still down after the retries: the job waits in its state for the redelivery.
                String error = "ingest (" + job.status() + ") failed: " + TransientErrors.describe(e);
                LOG.warn("transient failure; the job stays " + job.status() + " and the message will be retried",
                        "jobId", job.jobId(), "error", error);
                CompletionService.recordLastError(jobs, job, error, clock);
                return Outcome.RETRY;
            }
        }
    }

    private Job validate(Job job, S3ObjectRef ref, boolean keyDecoded) {
        if (!keyDecoded) {
            return reject(job, "the object key is not valid URL encoding as S3 sends it; rename the file using plain characters");
        }
        KeyRules.Verdict key = KeyRules.checkKey(ref.key());
        if (!key.accepted()) {
            return reject(job, key.rejection());
        }
        HeadObjectResponse head;
        try {
            head = retry.call(job.jobId(), "HeadObject " + ref.s3Uri(),
                    () -> s3.headObject(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId())));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return reject(job, "the object no longer exists (deleted before it could be processed)");
            }
            if (!TransientErrors.isTransient(e)) {
                // Access denied, a bad request: reading it again will be refused again.
                return failValidation(job, "the object " + ref.s3Uri() + " could not be read: " + TransientErrors.describe(e));
            }
            throw e;
        }
        String eTag = stripQuotes(head.eTag());
        if (ref.versionId() == null && ref.eTag() != null && eTag != null && !ref.eTag().equals(eTag)) {
            return reject(job, "the object was overwritten by a newer upload before it could be processed; "
                    + "the newer upload is tracked as its own job");
        }
        long size = head.contentLength() == null ? 0 : head.contentLength();
        if (size == 0) {
            return reject(job, "the file is empty (0 bytes); upload the video again");
        }
        Long declared = job.video().declaredSizeBytes();
        if (job.upload().key() != null && declared != null && size != declared) {
            // S3 refuses such a PUT (the URL signs Content-Length); a store that does not check it lands here.
            return reject(job, "the upload has " + size + " bytes but POST /jobs declared " + declared
                    + "; reserve a new upload with the file's exact size");
        }
        if (size > config.maxUploadBytes()) {
            return reject(job, "the file is " + size + " bytes; the limit is " + config.maxUploadBytes()
                    + " bytes: split the video or lower its bit rate");
        }
        ContainerSniffer.Verdict content;
        try {
            content = sniffer.sniff(size, (offset, length) -> retry.call(job.jobId(),
                    "reading bytes " + offset + "+" + length + " of " + ref.s3Uri(), () -> readRange(ref, offset, length)));
        } catch (S3Exception e) {
            if (TransientErrors.isTransient(e)) {
                throw e;
            }
            if (e.statusCode() == 404) {
                return reject(job, "the object no longer exists (deleted before it could be processed)");
            }
            return failValidation(job, "the object " + ref.s3Uri() + " could not be read: " + TransientErrors.describe(e));
        }
        if (!content.accepted()) {
            return reject(job, content.rejection());
        }
        Route route = ref.key().startsWith(config.batchPrefix()) || size > config.maxAsyncBytes()
                ? Route.PROCESSING_JOB : Route.ASYNC_ENDPOINT;
        JobUpdate sets = JobUpdate.of()
                .set(JobField.SIZE_BYTES, size)
                .set(JobField.CONTAINER, content.container())
                .set(JobField.FILE_NAME, key.fileName())
                .set(JobField.ROUTE, route)
                .set(JobField.LEASE_UNTIL, clock.instant().plus(lease))
                .set(JobField.START_ATTEMPTS, 1L)
                .remove(JobField.LAST_ERROR).remove(JobField.LAST_ERROR_AT);
        Job started = jobs.transition(job, JobStatus.STARTING, "accepted " + content.container() + " video of "
                + size + " bytes; starting " + route, sets);
        LOG.info("video accepted", "jobId", job.jobId(), "container", content.container().name(),
                "sizeBytes", size, "route", route.name());
        return started;
    }

    private byte[] readRange(S3ObjectRef ref, long offset, int length) {
        ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(b -> b.bucket(ref.bucket()).key(ref.key())
                .versionId(ref.versionId()).range("bytes=" + offset + "-" + (offset + length - 1)));
        byte[] bytes = r.asByteArray();
        // A server that ignores Range would send the whole object: keep the asked-for window only.
        return bytes.length > length ? java.util.Arrays.copyOf(bytes, length) : bytes;
    }

    private Job reject(Job job, String reason) {
        Job rejected = jobs.transition(job, JobStatus.REJECTED, reason,
                JobUpdate.of().set(JobField.FINISHED_AT, clock.instant()));
        LOG.warn("input rejected", "jobId", job.jobId(), "reason", reason);
        return rejected;
    }

    /** The object cannot be read for a reason retrying cannot change (not the video's fault: FAILED, not REJECTED). */
    private Job failValidation(Job job, String reason) {
        Job failed = jobs.transition(job, JobStatus.FAILED, reason,
                JobUpdate.of().set(JobField.FINISHED_AT, clock.instant()).remove(JobField.LEASE_UNTIL));
        LOG.warn("job failed", "jobId", job.jobId(), "reason", reason);
        return failed;
    }

    private Outcome launch(Job job) {
        String input = job.source().s3Uri();
        JobUpdate sets = JobUpdate.of();
        String reason;
        try {
            if (job.video().route() == Route.PROCESSING_JOB) {
                ProductionModel.Choice m;
                try {
                    m = model.choose();
                } catch (SdkException e) {
                    // Starting on the fallback would silently run an outdated model: wait for the table.
                    return releaseLease(job, "reading the production model failed: " + e.getMessage());
                }
                SageMakerLauncher.ProcessingStart p = launcher.startProcessing(job.jobId(), input,
                        Optional.ofNullable(job.video().sizeBytes()).orElse(0L), m.s3Uri());
                sets.set(JobField.MODEL_SOURCE, m.source())
                        .set(JobField.MODEL_S3_URI, m.s3Uri())
                        .set(JobField.MODEL_VERSION, m.version())
                        .set(JobField.PROCESSING_JOB_NAME, p.jobName())
                        .set(JobField.PROCESSING_JOB_ARN, p.jobArn())
                        .set(JobField.PROCESSING_OUTPUT_URI, p.outputS3Uri())
                        .set(JobField.PROCESSING_RESULT_URI, p.resultS3Uri())
                        .set(JobField.START_CALLS, (long) p.attempts());
                reason = "processing job " + p.jobName() + " created";
            } else {
                String contentType = job.video().container().mediaType();
                SageMakerLauncher.AsyncStart a = launcher.startAsync(job.jobId(), input, contentType);
                sets.set(JobField.ENDPOINT_NAME, config.asyncEndpointName())
                        .set(JobField.INFERENCE_ID, a.inferenceId())
                        .set(JobField.OUTPUT_LOCATION, a.outputLocation())
                        .set(JobField.FAILURE_LOCATION, a.failureLocation())
                        .set(JobField.START_CALLS, (long) a.attempts());
                reason = "async inference accepted by endpoint " + config.asyncEndpointName();
            }
        } catch (SageMakerLauncher.RejectedException e) {
            fail(job, e.getMessage());
            return Outcome.DONE;
        } catch (SageMakerLauncher.UnavailableException e) {
            return releaseLease(job, e.getMessage());
        }
        sets.set(JobField.RUNNING_AT, clock.instant())
                .remove(JobField.LEASE_UNTIL)
                .remove(JobField.LAST_START_ERROR)
                .remove(JobField.LAST_ERROR).remove(JobField.LAST_ERROR_AT);
        try {
            jobs.transition(job, JobStatus.RUNNING, reason, sets);
            LOG.info("job running", "jobId", job.jobId(), "route", job.video().route() == null ? null : job.video().route().name());
        } catch (StaleJobException e) {
            // A completion notification can overtake this write; it recorded the outcome already.
            LOG.info("job moved on before RUNNING was recorded", "jobId", job.jobId());
        }
        return Outcome.DONE;
    }

    private Outcome releaseLease(Job job, String error) {
        LOG.warn("start not possible now; releasing the start lease for a retry", "jobId", job.jobId(), "error", error);
        try {
            jobs.update(job, JobUpdate.of().set(JobField.LEASE_UNTIL, clock.instant())
                    .set(JobField.LAST_START_ERROR, error));
        } catch (StaleJobException stale) {
            // Someone else moved the job on; their state wins.
        }
        return Outcome.RETRY;
    }

    private void fail(Job job, String reason) {
        try {
            jobs.transition(job, JobStatus.FAILED, reason,
                    JobUpdate.of().set(JobField.FINISHED_AT, clock.instant()).remove(JobField.LEASE_UNTIL));
            LOG.warn("job failed", "jobId", job.jobId(), "reason", reason);
        } catch (StaleJobException e) {
            LOG.info("job moved on before FAILED was recorded", "jobId", job.jobId());
        }
    }

    private Outcome unroutable(String messageId, String reason, String body) {
        LOG.warn("message not attributable to a job; recorded and acknowledged", "messageId", messageId, "reason", reason);
        unroutable.record(SOURCE, messageId, reason, body);
        return Outcome.DONE;
    }

    private static String textOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    static String stripQuotes(String eTag) {
        if (eTag == null) {
            return null;
        }
        String t = eTag.strip();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
