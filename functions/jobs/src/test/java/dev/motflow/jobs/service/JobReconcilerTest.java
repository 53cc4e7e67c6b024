package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.handler.ReconcilerHandler;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.service.JobReconciler.Action;
import dev.motflow.jobs.store.JobField;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.JobUpdate;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.MutableClock;
import dev.motflow.testsupport.RepoPaths;
import dev.motflow.testsupport.Videos;
import software.amazon.awssdk.core.sync.RequestBody;

/** The reconciler against dynalite, s3rver and the SageMaker stand-in: every stuck state, and idempotence with late events. */
class JobReconcilerTest {
    private static final Local LOCAL = new Local();
    private static String result;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T06:00:00Z"));
    private final JobRepository jobs = new JobRepository(LOCAL.aws.dynamo(), LOCAL.table, clock);
    private JobsRuntime rt;

    @BeforeAll
    static void readResult() throws Exception {
        result = Files.readString(RepoPaths.sharedTestData().resolve("mot15/TUD-Campus/result-cem.txt"));
    }

    @BeforeEach
    void setUp() {
        LOCAL.sm.reset();
        rt = runtime(ReconcilerConfig.defaults());
    }

    private JobsRuntime runtime(ReconcilerConfig deadlines) {
        LOCAL.sm.asyncOutputPrefix("s3://" + LOCAL.asyncOut + "/out/");
        return JobsRuntime.create(LOCAL.config(2000, JobsConfig.DEFAULT_MAX_UPLOAD_BYTES), deadlines, LOCAL.aws.dynamo(),
                LOCAL.aws.s3(), LOCAL.aws.s3Presigner(), LOCAL.sm.client(), LOCAL.sm.runtimeClient(), clock, Local.fastTuning());
    }

    private record Dropped(S3ObjectRef ref, String event) {
    }

    private Dropped drop(String key) {
        byte[] video = Videos.mp4(100);
        String eTag = LOCAL.put(LOCAL.drop, key, video);
        String seq = AwsEvents.nextSequencer();
        return new Dropped(new S3ObjectRef(LOCAL.drop, key, null, eTag, seq, video.length),
                AwsEvents.s3Put(LOCAL.drop, key, eTag, video.length, seq));
    }

