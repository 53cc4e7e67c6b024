package dev.motflow.jobs.service;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.common.JsonLog;
import dev.motflow.common.LogContext;
import dev.motflow.jobs.JobsJson;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.Route;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.store.JobField;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.JobUpdate;
import dev.motflow.jobs.store.StaleJobException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeProcessingJobResponse;

/**
 * Settles jobs the event path left behind (a lost S3 event, a worker or a whole stack that died, a
 * notification that went to a dead-letter queue): every non-terminal job whose last write is older
 * than its state's deadline ({@link ReconcilerConfig}) is looked at once per run.
 * <ul>
 * <li>AWAITING_UPLOAD whose object exists: ingested, as its S3 event would have (the reservation is
 * claimed; the event arriving later joins the same job).</li>
 * <li>RECEIVED, or STARTING with its start lease expired: ingested again (validation, start lease
 * take-over, start; starts are idempotent: deterministic processing job name, inference id = job id).</li>
 * <li>RUNNING on the processing route: DescribeProcessingJob, applied exactly as the EventBridge
 * state-change event would be; a job SageMaker no longer knows is completed from its result object
 * if there is one, else FAILED.</li>
 * <li>RUNNING on the async route: the output object completes the job, the failure object fails it,
 * as the SNS notification would.</li>
 * <li>Where configured (the local stack), SageMaker work that left no trace is submitted again, at
 * most {@value #MAX_SUBMITS} submissions in all.</li>
 * <li>RECEIVED, STARTING or RUNNING without a write for the hard timeout: FAILED "timed out after N
 * minutes in STATE" (a processing job still running is stopped first).</li>
 * </ul>
 * Every move is the completion or ingest path's own conditional write, so a late notification after
 * a reconciliation (or the reverse) finds a terminal job and changes nothing. AWAITING_UPLOAD
 * without an object is left to its TTL: nobody uploaded anything.
 */
public final class JobReconciler {
    private static final JsonLog LOG = JsonLog.get(JobReconciler.class);
    /** Started work first: a flood of abandoned reservations must not starve a stuck RUNNING job. */
    private static final List<JobStatus> OPEN = List.of(JobStatus.RUNNING, JobStatus.STARTING, JobStatus.RECEIVED,
            JobStatus.AWAITING_UPLOAD);
    /** Submissions of lost SageMaker work (the first included) before the hard timeout decides. */
    private static final long MAX_SUBMITS = 3;

    /** What one look at a job did. */
    public enum Action {
        /** Not due yet, or still running within its limits. */
        WAITING,
        /** Handed to the ingest path (upload found, worker lost, lease expired). */
        INGESTED,
        /** Completed or failed from what SageMaker or S3 shows. */
        SETTLED,
        /** Lost SageMaker work submitted again (local stack only). */
        RESUBMITTED,
        /** FAILED after the hard timeout. */
        TIMED_OUT,
        /** Could not be looked at now (an outage); the next run tries again. */
        ERROR
    }

    /** Counts of one run, per action. */
    public record Report(int examined, Map<Action, Integer> actions) {
        public int count(Action a) {
            return actions.getOrDefault(a, 0);
        }
    }

    private final JobsConfig config;
    private final ReconcilerConfig deadlines;
    private final JobRepository jobs;
    private final IngestService ingest;
    private final CompletionService completion;
    private final SageMakerLauncher launcher;
    private final SageMakerClient sageMaker;
    private final S3Client s3;
    private final Clock clock;
    /** Jobs last written before this had their workers in a process that is gone (null: unknown). */
    private final Instant workersLostBefore;

    public JobReconciler(JobsConfig config, ReconcilerConfig deadlines, JobRepository jobs, IngestService ingest,
                         CompletionService completion, SageMakerLauncher launcher, SageMakerClient sageMaker, S3Client s3,
                         Clock clock) {
        this.config = config;
        this.deadlines = deadlines;
        this.jobs = jobs;
        this.ingest = ingest;
        this.completion = completion;
        this.launcher = launcher;
        this.sageMaker = sageMaker;
        this.s3 = s3;
        this.clock = clock;
        this.workersLostBefore = null;
    }

