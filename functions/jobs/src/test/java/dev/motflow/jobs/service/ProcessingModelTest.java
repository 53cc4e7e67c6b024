package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.common.model.ModelPointer;
import dev.motflow.common.store.ModelPointerItems;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.ModelSource;
import dev.motflow.jobs.model.Route;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.ProductionModel;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.MutableClock;
import dev.motflow.testsupport.RecordedCall;
import dev.motflow.testsupport.Videos;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Processing jobs mount the production model the retraining workflow promoted (docs/data-model.md). */
class ProcessingModelTest {
    private static final Local LOCAL = new Local();
    private static final String FALLBACK = "s3://bootstrap/models/model.tar.gz";
    private static final ObjectMapper JSON = dev.motflow.jobs.JobsJson.MAPPER;
    private static int models;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T06:00:00Z"));
    private final JobRepository jobs = new JobRepository(LOCAL.aws.dynamo(), LOCAL.table, clock);
    /** A model family of this test alone, so tests sharing the table do not see each other's pointer. */
    private String modelName;

    @BeforeEach
    void reset() {
        LOCAL.sm.reset();
        modelName = "tracker-" + (++models);
    }

    private JobsConfig config(String fallback) {
        JobsConfig base = LOCAL.config(1000, JobsConfig.DEFAULT_MAX_UPLOAD_BYTES);
        return new JobsConfig(base.tableName(), base.resultsBucket(), base.dropBucket(), base.asyncEndpointName(),
                base.maxAsyncBytes(), base.maxUploadBytes(), base.batchPrefix(), base.processingImageUri(),
                base.processingRoleArn(), base.processingInstanceType(), null, base.processingMaxRuntimeSeconds(),
                fallback, base.presignTtl(), modelName);
    }

    /** The item ModelRegistry.promote writes in functions/retraining. */
    private void promote(long version, String artifact) {
        Map<String, AttributeValue> item = ModelPointerItems.toItem(new ModelPointer(modelName, version, artifact,
                "motflow-tracker-v" + version, null, clock.instant(), "run-" + version));
        LOCAL.aws.dynamo().putItem(b -> b.tableName(LOCAL.table).item(item));
    }

    /** Drops a video larger than MAX_ASYNC_BYTES and returns its job id. */
    private String dropLargeVideo(JobsRuntime rt, String name) {
        String key = "incoming/" + name + ".mp4";
        byte[] bytes = Videos.mp4(2000);
        String eTag = LOCAL.put(LOCAL.drop, key, bytes);
        String sequencer = AwsEvents.nextSequencer();
        assertEquals(Outcome.DONE, rt.ingest().handleMessage(name, AwsEvents.s3Put(LOCAL.drop, key, eTag, bytes.length, sequencer)));
        return JobIds.forObject(new S3ObjectRef(LOCAL.drop, key, null, eTag, sequencer, bytes.length));
    }

    /** The S3 URI of the "model" input of the last CreateProcessingJob, or null when it had none. */
    private static String modelInput() {
        List<RecordedCall> calls = LOCAL.sm.calls("CreateProcessingJob");
        JsonNode inputs = calls.get(calls.size() - 1).json().path("ProcessingInputs");
        for (JsonNode in : inputs) {
            if ("model".equals(in.path("InputName").asText())) {
                assertEquals("/opt/ml/processing/model", in.at("/S3Input/LocalPath").asText());
                return in.at("/S3Input/S3Uri").asText();
            }
        }
        return null;
    }

