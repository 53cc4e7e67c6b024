package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.motflow.common.Backoff;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.TrackRepository;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.MutableClock;
import dev.motflow.testsupport.NodeServer;
import dev.motflow.testsupport.RepoPaths;
import dev.motflow.testsupport.Videos;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * A running job meets an S3 outage (its own s3rver, killed with -9 and started again on the same
 * port and folder): the step fails after the in-invocation retries, the job stays in its state with
 * {@code lastError} and the message is left for redelivery (RETRY); once S3 is back the redelivered
 * message finishes the job as if nothing happened, SUCCEEDED with its tracks.
 */
class StorageOutageTest {
    private static final Local LOCAL = new Local();
    /** Production shape (4 tries), short waits: the outage outlasts them all. */
    private static final Backoff FAST_IN_JOB = Backoff.of(4, Duration.ofMillis(5), Duration.ofMillis(40));
    private static Path s3Dir;
    private static NodeServer s3rver;
    private static S3Client s3;
    private static String drop;
    private static String results;
    private static String result;
    private static int distinctIds;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T06:00:00Z"));
    private final JobRepository jobs = new JobRepository(LOCAL.aws.dynamo(), LOCAL.table, clock);

    @BeforeAll
    static void startS3() throws Exception {
        s3Dir = Files.createTempDirectory("motflow-outage-s3-");
        s3rver = NodeServer.start("s3rver-outage", "s3rver/bin/s3rver.js",
                List.of("--directory", s3Dir.toString(), "--address", "127.0.0.1", "--port", "{port}", "--silent"),
                Duration.ofSeconds(30));
        s3 = LocalAws.s3Client(s3rver.endpoint());
        drop = "outage-drop";
        results = "outage-results";
        s3.createBucket(b -> b.bucket(drop));
        s3.createBucket(b -> b.bucket(results));
        result = Files.readString(RepoPaths.sharedTestData().resolve("mot15/TUD-Campus/result-cem.txt"));
        Set<String> ids = new HashSet<>();
        result.lines().forEach(l -> ids.add(l.split(",")[1]));
        distinctIds = ids.size();
    }

    @AfterAll
    static void stopS3() {
        if (s3rver != null) {
            s3rver.close();
        }
    }

    private JobsRuntime runtime() {
        LOCAL.sm.asyncOutputPrefix("s3://" + results + "/out/");
        return JobsRuntime.create(new TestConfig().config, LOCAL.aws.dynamo(), s3, LocalAws.s3Presigner(s3rver.endpoint()),
                LOCAL.sm.client(), LOCAL.sm.runtimeClient(), clock, Local.fastTuning().withInJob(FAST_IN_JOB));
    }

