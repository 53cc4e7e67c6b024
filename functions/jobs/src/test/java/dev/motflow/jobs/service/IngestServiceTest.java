package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.model.HistoryEntry;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.store.JobField;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.JobUpdate;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.Fault;
import dev.motflow.testsupport.FaultPlan;
import dev.motflow.testsupport.MutableClock;
import dev.motflow.testsupport.RecordedCall;
import dev.motflow.testsupport.Videos;

class IngestServiceTest {
    private static final Local LOCAL = new Local();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T06:00:00Z"));
    private final JobRepository jobs = new JobRepository(LOCAL.aws.dynamo(), LOCAL.table, clock);

    @BeforeEach
    void reset() {
        LOCAL.sm.reset();
    }

    private IngestService ingest(JobsConfig config) {
        return LOCAL.runtime(config, clock).ingest();
    }

    private record Upload(String key, String eTag, String sequencer, int size) {
        String event(String bucket) {
            return AwsEvents.s3Put(bucket, key, eTag, size, sequencer);
        }

        String jobId(String bucket) {
            return JobIds.forObject(new S3ObjectRef(bucket, key, null, eTag, sequencer, size));
        }
    }

    private Upload upload(String key, byte[] bytes) {
        return new Upload(key, LOCAL.put(LOCAL.drop, key, bytes), AwsEvents.nextSequencer(), bytes.length);
    }

    @Test
    void smallVideoStartsAnAsyncInferenceCarryingTheJobId() {
        Upload u = upload("incoming/street cam (1).mp4", Videos.mp4(500));
        assertEquals(Outcome.DONE, ingest(LOCAL.config()).handleMessage("m1", u.event(LOCAL.drop)));
        String jobId = u.jobId(LOCAL.drop);
        Job job = jobs.get(jobId).orElseThrow();
        assertEquals(JobStatus.RUNNING, job.status());
        assertEquals(dev.motflow.jobs.model.Route.ASYNC_ENDPOINT, job.video().route());
        assertEquals(dev.motflow.jobs.model.Container.MP4, job.video().container());
        assertEquals("street cam (1).mp4", job.fileName());
        List<RecordedCall> calls = LOCAL.sm.calls("InvokeEndpointAsync");
        assertEquals(1, calls.size());
        RecordedCall call = calls.get(0);
        assertEquals(202, call.status());
        assertEquals("/endpoints/" + Local.ENDPOINT + "/async-invocations", call.path());
        assertEquals("s3://" + LOCAL.drop + "/incoming/street cam (1).mp4", call.header("X-Amzn-SageMaker-InputLocation"));
        assertEquals(jobId, call.header("X-Amzn-SageMaker-Inference-Id"));
        assertEquals("jobId=" + jobId, call.header("X-Amzn-SageMaker-Custom-Attributes"));
        assertEquals("video/mp4", call.header("X-Amzn-SageMaker-Content-Type"));
        assertEquals("s3://" + LOCAL.asyncOut + "/out/" + jobId + ".out", job.sagemaker().outputLocation());
        assertEquals(List.of(JobStatus.RECEIVED, JobStatus.STARTING, JobStatus.RUNNING),
                job.history().stream().map(HistoryEntry::status).toList());
    }