    /** A dropped video ingested through its event: the job is RUNNING. */
    private Job running(String key) {
        Dropped d = drop(key);
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("m", d.event()));
        Job job = jobs.get(JobIds.forObject(d.ref())).orElseThrow();
        assertEquals(JobStatus.RUNNING, job.status(), job.statusReason());
        return job;
    }

    private void writeS3(String uri, String text) {
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        LOCAL.aws.s3().putObject(b -> b.bucket(rest.substring(0, slash)).key(rest.substring(slash + 1)), RequestBody.fromString(text));
    }

    private Job reload(Job job) {
        return jobs.get(job.jobId()).orElseThrow();
    }

    @Test
    void aJobThatMovedRecentlyIsLeftToTheEventPath() {
        Job job = running("incoming/recent.mp4");
        writeS3(job.sagemaker().outputLocation(), result);
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Action.WAITING, rt.reconciler().reconcileOne(job.jobId()));
        assertEquals(JobStatus.RUNNING, reload(job).status());
    }

    @Test
    void anUploadWhoseEventWasLostIsIngestedOnceAndItsLateEventJoinsTheSameJob() {
        String jobId = JobIds.random();
        String key = "incoming/" + jobId + "/lost-event.mp4";
        jobs.create(jobId, JobStatus.AWAITING_UPLOAD, "waiting", JobUpdate.of().set(JobField.UPLOAD_KEY, key)
                .set(JobField.FILE_NAME, "lost-event.mp4")
                // the size of drop()'s video: ingest holds a reserved upload to its declared size
                .set(JobField.DECLARED_SIZE_BYTES, (long) Videos.mp4(100).length)).orElseThrow();
        clock.advance(Duration.ofMinutes(3));
        assertEquals(Action.WAITING, rt.reconciler().reconcileOne(jobId), "no object yet: nothing to ingest");
        assertEquals(JobStatus.AWAITING_UPLOAD, jobs.get(jobId).orElseThrow().status());

        Dropped d = drop(key);
        clock.advance(Duration.ofMinutes(3));
        assertEquals(Action.INGESTED, rt.reconciler().reconcileOne(jobId));
        Job job = jobs.get(jobId).orElseThrow();
        assertEquals(JobStatus.RUNNING, job.status(), job.statusReason());
        assertEquals(1, LOCAL.sm.calls("InvokeEndpointAsync").size());

        // The event S3 sent (delivered late: replayed from a durable queue) finds the claimed job.
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("late", d.event()));
        assertTrue(jobs.get(JobIds.forObject(d.ref())).isEmpty(), "no second job for the same upload");
        assertEquals(job.version(), jobs.get(jobId).orElseThrow().version(), "the late event changed nothing");
        assertEquals(1, LOCAL.sm.calls("InvokeEndpointAsync").size());
    }

    @Test
    void aReceivedJobWhoseWorkerDiedIsStartedAgain() {
        Dropped d = drop("incoming/worker-died.mp4");
        String jobId = JobIds.forObject(d.ref());
        // What ingest wrote before its worker died: the job, RECEIVED, with its source.
        jobs.create(jobId, JobStatus.RECEIVED, "object arrived", JobUpdate.of()
                .set(JobField.SRC_BUCKET, d.ref().bucket()).set(JobField.SRC_KEY, d.ref().key())
                .set(JobField.SRC_VERSION_IDENTITY, d.ref().versionIdentity()).set(JobField.SRC_ETAG, d.ref().eTag())
                .set(JobField.SRC_SEQUENCER, d.ref().sequencer()).set(JobField.DECLARED_SIZE_BYTES, d.ref().sizeBytes())
                .set(JobField.RECEIVED_AT, clock.instant())).orElseThrow();
        clock.advance(Duration.ofMinutes(3));
        assertEquals(Action.INGESTED, rt.reconciler().reconcileOne(jobId));
        Job job = jobs.get(jobId).orElseThrow();
        assertEquals(JobStatus.RUNNING, job.status(), job.statusReason());
        // The redelivered event (SQS) is a duplicate now.
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("redelivered", d.event()));
        assertEquals(job.version(), jobs.get(jobId).orElseThrow().version());
    }

    @Test
    void aStartingJobIsTakenOverOnlyOnceItsLeaseExpired() {
        LOCAL.sm.injectFaults(dev.motflow.testsupport.FaultPlan.always(dev.motflow.testsupport.Fault.SERVICE_UNAVAILABLE));
        Dropped d = drop("incoming/lease.mp4");
        rt.ingest().handleMessage("m", d.event());
        String jobId = JobIds.forObject(d.ref());
        Job stuck = jobs.get(jobId).orElseThrow();
        assertEquals(JobStatus.STARTING, stuck.status());
        LOCAL.sm.reset();
        LOCAL.sm.asyncOutputPrefix("s3://" + LOCAL.asyncOut + "/out/");
        // The failed start released its lease; a lease still held by a live worker is respected.
        jobs.update(stuck, JobUpdate.of().set(JobField.LEASE_UNTIL, clock.instant().plus(Duration.ofMinutes(10))));
        Instant leaseWritten = clock.instant();
        clock.advance(Duration.ofMinutes(4));
        assertEquals(Action.WAITING, rt.reconciler().reconcileOne(jobId));
        assertEquals(Action.WAITING, rt.reconciler().withWorkersLostBefore(leaseWritten).reconcileOne(jobId),
                "a lease written after the restart belongs to a live worker");
        clock.advance(Duration.ofMinutes(7));
        assertEquals(Action.INGESTED, rt.reconciler().reconcileOne(jobId));
        Job job = jobs.get(jobId).orElseThrow();
        assertEquals(JobStatus.RUNNING, job.status(), job.statusReason());
        assertTrue(job.history().stream().anyMatch(h -> h.reason() != null && h.reason().contains("taking over")));
    }

    @Test
    void afterARestartTheLeaseOfAWorkerThatDiedWithItsProcessIsReleasedAtOnce() {
        LOCAL.sm.injectFaults(dev.motflow.testsupport.FaultPlan.always(dev.motflow.testsupport.Fault.SERVICE_UNAVAILABLE));
        Dropped d = drop("incoming/restart-lease.mp4");
        rt.ingest().handleMessage("m", d.event());
        String jobId = JobIds.forObject(d.ref());
        Job stuck = jobs.get(jobId).orElseThrow();
        LOCAL.sm.reset();
        LOCAL.sm.asyncOutputPrefix("s3://" + LOCAL.asyncOut + "/out/");
        jobs.update(stuck, JobUpdate.of().set(JobField.LEASE_UNTIL, clock.instant().plus(Duration.ofMinutes(2))));
        clock.advance(Duration.ofSeconds(5));
        Instant restarted = clock.instant();
        JobReconciler atStart = rt.reconciler().withWorkersLostBefore(restarted).withDeadlines(
                new ReconcilerConfig(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofHours(1), Duration.ZERO, 10));
        assertEquals(Action.INGESTED, atStart.reconcileOne(jobId));
        assertEquals(JobStatus.RUNNING, jobs.get(jobId).orElseThrow().status());
    }

    @Test
    void anAsyncJobWhoseNotificationWasLostCompletesFromItsOutputAndTheLateNotificationChangesNothing() {
        Job job = running("incoming/lost-notification.mp4");
        writeS3(job.sagemaker().outputLocation(), result);
        clock.advance(Duration.ofMinutes(6));
        assertEquals(Action.SETTLED, rt.reconciler().reconcileOne(job.jobId()));
        Job done = reload(job);
        assertEquals(JobStatus.SUCCEEDED, done.status(), done.statusReason());
        assertTrue(done.result().trackCount() > 0);
        assertTrue(LOCAL.aws.s3().getObjectAsBytes(b -> b.bucket(LOCAL.results).key(CompletionService.resultKey(job.jobId())))
                .asUtf8String().equals(result));

        String late = AwsEvents.sns(AwsEvents.asyncNotification(job.jobId(), "Completed", Local.ENDPOINT,
                job.source().s3Uri(), job.sagemaker().outputLocation(), null));
        assertEquals(Outcome.DONE, rt.completion().handleAsyncNotification("late", late));
        assertEquals(done.version(), reload(job).version(), "the late notification changed nothing");
        assertEquals(Action.WAITING, rt.reconciler().reconcileOne(job.jobId()), "terminal jobs are left alone");
    }

    @Test
    void aNotificationFirstThenTheReconcilerChangesNothing() {
        Job job = running("incoming/notified.mp4");
        writeS3(job.sagemaker().outputLocation(), result);
        rt.completion().handleAsyncNotification("n", AwsEvents.sns(AwsEvents.asyncNotification(job.jobId(), "Completed",
                Local.ENDPOINT, job.source().s3Uri(), job.sagemaker().outputLocation(), null)));
        Job done = reload(job);
        assertEquals(JobStatus.SUCCEEDED, done.status());
        clock.advance(Duration.ofMinutes(10));
        assertEquals(Action.WAITING, rt.reconciler().reconcileOne(job.jobId()));
        assertEquals(done.version(), reload(job).version());
    }

    @Test
    void anAsyncFailureObjectFailsTheJobWithItsText() {
        Job job = running("incoming/async-failed.mp4");
        writeS3(job.sagemaker().failureLocation(), "ClientError: Received client error (400) from primary");
        clock.advance(Duration.ofMinutes(6));
        assertEquals(Action.SETTLED, rt.reconciler().reconcileOne(job.jobId()));
        Job failed = reload(job);
        assertEquals(JobStatus.FAILED, failed.status());
        assertTrue(failed.statusReason().startsWith("async inference failed: ClientError: Received client error (400)"),
                failed.statusReason());
    }

    @Test
    void anAsyncJobWithoutAnyTraceTimesOutWithTheStateItWasStuckIn() {
        Job job = running("incoming/silent.mp4");
        clock.advance(Duration.ofMinutes(30));
        assertEquals(Action.WAITING, rt.reconciler().reconcileOne(job.jobId()));
        clock.advance(Duration.ofMinutes(91));
        assertEquals(Action.TIMED_OUT, rt.reconciler().reconcileOne(job.jobId()));
        Job failed = reload(job);
        assertEquals(JobStatus.FAILED, failed.status());
        assertTrue(failed.statusReason().startsWith("timed out after 121 minutes in RUNNING"), failed.statusReason());
    }

    @Test
    void aLostAsyncInferenceIsSubmittedAgainWhereConfigured() {
        ReconcilerConfig d = ReconcilerConfig.defaults();
        rt = runtime(new ReconcilerConfig(d.awaitingUpload(), d.received(), d.starting(), Duration.ofSeconds(30),
                d.hardTimeout(), Duration.ofMinutes(1), 100));
        Job job = running("incoming/resubmit.mp4");
        clock.advance(Duration.ofMinutes(2));
        assertEquals(Action.RESUBMITTED, rt.reconciler().reconcileOne(job.jobId()));
        assertEquals(2, LOCAL.sm.calls("InvokeEndpointAsync").size());
        assertEquals(Action.WAITING, rt.reconciler().reconcileOne(job.jobId()), "the resubmission restarted the clock");
        assertEquals(JobStatus.RUNNING, reload(job).status());
        clock.advance(Duration.ofMinutes(2));
        assertEquals(Action.RESUBMITTED, rt.reconciler().reconcileOne(job.jobId()));
        clock.advance(Duration.ofMinutes(2));
        assertEquals(Action.WAITING, rt.reconciler().reconcileOne(job.jobId()), "at most 3 submissions");
        assertEquals(3, LOCAL.sm.calls("InvokeEndpointAsync").size());

        Job batch = running("incoming/batch/resubmit.mp4");
        LOCAL.sm.reset(); // the local SageMaker restarted: the processing job is gone
        clock.advance(Duration.ofMinutes(2));
        assertEquals(Action.RESUBMITTED, rt.reconciler().reconcileOne(batch.jobId()));
        assertEquals(1, LOCAL.sm.calls("CreateProcessingJob").size());
        assertTrue(LOCAL.sm.processingJob(batch.sagemaker().processingJobName()) != null, "created again under its name");
    }

    @Test
    void processingJobsAreSettledFromDescribeProcessingJob() {
        Job ok = running("incoming/batch/recon-ok.mp4");
        Job broken = running("incoming/batch/recon-broken.mp4");
        Job slow = running("incoming/batch/recon-slow.mp4");
        writeS3(ok.sagemaker().processingResultUri(), result);
        LOCAL.sm.setProcessingJobStatus(ok.sagemaker().processingJobName(), "Completed", null);
        LOCAL.sm.setProcessingJobStatus(broken.sagemaker().processingJobName(), "Failed", "AlgorithmError: CUDA out of memory");
        clock.advance(Duration.ofMinutes(6));

        assertEquals(Action.SETTLED, rt.reconciler().reconcileOne(ok.jobId()));
        assertEquals(JobStatus.SUCCEEDED, reload(ok).status(), reload(ok).statusReason());
        assertEquals(Action.SETTLED, rt.reconciler().reconcileOne(broken.jobId()));
        Job f = reload(broken);
        assertEquals(JobStatus.FAILED, f.status());
        assertTrue(f.statusReason().contains("failed: AlgorithmError: CUDA out of memory"), f.statusReason());
        assertEquals(Action.WAITING, rt.reconciler().reconcileOne(slow.jobId()), "InProgress within the hard timeout");

        // A late EventBridge event after the reconciliation is harmless.
        Job done = reload(ok);
        rt.completion().handleProcessingEvent(AwsEvents.processingStateChange(ok.sagemaker().processingJobName(), "Completed",
                null, ok.sagemaker().processingOutputUri()));
        assertEquals(done.version(), reload(ok).version());

        clock.advance(Duration.ofMinutes(120));
        assertEquals(Action.TIMED_OUT, rt.reconciler().reconcileOne(slow.jobId()));
        Job timedOut = reload(slow);
        assertEquals(JobStatus.FAILED, timedOut.status());
        assertTrue(timedOut.statusReason().startsWith("timed out after 126 minutes in RUNNING: processing job "),
                timedOut.statusReason());
    }

    @Test
    void aProcessingJobSageMakerNoLongerKnowsCompletesFromItsResultOrFails() {
        Job withResult = running("incoming/batch/orphan-done.mp4");
        Job without = running("incoming/batch/orphan-lost.mp4");
        writeS3(withResult.sagemaker().processingResultUri(), result);
        LOCAL.sm.reset(); // the local SageMaker restarted: it knows no processing job
        clock.advance(Duration.ofMinutes(6));
        assertEquals(Action.SETTLED, rt.reconciler().reconcileOne(withResult.jobId()));
        assertEquals(JobStatus.SUCCEEDED, reload(withResult).status(), reload(withResult).statusReason());
        assertEquals(Action.SETTLED, rt.reconciler().reconcileOne(without.jobId()));
        Job lost = reload(without);
        assertEquals(JobStatus.FAILED, lost.status());
        assertTrue(lost.statusReason().contains("no longer exists on SageMaker"), lost.statusReason());
    }

    @Test
    void abandonedReservationsDoNotStarveAStuckRunningJob() {
        Local own = new Local(); // a table of its own: the sweep must see only this test's jobs
        JobRepository ownJobs = new JobRepository(own.aws.dynamo(), own.table, clock);
        ReconcilerConfig d = ReconcilerConfig.defaults();
        JobsRuntime ownRt = JobsRuntime.create(own.config(2000, JobsConfig.DEFAULT_MAX_UPLOAD_BYTES),
                new ReconcilerConfig(d.awaitingUpload(), d.received(), d.starting(), d.running(), d.hardTimeout(), null, 2),
                own.aws.dynamo(), own.aws.s3(), own.aws.s3Presigner(), LOCAL.sm.client(), LOCAL.sm.runtimeClient(), clock,
                Local.fastTuning());
        for (int i = 0; i < 3; i++) {
            String id = JobIds.random();
            ownJobs.create(id, JobStatus.AWAITING_UPLOAD, "waiting",
                    JobUpdate.of().set(JobField.UPLOAD_KEY, "incoming/" + id + "/never.mp4")).orElseThrow();
        }
        clock.advance(Duration.ofMinutes(1));
        byte[] video = Videos.mp4(100);
        String key = "incoming/starved.mp4";
        String eTag = own.put(own.drop, key, video);
        String seq = AwsEvents.nextSequencer();
        ownRt.ingest().handleMessage("m", AwsEvents.s3Put(own.drop, key, eTag, video.length, seq));
        Job job = ownJobs.get(JobIds.forObject(new S3ObjectRef(own.drop, key, null, eTag, seq, video.length))).orElseThrow();
        assertEquals(JobStatus.RUNNING, job.status(), job.statusReason());
        writeS3(job.sagemaker().outputLocation(), result);
        clock.advance(Duration.ofMinutes(10));

        JobReconciler.Report report = ownRt.reconciler().run();
        assertEquals(JobStatus.SUCCEEDED, ownJobs.get(job.jobId()).orElseThrow().status());
        assertEquals(3, report.examined(), "the RUNNING job, then at most 2 reservations: " + report);
        assertEquals(1, report.count(Action.SETTLED));
        assertEquals(2, report.count(Action.WAITING));
    }

    @Test
    void theScheduledHandlerSweepsEveryOpenStateAndCountsWhatItDid() {
        Job a = running("incoming/sweep-a.mp4");
        Job b = running("incoming/sweep-b.mp4");
        writeS3(a.sagemaker().outputLocation(), result);
        writeS3(b.sagemaker().failureLocation(), "model error");
        clock.advance(Duration.ofMinutes(6));
        var out = new ReconcilerHandler(rt.reconciler()).handleRequest(java.util.Map.of(), null);
        assertTrue(((Integer) out.get("examined")) >= 2, out.toString());
        assertTrue(((Integer) out.get("settled")) >= 2, out.toString());
        assertEquals(JobStatus.SUCCEEDED, reload(a).status());
        assertEquals(JobStatus.FAILED, reload(b).status());
        assertFalse(reload(a).status() == JobStatus.RUNNING);
    }
}