    private JobReconciler(JobReconciler base, ReconcilerConfig deadlines, Instant workersLostBefore) {
        this.config = base.config;
        this.deadlines = deadlines;
        this.jobs = base.jobs;
        this.ingest = base.ingest;
        this.completion = base.completion;
        this.launcher = base.launcher;
        this.sageMaker = base.sageMaker;
        this.s3 = base.s3;
        this.clock = base.clock;
        this.workersLostBefore = workersLostBefore;
    }

    /** The same reconciler with other deadlines (the local stack's sweep at start: everything is due). */
    public JobReconciler withDeadlines(ReconcilerConfig other) {
        return new JobReconciler(this, other, workersLostBefore);
    }

    /**
     * The same reconciler, told that every worker that wrote a job before {@code instant} is gone (the
     * local stack after a restart: its earlier process was killed). Their start leases are released
     * at once instead of waiting them out.
     */
    public JobReconciler withWorkersLostBefore(Instant instant) {
        return new JobReconciler(this, deadlines, instant);
    }

    /** One sweep over the non-terminal jobs; a job that fails to settle is logged and left for the next run. */
    public Report run() {
        Map<Action, Integer> counts = new EnumMap<>(Action.class);
        int examined = 0;
        Instant now = clock.instant();
        for (JobStatus status : OPEN) {
            Instant cutoff = now.minus(deadline(status));
            // Each state has its own budget, for the same reason as the order.
            for (Job listed : jobs.oldestInStatus(status, cutoff, deadlines.maxJobs())) {
                examined++;
                Action a = reconcileOne(listed.jobId());
                counts.merge(a, 1, Integer::sum);
            }
        }
        Report report = new Report(examined, Map.copyOf(counts));
        LOG.info("reconciliation done", "examined", examined, "actions", counts.toString());
        return report;
    }

    /** Looks at one job (re-read consistently: the index may lag) and settles it if it is due. */
    public Action reconcileOne(String jobId) {
        try (LogContext.Scope scope = LogContext.with("jobId", jobId)) {
            Optional<Job> found = jobs.get(jobId);
            if (found.isEmpty() || found.get().status().terminal()) {
                return Action.WAITING;
            }
            Job job = found.get();
            Duration age = Duration.between(job.updatedAt(), clock.instant());
            if (age.compareTo(deadline(job.status())) < 0) {
                return Action.WAITING;
            }
            return switch (job.status()) {
                case AWAITING_UPLOAD -> awaitingUpload(job);
                case RECEIVED -> age.compareTo(deadlines.hardTimeout()) >= 0 ? timeOut(job, age, "validation never finished")
                        : reingest(job, "its ingest worker was lost");
                case STARTING -> starting(job, age);
                case RUNNING -> running(job, age);
                default -> Action.WAITING;
            };
        } catch (RuntimeException e) {
            LOG.error("reconciling the job failed; the next run retries", e, "jobId", jobId);
            return Action.ERROR;
        }
    }

    private Duration deadline(JobStatus status) {
        return switch (status) {
            case AWAITING_UPLOAD -> deadlines.awaitingUpload();
            case RECEIVED -> deadlines.received();
            case STARTING -> deadlines.starting();
            default -> deadlines.running();
        };
    }

    private Action awaitingUpload(Job job) {
        String key = job.upload() == null ? null : job.upload().key();
        if (key == null || config.dropBucket() == null) {
            return Action.WAITING;
        }
        HeadObjectResponse head = head(config.dropBucket(), key);
        if (head == null) {
            return Action.WAITING;
        }
        S3ObjectRef ref = new S3ObjectRef(config.dropBucket(), key, head.versionId(),
                IngestService.stripQuotes(head.eTag()), null, head.contentLength() == null ? -1 : head.contentLength());
        LOG.info("reconciler: the upload arrived but its S3 event did not; ingesting it", "jobId", job.jobId(),
                "key", KeyRules.printable(key));
        return ingested(ingest.ingest(ref, true));
    }