    @Test
    void batchPrefixAndLargeVideosStartAProcessingJob() {
        Upload batch = upload("incoming/batch/night.mkv", Videos.webm());
        Upload large = upload("incoming/large.mp4", Videos.mp4(2000));
        IngestService service = ingest(LOCAL.config(1000, JobsConfig.DEFAULT_MAX_UPLOAD_BYTES));
        assertEquals(Outcome.DONE, service.handleMessage("b", batch.event(LOCAL.drop)));
        assertEquals(Outcome.DONE, service.handleMessage("l", large.event(LOCAL.drop)));
        List<RecordedCall> calls = LOCAL.sm.calls("CreateProcessingJob");
        assertEquals(2, calls.size());
        for (RecordedCall c : calls) {
            assertEquals(200, c.status(), c.body());
        }
        JsonNode req = calls.get(1).json();
        String jobId = large.jobId(LOCAL.drop);
        assertEquals("motflow-" + jobId, req.path("ProcessingJobName").asText());
        assertEquals(Local.ROLE, req.path("RoleArn").asText());
        assertEquals(Local.IMAGE, req.at("/AppSpecification/ImageUri").asText());
        assertEquals("process", req.at("/AppSpecification/ContainerEntrypoint/0").asText());
        assertEquals("ml.g5.xlarge", req.at("/ProcessingResources/ClusterConfig/InstanceType").asText());
        assertEquals(3600, req.at("/StoppingCondition/MaxRuntimeInSeconds").asInt());
        assertEquals("s3://" + LOCAL.drop + "/incoming/large.mp4", req.at("/ProcessingInputs/0/S3Input/S3Uri").asText());
        assertEquals("s3://" + LOCAL.results + "/processing/" + jobId + "/",
                req.at("/ProcessingOutputConfig/Outputs/0/S3Output/S3Uri").asText());
        Job job = jobs.get(jobId).orElseThrow();
        assertEquals(JobStatus.RUNNING, job.status());
        assertEquals(dev.motflow.jobs.model.Route.PROCESSING_JOB, job.video().route());
        assertNotNull(job.sagemaker().processingJobArn());
        assertEquals(JobStatus.RUNNING, jobs.get(batch.jobId(LOCAL.drop)).orElseThrow().status());
        assertEquals("MATROSKA", jobs.get(batch.jobId(LOCAL.drop)).orElseThrow().video().container().name());
    }

    @Test
    void duplicateDeliveriesMakeOneJobAndOneStart() {
        Upload u = upload("incoming/dup.mp4", Videos.mp4(100));
        IngestService service = ingest(LOCAL.config());
        for (int i = 0; i < 3; i++) {
            assertEquals(Outcome.DONE, service.handleMessage("d" + i, u.event(LOCAL.drop)));
        }
        assertEquals(1, LOCAL.sm.calls("InvokeEndpointAsync").size());
        assertEquals(3, jobs.get(u.jobId(LOCAL.drop)).orElseThrow().version());
    }

    @Test
    void anExistingProcessingJobNameMeansItAlreadyStarted() {
        String jobId = JobIds.random();
        // An earlier attempt created the job, but its answer was lost.
        LOCAL.sm.client().createProcessingJob(b -> b.processingJobName(JobIds.processingJobName(jobId)).roleArn(Local.ROLE)
                .appSpecification(a -> a.imageUri(Local.IMAGE))
                .processingResources(r -> r.clusterConfig(c -> c.instanceCount(1).instanceType("ml.g5.xlarge").volumeSizeInGB(30))));
        SageMakerLauncher launcher = new SageMakerLauncher(LOCAL.config(), LOCAL.sageMakerWithRetries(),
                LOCAL.runtimeWithRetries(), Local.fastTuning().sageMakerAttempts());
        SageMakerLauncher.ProcessingStart again = launcher.startProcessing(jobId, "s3://" + LOCAL.drop + "/incoming/x.mp4", 10, null);
        assertEquals("arn:aws:sagemaker:us-east-1:000000000000:processing-job/motflow-" + jobId, again.jobArn());
        assertEquals("ResourceInUse", LOCAL.sm.calls("CreateProcessingJob").get(1).errorCode());
        assertEquals(1, LOCAL.sm.calls("DescribeProcessingJob").size());
    }

