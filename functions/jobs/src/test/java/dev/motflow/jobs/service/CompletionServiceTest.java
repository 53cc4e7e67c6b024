package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.TrackRepository;
import dev.motflow.jobs.store.UnroutableLog;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.MutableClock;
import dev.motflow.testsupport.RepoPaths;
import dev.motflow.testsupport.Videos;
import software.amazon.awssdk.core.sync.RequestBody;

class CompletionServiceTest {
    private static final Local LOCAL = new Local();
    private static String result;
    private static int distinctIds;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T06:00:00Z"));
    private final JobRepository jobs = new JobRepository(LOCAL.aws.dynamo(), LOCAL.table, clock);
    private JobsRuntime rt;

    @BeforeAll
    static void readResult() throws Exception {
        result = Files.readString(RepoPaths.sharedTestData().resolve("mot15/TUD-Campus/result-cem.txt"));
        Set<String> ids = new HashSet<>();
        result.lines().forEach(l -> ids.add(l.split(",")[1]));
        distinctIds = ids.size();
    }

    @BeforeEach
    void setUp() {
        LOCAL.sm.reset();
        rt = LOCAL.runtime(LOCAL.config(2000, JobsConfig.DEFAULT_MAX_UPLOAD_BYTES), clock);
    }

    /** Drops a video and ingests it; returns the running job. */
    private Job started(String key, int payload) {
        byte[] video = Videos.mp4(payload);
        String eTag = LOCAL.put(LOCAL.drop, key, video);
        String seq = AwsEvents.nextSequencer();
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("m", AwsEvents.s3Put(LOCAL.drop, key, eTag, video.length, seq)));
        Job job = jobs.get(JobIds.forObject(new S3ObjectRef(LOCAL.drop, key, null, eTag, seq, video.length))).orElseThrow();
        assertEquals(JobStatus.RUNNING, job.status());
        return job;
    }

    private void writeS3(String uri, String text) {
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        LOCAL.aws.s3().putObject(b -> b.bucket(rest.substring(0, slash)).key(rest.substring(slash + 1)), RequestBody.fromString(text));
    }

    private String completed(Job job) {
        return AwsEvents.sns(AwsEvents.asyncNotification(job.jobId(), "Completed", Local.ENDPOINT,
                "s3://" + LOCAL.drop + "/" + job.source().key(), job.sagemaker().outputLocation(), null));
    }

    @Test
    void asyncSuccessWritesTracksCopiesTheResultAndIsIdempotent() {
        Job job = started("incoming/campus.mp4", 100);
        writeS3(job.sagemaker().outputLocation(), result);
        clock.advance(java.time.Duration.ofMinutes(4));
        assertEquals(Outcome.DONE, rt.completion().handleAsyncNotification("n1", completed(job)));
        Job done = jobs.get(job.jobId()).orElseThrow();
        assertEquals(JobStatus.SUCCEEDED, done.status(), done.statusReason());
        assertEquals((long) distinctIds, done.result().trackCount());
        assertEquals(result.lines().count(), done.result().boxCount());
        assertEquals(240_000L, done.timings().totalMillis());
        assertEquals(java.time.Instant.parse("2026-11-25T06:04:10.455Z"), done.timings().inferenceReceivedAt());
        String copied = LOCAL.aws.s3().getObjectAsBytes(b -> b.bucket(LOCAL.results).key(CompletionService.resultKey(job.jobId())))
                .asUtf8String();
        assertEquals(result, copied);
        TrackRepository tracks = new TrackRepository(LOCAL.aws.dynamo(), LOCAL.table, null);
        assertEquals(distinctIds, tracks.page(job.jobId(), null, null, 100, null).items().size());

        assertEquals(Outcome.DONE, rt.completion().handleAsyncNotification("n1-again", completed(job)));
        assertEquals(done.version(), jobs.get(job.jobId()).orElseThrow().version(), "duplicate changed nothing");
    }

    @Test
    void concurrentDuplicateNotificationsFinishTheJobOnce() throws Exception {
        Job job = started("incoming/race.mp4", 100);
        writeS3(job.sagemaker().outputLocation(), result);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Outcome>> outcomes = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String id = "dup-" + i;
                outcomes.add(pool.submit(() -> rt.completion().handleAsyncNotification(id, completed(job))));
            }
            for (java.util.concurrent.Future<Outcome> f : outcomes) {
                assertEquals(Outcome.DONE, f.get());
            }
        } finally {
            pool.shutdown();
        }
        Job done = jobs.get(job.jobId()).orElseThrow();
        assertEquals(JobStatus.SUCCEEDED, done.status());
        assertEquals(1, done.history().stream().filter(h -> h.status() == JobStatus.SUCCEEDED).count());
        assertEquals(job.version() + 1, done.version(), "exactly one writer moved the job");
    }

    @Test
    void asyncFailureFailsTheJobWithSageMakersReason() {
        Job job = started("incoming/fail.mp4", 100);
        String msg = AwsEvents.sns(AwsEvents.asyncNotification(job.jobId(), "Failed", Local.ENDPOINT, "s3://x/y",
                job.sagemaker().failureLocation(), "ClientError: Received server error (500) from model"));
        assertEquals(Outcome.DONE, rt.completion().handleAsyncNotification("f", msg));
        Job failed = jobs.get(job.jobId()).orElseThrow();
        assertEquals(JobStatus.FAILED, failed.status());
        assertTrue(failed.statusReason().contains("Received server error (500) from model"), failed.statusReason());
    }

    @Test
    void badOrMissingResultsFailWithAClearReason() {
        Job bad = started("incoming/bad-result.mp4", 100);
        writeS3(bad.sagemaker().outputLocation(), "1,1,10,10,20,20,0.9,-1,-1,-1\n2,1,ten,10,20,20,0.9,-1,-1,-1\n");
        rt.completion().handleAsyncNotification("b", completed(bad));
        Job b = jobs.get(bad.jobId()).orElseThrow();
        assertEquals(JobStatus.FAILED, b.status());
        assertTrue(b.statusReason().contains("line 2"), b.statusReason());

        Job missing = started("incoming/no-result.mp4", 100);
        rt.completion().handleAsyncNotification("m", completed(missing));
        Job m = jobs.get(missing.jobId()).orElseThrow();
        assertEquals(JobStatus.FAILED, m.status());
        assertTrue(m.statusReason().contains("does not exist"), m.statusReason());
    }

    @Test
    void processingJobEventsFinishProcessingJobs() {
        Job ok = started("incoming/batch/ok.mp4", 100);
        assertEquals(ok.sagemaker().processingOutputUri() + "ok/tracks.txt", ok.sagemaker().processingResultUri());
        writeS3(ok.sagemaker().processingResultUri(), result);
        assertEquals(Outcome.DONE, rt.completion().handleProcessingEvent(AwsEvents.processingStateChange(
                ok.sagemaker().processingJobName(), "InProgress", null, ok.sagemaker().processingOutputUri())));
        assertEquals(JobStatus.RUNNING, jobs.get(ok.jobId()).orElseThrow().status());
        assertEquals(Outcome.DONE, rt.completion().handleProcessingEvent(AwsEvents.processingStateChange(
                ok.sagemaker().processingJobName(), "Completed", null, ok.sagemaker().processingOutputUri())));
        Job done = jobs.get(ok.jobId()).orElseThrow();
        assertEquals(JobStatus.SUCCEEDED, done.status(), done.statusReason());
        assertEquals((long) distinctIds, done.result().trackCount());
        assertEquals(java.time.Instant.parse("2026-11-25T06:00:00.000Z"), done.timings().processingStartedAt());

        Job broken = started("incoming/batch/broken.mp4", 100);
        rt.completion().handleProcessingEvent(AwsEvents.processingStateChange(broken.sagemaker().processingJobName(), "Failed",
                "AlgorithmError: CUDA out of memory", broken.sagemaker().processingOutputUri()));
        Job f = jobs.get(broken.jobId()).orElseThrow();
        assertEquals(JobStatus.FAILED, f.status());
        assertTrue(f.statusReason().contains("CUDA out of memory"), f.statusReason());
    }

    @Test
    void unattributableMessagesAreRecordedNotDropped() {
        String unknown = JobIds.random();
        assertEquals(Outcome.DONE, rt.completion().handleAsyncNotification("u1",
                AwsEvents.sns(AwsEvents.asyncNotification(unknown, "Completed", Local.ENDPOINT, "s3://a/b", "s3://a/c", null))));
        assertEquals(Outcome.DONE, rt.completion().handleAsyncNotification("u2", "{not json"));
        var items = LOCAL.aws.dynamo().query(b -> b.tableName(LOCAL.table).keyConditionExpression("pk = :p")
                .expressionAttributeValues(java.util.Map.of(":p", software.amazon.awssdk.services.dynamodb.model.AttributeValue
                        .fromS(UnroutableLog.dayPk(clock.instant()))))).items();
        List<String> reasons = items.stream().map(i -> i.get("reason").s()).toList();
        assertTrue(reasons.stream().anyMatch(r -> r.contains("no job " + unknown)), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.contains("not JSON")), reasons.toString());
    }
}