    private static JsonNode getJob(JobsRuntime rt, String jobId) throws Exception {
        dev.motflow.common.http.HttpResponse r = rt.api().handle(new dev.motflow.common.http.HttpRequest("GET", "/jobs/" + jobId, Map.of(), Map.of(), null)
                // a dropped object's job: only an admin sees it
                .withCaller(dev.motflow.common.http.Caller.cognito("operator", java.util.Set.of("motflow-admins"))));
        assertEquals(200, r.status(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void aPromotedModelIsMountedAndShownOnTheJob() throws Exception {
        promote(7, "s3://artifacts/retraining/run-7/model.tar.gz");
        JobsRuntime rt = LOCAL.runtime(config(FALLBACK), clock);
        String jobId = dropLargeVideo(rt, "promoted");
        assertEquals("s3://artifacts/retraining/run-7/model.tar.gz", modelInput());
        Job job = jobs.get(jobId).orElseThrow();
        assertEquals(ModelSource.CURRENT, job.sagemaker().model().source());
        assertEquals(7L, job.sagemaker().model().version());
        JsonNode model = getJob(rt, jobId).at("/sagemaker/model");
        assertEquals("CURRENT", model.path("source").asText());
        assertEquals(7, model.path("version").asLong());
        assertEquals("s3://artifacts/retraining/run-7/model.tar.gz", model.path("s3Uri").asText());
    }

    @Test
    void withoutAPromotedModelTheConfiguredOneIsMounted() throws Exception {
        JobsRuntime rt = LOCAL.runtime(config(FALLBACK), clock);
        String jobId = dropLargeVideo(rt, "bootstrap");
        assertEquals(FALLBACK, modelInput());
        JsonNode model = getJob(rt, jobId).at("/sagemaker/model");
        assertEquals("FALLBACK", model.path("source").asText());
        assertEquals(FALLBACK, model.path("s3Uri").asText());
        assertFalse(model.has("version"));
    }

    @Test
    void withNeitherTheImageModelIsUsed() throws Exception {
        JobsRuntime rt = LOCAL.runtime(config(null), clock);
        String jobId = dropLargeVideo(rt, "image");
        assertNull(modelInput());
        assertEquals("IMAGE", jobs.get(jobId).orElseThrow().sagemaker().model().source().name());
        assertFalse(getJob(rt, jobId).at("/sagemaker/model").has("s3Uri"));
    }

    @Test
    void aPromotionReachesNewJobsOnceTheCachedAnswerExpires() {
        JobsRuntime rt = LOCAL.runtime(config(FALLBACK), clock);
        dropLargeVideo(rt, "before");
        assertEquals(FALLBACK, modelInput());

        promote(1, "s3://artifacts/v1/model.tar.gz");
        clock.advance(ProductionModel.DEFAULT_TTL.minusSeconds(1));
        String cachedJob = dropLargeVideo(rt, "cached");
        assertEquals(FALLBACK, modelInput(), "the answer read a moment ago is still fresh");
        assertEquals("FALLBACK", jobs.get(cachedJob).orElseThrow().sagemaker().model().source().name());

        clock.advance(Duration.ofSeconds(1));
        String afterJob = dropLargeVideo(rt, "after");
        assertEquals("s3://artifacts/v1/model.tar.gz", modelInput());
        assertEquals(1L, jobs.get(afterJob).orElseThrow().sagemaker().model().version());

        promote(2, "s3://artifacts/v2/model.tar.gz");
        clock.advance(ProductionModel.DEFAULT_TTL.minusSeconds(1));
        dropLargeVideo(rt, "still-v1");
        assertEquals("s3://artifacts/v1/model.tar.gz", modelInput());
        clock.advance(Duration.ofSeconds(1));
        dropLargeVideo(rt, "v2");
        assertEquals("s3://artifacts/v2/model.tar.gz", modelInput());
    }

    @Test
    void smallVideosStillGoToTheEndpointWithoutAModelRecord() {
        promote(3, "s3://artifacts/v3/model.tar.gz");
        JobsRuntime rt = LOCAL.runtime(config(FALLBACK), clock);
        String key = "incoming/small.mp4";
        byte[] bytes = Videos.mp4(100);
        String eTag = LOCAL.put(LOCAL.drop, key, bytes);
        String sequencer = AwsEvents.nextSequencer();
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("s", AwsEvents.s3Put(LOCAL.drop, key, eTag, bytes.length, sequencer)));
        Job job = jobs.get(JobIds.forObject(new S3ObjectRef(LOCAL.drop, key, null, eTag, sequencer, bytes.length))).orElseThrow();
        assertEquals(Route.ASYNC_ENDPOINT, job.video().route());
        assertNull(job.sagemaker().model().source());
        assertTrue(LOCAL.sm.calls("CreateProcessingJob").isEmpty());
    }
}