    private Action starting(Job job, Duration age) {
        if (age.compareTo(deadlines.hardTimeout()) >= 0) {
            return timeOut(job, age, "the start never completed"
                    + (job.start().lastError() == null ? "" : " (last error: " + job.start().lastError() + ")"));
        }
        Instant lease = job.start().leaseUntil();
        if (lease != null && lease.isAfter(clock.instant())) {
            if (workersLostBefore == null || !job.updatedAt().isBefore(workersLostBefore)) {
                return Action.WAITING;
            }
            // Its holder died with its process: release the lease (same version check as any write).
            try {
                job = jobs.update(job, JobUpdate.of().set(JobField.LEASE_UNTIL, clock.instant())
                        .set(JobField.LAST_START_ERROR, "the worker holding the start lease is gone"));
            } catch (StaleJobException e) {
                return Action.WAITING; // someone moved it meanwhile: look again next run
            }
            return reingest(job, "its start lease belonged to a worker that is gone");
        }
        return reingest(job, "its start lease expired");
    }

    private Action reingest(Job job, String why) {
        Job.Source src = job.source();
        if (src.bucket() == null || src.key() == null) {
            return Action.WAITING;
        }
        LOG.info("reconciler: ingesting again: " + why, "jobId", job.jobId(), "status", job.status().name());
        long size = Optional.ofNullable(job.video().declaredSizeBytes()).orElse(-1L);
        S3ObjectRef ref = new S3ObjectRef(src.bucket(), src.key(), src.versionId(), src.eTag(), src.sequencer(), size);
        return ingested(ingest.ingest(ref, true));
    }

    private static Action ingested(Outcome outcome) {
        return outcome == Outcome.DONE ? Action.INGESTED : Action.ERROR;
    }

    private Action running(Job job, Duration age) {
        Route route = job.video().route();
        if (route == Route.PROCESSING_JOB && job.sagemaker().processingJobName() != null) {
            return runningProcessing(job, age);
        }
        if (route == Route.ASYNC_ENDPOINT && job.sagemaker().outputLocation() != null) {
            return runningAsync(job, age);
        }
        return age.compareTo(deadlines.hardTimeout()) >= 0 ? timeOut(job, age, "no SageMaker work is recorded")
                : Action.WAITING;
    }

    private Action runningProcessing(Job job, Duration age) {
        String name = job.sagemaker().processingJobName();
        DescribeProcessingJobResponse d;
        try {
            d = sageMaker.describeProcessingJob(b -> b.processingJobName(name));
        } catch (AwsServiceException e) {
            if (!notFound(e)) {
                throw e;
            }
            String result = job.sagemaker().processingResultUri();
            if (result != null && exists(result)) {
                LOG.info("reconciler: processing job unknown to SageMaker, its result exists; completing", "jobId", job.jobId());
                return settled(completion.completeFound(job, result, JobUpdate.of()));
            }
            if (resubmitDue(job, age)) {
                long size = Optional.ofNullable(job.video().sizeBytes()).orElse(0L);
                launcher.startProcessing(job.jobId(), job.source().s3Uri(), size,
                        job.sagemaker().model() == null ? null : job.sagemaker().model().s3Uri());
                return resubmitted(job);
            }
            return settled(completion.failFound(job, "processing job " + name
                    + " no longer exists on SageMaker and left no result", JobUpdate.of()));
        }
        String status = d.processingJobStatusAsString();
        // A processing job may be configured to run longer than the hard timeout: SageMaker stops it at
        // its own limit, so only a job well past that limit is stopped here.
        Duration limit = Duration.ofSeconds(config.processingMaxRuntimeSeconds()).plusMinutes(30);
        Duration processingTimeout = limit.compareTo(deadlines.hardTimeout()) > 0 ? limit : deadlines.hardTimeout();
        if (("InProgress".equals(status) || "Stopping".equals(status)) && age.compareTo(processingTimeout) >= 0) {
            try {
                sageMaker.stopProcessingJob(b -> b.processingJobName(name));
            } catch (AwsServiceException e) {
                LOG.warn("stopping the timed-out processing job failed", "jobId", job.jobId(), "error", e.getMessage());
            }
            return timeOut(job, age, "processing job " + name + " still " + status);
        }
        // The EventBridge event this state change would have produced, through the same path.
        ObjectNode event = JobsJson.MAPPER.createObjectNode();
        event.put("id", "reconciler-" + job.jobId()).put("source", "aws.sagemaker")
                .put("detail-type", "SageMaker Processing Job State Change");
        ObjectNode detail = event.putObject("detail");
        detail.put("ProcessingJobName", name).put("ProcessingJobStatus", status);
        if (d.failureReason() != null) {
            detail.put("FailureReason", d.failureReason());
        }
        if (d.exitMessage() != null) {
            detail.put("ExitMessage", d.exitMessage());
        }
        if (d.processingStartTime() != null) {
            detail.put("ProcessingStartTime", d.processingStartTime().toEpochMilli());
        }
        if (d.processingEndTime() != null) {
            detail.put("ProcessingEndTime", d.processingEndTime().toEpochMilli());
        }
        if ("InProgress".equals(status) || "Stopping".equals(status)) {
            return Action.WAITING;
        }
        LOG.info("reconciler: processing job " + status + "; applying it as its event would", "jobId", job.jobId());
        return settled(completion.handleProcessingEvent(event));
    }