    @Test
    void aNonRetryableRefusalFailsTheJobWithTheReason() {
        Upload u = upload("incoming/refused.mp4", Videos.mp4(100));
        LOCAL.sm.injectFaults(FaultPlan.always(Fault.VALIDATION));
        assertEquals(Outcome.DONE, ingest(LOCAL.config()).handleMessage("r", u.event(LOCAL.drop)));
        Job job = jobs.get(u.jobId(LOCAL.drop)).orElseThrow();
        assertEquals(JobStatus.FAILED, job.status());
        assertTrue(job.statusReason().contains("InvokeEndpointAsync was refused"), job.statusReason());
        assertTrue(job.statusReason().contains("Injected validation error"), job.statusReason());
        assertEquals(1, LOCAL.sm.calls("InvokeEndpointAsync").size(), "no retries of a validation error");
    }

    @Test
    void exhaustedRetriesReleaseTheLeaseAndTheRedeliveryTakesOver() {
        Upload u = upload("incoming/flaky.mp4", Videos.mp4(100));
        JobsRuntime rt = LOCAL.runtime(LOCAL.config(), clock, LOCAL.sageMakerWithRetries(), LOCAL.runtimeWithRetries(), Local.fastTuning());
        LOCAL.sm.injectFaults(FaultPlan.always(Fault.SERVICE_UNAVAILABLE));
        assertEquals(Outcome.RETRY, rt.ingest().handleMessage("f", u.event(LOCAL.drop)));
        assertEquals(6, LOCAL.sm.calls("InvokeEndpointAsync").size(), "bounded: maxAttempts calls");
        Job waiting = jobs.get(u.jobId(LOCAL.drop)).orElseThrow();
        assertEquals(JobStatus.STARTING, waiting.status());
        assertTrue(waiting.start().lastError().contains("ServiceUnavailable"));
        LOCAL.sm.injectFaults(FaultPlan.none());
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("f", u.event(LOCAL.drop)));
        Job job = jobs.get(u.jobId(LOCAL.drop)).orElseThrow();
        assertEquals(JobStatus.RUNNING, job.status());
        assertEquals(2L, job.start().attempts());
        assertTrue(job.history().stream().anyMatch(h -> h.reason() != null && h.reason().contains("taking over")));
    }

    @Test
    void aLiveLeaseMakesADuplicateWaitAndAnExpiredOneIsTakenOver() {
        Upload u = upload("incoming/lease.mp4", Videos.mp4(100));
        String jobId = u.jobId(LOCAL.drop);
        Job received = jobs.create(jobId, JobStatus.RECEIVED, "arrived", JobUpdate.of()
                .set(JobField.SRC_BUCKET, LOCAL.drop).set(JobField.SRC_KEY, u.key())
                .set(JobField.CONTAINER, dev.motflow.jobs.model.Container.MP4)).orElseThrow();
        jobs.transition(received, JobStatus.STARTING, "another worker", JobUpdate.of()
                .set(JobField.ROUTE, dev.motflow.jobs.model.Route.ASYNC_ENDPOINT)
                .set(JobField.LEASE_UNTIL, clock.instant().plus(Duration.ofMinutes(2))));
        IngestService service = ingest(LOCAL.config());
        assertEquals(Outcome.RETRY, service.handleMessage("dup", u.event(LOCAL.drop)));
        assertEquals(0, LOCAL.sm.calls().size());
        clock.advance(Duration.ofMinutes(3));
        assertEquals(Outcome.DONE, service.handleMessage("dup", u.event(LOCAL.drop)));
        assertEquals(JobStatus.RUNNING, jobs.get(jobId).orElseThrow().status());
        assertEquals(1, LOCAL.sm.calls("InvokeEndpointAsync").size());
    }

    @Test
    void testEventsAndOtherEventsAreAcknowledged() {
        IngestService service = ingest(LOCAL.config());
        assertEquals(Outcome.DONE, service.handleMessage("t", AwsEvents.s3TestEvent(LOCAL.drop)));
        assertEquals(Outcome.DONE, service.handleMessage("del", AwsEvents.s3Event("ObjectRemoved:Delete", LOCAL.drop,
                "incoming/x.mp4", "e", 0, AwsEvents.nextSequencer())));
        assertEquals(0, LOCAL.sm.calls().size());
    }
}
