package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.MutableClock;
import dev.motflow.testsupport.Videos;

/** A video the container cannot decode ends REJECTED with the container's reason; a pipeline fault stays FAILED. */
class ContainerRejectionsTest {
    private static final Local LOCAL = new Local();
    private static final String NO_STREAM = "the file has no video stream that can be decoded (an audio-only or empty file, "
            + "a damaged file, or a codec FFmpeg does not read)";
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T06:00:00Z"));
    private final JobRepository jobs = new JobRepository(LOCAL.aws.dynamo(), LOCAL.table, clock);
    private JobsRuntime rt;

    @BeforeEach
    void setUp() {
        LOCAL.sm.reset();
        rt = LOCAL.runtime(LOCAL.config(2000, JobsConfig.DEFAULT_MAX_UPLOAD_BYTES), clock);
    }

    private Job started(String key) {
        byte[] video = Videos.mp4(100);
        String eTag = LOCAL.put(LOCAL.drop, key, video);
        String seq = AwsEvents.nextSequencer();
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("m", AwsEvents.s3Put(LOCAL.drop, key, eTag, video.length, seq)));
        Job job = jobs.get(JobIds.forObject(new S3ObjectRef(LOCAL.drop, key, null, eTag, seq, video.length))).orElseThrow();
        assertEquals(JobStatus.RUNNING, job.status());
        return job;
    }

    private static String clientError(int status, String body) {
        return "ClientError: Received client error (" + status + ") from primary with message \"" + body
                + "\". See the endpoint's logs in CloudWatch.";
    }

    @Test
    void asyncUndecodableVideoIsRejectedWithTheContainersReason() {
        Job job = started("incoming/holiday sound.mp4");
        String msg = AwsEvents.sns(AwsEvents.asyncNotification(job.jobId(), "Failed", Local.ENDPOINT, "s3://x/y",
                job.sagemaker().failureLocation(), clientError(400, "{\"error\":\"undecodable_video\",\"message\":\"" + NO_STREAM + "\"}")));
        assertEquals(Outcome.DONE, rt.completion().handleAsyncNotification("r", msg));
        Job rejected = jobs.get(job.jobId()).orElseThrow();
        assertEquals(JobStatus.REJECTED, rejected.status());
        assertEquals("the video cannot be tracked: " + NO_STREAM, rejected.statusReason());
        // a late duplicate changes nothing
        assertEquals(Outcome.DONE, rt.completion().handleAsyncNotification("r-again", msg));
        assertEquals(JobStatus.REJECTED, jobs.get(job.jobId()).orElseThrow().status());
    }

    @Test
    void processingInputRejectedIsRejectedAndOtherFailuresStayFailed() {
        Job job = started("incoming/batch/silent.mp4");
        rt.completion().handleProcessingEvent(AwsEvents.processingStateChange(job.sagemaker().processingJobName(), "Failed",
                "AlgorithmError: InputRejected: silent.mp4: " + NO_STREAM + "\n", job.sagemaker().processingOutputUri()));
        Job rejected = jobs.get(job.jobId()).orElseThrow();
        assertEquals(JobStatus.REJECTED, rejected.status());
        assertEquals("the video cannot be tracked: silent.mp4: " + NO_STREAM, rejected.statusReason());
        assertTrue(!rejected.statusReason().contains("/tmp"), rejected.statusReason());

        Job oom = started("incoming/batch/big.mp4");
        rt.completion().handleProcessingEvent(AwsEvents.processingStateChange(oom.sagemaker().processingJobName(), "Failed",
                "AlgorithmError: RuntimeError: CUDA out of memory", oom.sagemaker().processingOutputUri()));
        assertEquals(JobStatus.FAILED, jobs.get(oom.jobId()).orElseThrow().status());
    }

    @Test
    void onlyTheContainersInputCodesAreRejections() {
        assertEquals("the png image is 20000x20000", ContainerRejections.fromAsyncFailure(
                clientError(413, "{\"error\":\"too_many_pixels\",\"message\":\"the png image is 20000x20000\"}")));
        assertEquals("undecodable_video", ContainerRejections.fromAsyncFailure(
                clientError(400, "{\"error\":\"undecodable_video\"}")));
        assertNull(ContainerRejections.fromAsyncFailure(clientError(406, "{\"error\":\"not_acceptable\",\"message\":\"m\"}")));
        assertNull(ContainerRejections.fromAsyncFailure("ClientError: Received server error (500) from primary with message "
                + "\"{\"error\":\"undecodable_video\",\"message\":\"m\"}\""));
        assertNull(ContainerRejections.fromAsyncFailure(clientError(400, "plain text, no JSON")));
        assertNull(ContainerRejections.fromAsyncFailure(clientError(400, "{broken")));
        assertNull(ContainerRejections.fromAsyncFailure(null));
        assertEquals("a.mp4: no frames", ContainerRejections.fromProcessingFailure("InputRejected: a.mp4: no frames\n"));
        assertNull(ContainerRejections.fromProcessingFailure("AlgorithmError: ValueError: no videos"));
        assertNull(ContainerRejections.fromProcessingFailure("InputRejected: "));
        assertNull(ContainerRejections.fromProcessingFailure(null));
    }
}