    private Action runningAsync(Job job, Duration age) {
        String output = job.sagemaker().outputLocation();
        if (exists(output)) {
            LOG.info("reconciler: async output exists; completing as its notification would", "jobId", job.jobId());
            return settled(completion.completeFound(job, output, JobUpdate.of()));
        }
        String failure = job.sagemaker().failureLocation();
        if (failure != null && exists(failure)) {
            String why = read(failure);
            return settled(completion.failFound(job, "async inference failed: " + why + " (details: " + failure + ")",
                    JobUpdate.of()));
        }
        if (age.compareTo(deadlines.hardTimeout()) >= 0) {
            return timeOut(job, age, "no async output at " + output + " and no failure at " + failure);
        }
        if (resubmitDue(job, age) && job.video().container() != null) {
            launcher.startAsync(job.jobId(), job.source().s3Uri(), job.video().container().mediaType());
            return resubmitted(job);
        }
        return Action.WAITING;
    }

    private boolean resubmitDue(Job job, Duration age) {
        long submits = Optional.ofNullable(job.start().attempts()).orElse(1L);
        return deadlines.resubmitLost() != null && age.compareTo(deadlines.resubmitLost()) >= 0 && submits < MAX_SUBMITS
                && job.source().s3Uri() != null;
    }

    private Action resubmitted(Job job) {
        long submits = Optional.ofNullable(job.start().attempts()).orElse(1L) + 1;
        try {
            // The write restarts the job's clock, so the next run waits a full period before judging again.
            jobs.update(job, JobUpdate.of().set(JobField.START_ATTEMPTS, submits));
        } catch (StaleJobException e) {
            // a notification moved it meanwhile: its state wins
        }
        LOG.warn("reconciler: SageMaker work lost; submitted again", "jobId", job.jobId(), "submit", submits,
                "route", String.valueOf(job.video().route()));
        return Action.RESUBMITTED;
    }

    private Action timeOut(Job job, Duration age, String detail) {
        String reason = "timed out after " + age.toMinutes() + " minutes in " + job.status() + ": " + detail;
        Outcome o = completion.failFound(job, reason, JobUpdate.of());
        return o == Outcome.DONE ? Action.TIMED_OUT : Action.ERROR;
    }

    private static Action settled(Outcome outcome) {
        return outcome == Outcome.DONE ? Action.SETTLED : Action.ERROR;
    }

    private HeadObjectResponse head(String bucket, String key) {
        try {
            return s3.headObject(b -> b.bucket(bucket).key(key));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private boolean exists(String s3Uri) {
        CompletionService.S3Uri u = CompletionService.S3Uri.parse(s3Uri);
        return u != null && head(u.bucket(), u.key()) != null;
    }

    /** The first 1 KB of a failure object: SageMaker writes the model's error there. */
    private String read(String s3Uri) {
        CompletionService.S3Uri u = CompletionService.S3Uri.parse(s3Uri);
        byte[] b = s3.getObjectAsBytes(r -> r.bucket(u.bucket()).key(u.key()).range("bytes=0-1023")).asByteArray();
        String text = new String(b, 0, Math.min(b.length, 1024), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "no reason given" : text;
    }

    private static boolean notFound(AwsServiceException e) {
        // SageMaker answers an unknown processing job with ValidationException "Could not find ..."; 404 elsewhere.
        String msg = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        return e.statusCode() == 404 || "ResourceNotFound".equals(code(e))
                || ("ValidationException".equals(code(e)) && msg != null && msg.contains("not find"));
    }

    private static String code(AwsServiceException e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }
}