    @Test
    void aRefusedReadEndsTheJobFailedWithTheServicesAnswer() {
        // A client s3rver refuses (unknown access key): every read is a 403, which no retry changes.
        S3Client refused = S3Client.builder().endpointOverride(s3rver.endpoint()).region(LocalAws.REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("NOBODY", "NOBODY")))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).chunkedEncodingEnabled(false).build())
                .httpClient(UrlConnectionHttpClient.create()).build();
        LOCAL.sm.asyncOutputPrefix("s3://" + results + "/out/");
        TestConfig holder = new TestConfig(); // this test's buckets
        JobsRuntime rt = JobsRuntime.create(holder.config, LOCAL.aws.dynamo(), refused, LocalAws.s3Presigner(s3rver.endpoint()),
                LOCAL.sm.client(), LOCAL.sm.runtimeClient(), clock, Local.fastTuning().withInJob(FAST_IN_JOB));
        String key = "incoming/refused.mp4";
        byte[] video = Videos.mp4(78);
        String eTag = s3.putObject(b -> b.bucket(drop).key(key), RequestBody.fromBytes(video)).eTag().replace("\"", "");
        String seq = AwsEvents.nextSequencer();
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("m2", event(key, video, eTag, seq)));
        Job failed = jobs.get(JobIds.forObject(new S3ObjectRef(drop, key, null, eTag, seq, video.length))).orElseThrow();
        assertEquals(JobStatus.FAILED, failed.status());
        assertTrue(failed.statusReason().startsWith("the object s3://" + drop + "/" + key + " could not be read: ")
                && failed.statusReason().contains("(HTTP 403)"), failed.statusReason());
    }

    /** The jobs configuration of this test's buckets. */
    private static final class TestConfig {
        final JobsConfig config;

        TestConfig() {
            JobsConfig c = LOCAL.config();
            config = new JobsConfig(c.tableName(), results, drop, Local.ENDPOINT, c.maxAsyncBytes(),
                    c.maxUploadBytes(), c.batchPrefix(), Local.IMAGE, Local.ROLE, "ml.g5.xlarge", null, 3600, null,
                    Duration.ofMinutes(15));
        }
    }

    private String event(String key, byte[] video, String eTag, String seq) {
        return AwsEvents.s3Put(drop, key, eTag, video.length, seq);
    }

    @Test
    void anS3OutageDuringIngestAndCompletionLeavesTheJobWaitingThenItSucceeds() throws Exception {
        JobsRuntime rt = runtime();
        String key = "incoming/outage.mp4";
        byte[] video = Videos.mp4(77);
        String eTag = s3.putObject(b -> b.bucket(drop).key(key), RequestBody.fromBytes(video)).eTag().replace("\"", "");
        String seq = AwsEvents.nextSequencer();
        String jobId = JobIds.forObject(new S3ObjectRef(drop, key, null, eTag, seq, video.length));

        // Ingest while S3 is down: HeadObject cannot be answered; the job waits in RECEIVED.
        s3rver.kill();
        assertEquals(Outcome.RETRY, rt.ingest().handleMessage("m1", event(key, video, eTag, seq)));
        Job waiting = jobs.get(jobId).orElseThrow();
        assertEquals(JobStatus.RECEIVED, waiting.status());
        assertNotNull(waiting.lastError(), "the transient error is recorded");
        assertTrue(waiting.lastError().message().startsWith("ingest (RECEIVED) failed: "), waiting.lastError().message());

        s3rver = s3rver.restart(Duration.ofSeconds(30));
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("m1", event(key, video, eTag, seq)));
        Job running = jobs.get(jobId).orElseThrow();
        assertEquals(JobStatus.RUNNING, running.status(), running.statusReason());
        assertNull(running.lastError(), "moving on clears the error");

        // The result lands, then S3 goes down before the completion reads it.
        String output = running.sagemaker().outputLocation();
        s3.putObject(b -> b.bucket(results).key(output.substring(("s3://" + results + "/").length())),
                RequestBody.fromString(result));
        String note = AwsEvents.sns(AwsEvents.asyncNotification(jobId, "Completed", Local.ENDPOINT,
                "s3://" + drop + "/" + key, output, null));
        s3rver.kill();
        assertEquals(Outcome.RETRY, rt.completion().handleAsyncNotification("n1", note));
        Job stillRunning = jobs.get(jobId).orElseThrow();
        assertEquals(JobStatus.RUNNING, stillRunning.status(), "a transient S3 failure does not end the job");
        assertTrue(stillRunning.lastError().message().startsWith("completing from " + output + " failed: "),
                stillRunning.lastError().message());
        // A second failed delivery of the same outage writes nothing: the reconciler's hard timeout
        // counts from the job's last write, which retries must not keep moving.
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Outcome.RETRY, rt.completion().handleAsyncNotification("n1", note));
        Job again = jobs.get(jobId).orElseThrow();
        assertEquals(stillRunning.version(), again.version(), "the first error of the outage stays, unwritten");
        assertEquals(stillRunning.lastError(), again.lastError());

        s3rver = s3rver.restart(Duration.ofSeconds(30));
        assertEquals(Outcome.DONE, rt.completion().handleAsyncNotification("n1", note));
        Job done = jobs.get(jobId).orElseThrow();
        assertEquals(JobStatus.SUCCEEDED, done.status(), done.statusReason());
        assertNull(done.lastError(), "a success clears the last error");
        assertEquals((long) distinctIds, done.result().trackCount());
        assertEquals(distinctIds, new TrackRepository(LOCAL.aws.dynamo(), LOCAL.table, null)
                .page(jobId, null, null, 100, null).items().size());
        assertEquals(result, s3.getObjectAsBytes(b -> b.bucket(results).key(CompletionService.resultKey(jobId)))
                .asUtf8String(), "the result was copied once S3 was back");
    }
}
