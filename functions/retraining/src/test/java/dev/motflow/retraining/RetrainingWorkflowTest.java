package dev.motflow.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.Attr;
import dev.motflow.retraining.TestBed.DataFile;
import dev.motflow.retraining.handler.RetrainingApiHandler;
import dev.motflow.retraining.model.ModelVersion;
import dev.motflow.retraining.store.ModelRegistry;
import dev.motflow.retraining.store.Keys;
import dev.motflow.testsupport.Fault;
import dev.motflow.testsupport.FaultPlan;
import dev.motflow.testsupport.sfn.ExecutionResult;
import dev.motflow.testsupport.sfn.SageMakerLifecycle.EndpointOutcome;
import dev.motflow.testsupport.sfn.SageMakerLifecycle.TrainingOutcome;
import dev.motflow.testsupport.sfn.SnsTasks;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Executes statemachines/retrain.asl.json end to end: trigger handler -> lock -> local execution of
 * the real ASL -> the real step Lambdas on dynalite/s3rver -> SageMaker and SNS stand-ins.
 */
class RetrainingWorkflowTest {
    /** The states each iteration of the deploy Map runs (one per endpoint; the two iterations interleave). */
    private static final Set<String> PER_ENDPOINT = perEndpointStates();
    private static final String ASYNC_CONFIG_V1 = "motflow-epc-v1-video";

    private TestBed bed;

    private static Set<String> perEndpointStates() {
        try {
            JsonNode states = Json.MAPPER.readTree(TestBed.DEFINITION.toFile()).path("States").path("DeployToEndpoints")
                    .path("ItemProcessor").path("States");
            Set<String> names = new TreeSet<>();
            for (Iterator<String> it = states.fieldNames(); it.hasNext();) {
                names.add(it.next());
            }
            assertFalse(names.isEmpty(), "DeployToEndpoints has no ItemProcessor states");
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The states outside the deploy Map, in order. */
    private static List<String> topLevel(ExecutionResult r) {
        return r.visited().stream().filter(s -> !PER_ENDPOINT.contains(s)).toList();
    }

    /** The deploy Map's states of both iterations, sorted (their interleaving is the scheduler's). */
    private static List<String> perEndpoint(ExecutionResult r) {
        return r.visited().stream().filter(PER_ENDPOINT::contains).sorted().toList();
    }

    private static List<String> sorted(List<String> states) {
        return states.stream().sorted().toList();
    }

    /** One endpoint's deployment: new config, lookup, update or create, {@code checks} status checks, outcome. */
    private static List<String> deployment(String configState, String createOrUpdate, int checks, String outcome) {
        List<String> out = new ArrayList<>(List.of("NameEndpointConfig", "IsAsyncEndpoint", configState, "FindEndpoint"));
        if (createOrUpdate.equals("CreateEndpoint")) {
            out.add("IsEndpointMissing");
        }
        out.add(createOrUpdate);
        out.add("StartDeploymentChecks");
        for (int i = 0; i < checks; i++) {
            out.addAll(List.of("WaitForEndpoint", "DescribeEndpoint", "CountCheck", "IsEndpointDeployed"));
        }
        out.add(outcome);
        return out;
    }

    private static List<String> both(List<String> realtime, List<String> async) {
        List<String> all = new ArrayList<>(realtime);
        all.addAll(async);
        return sorted(all);
    }

    private static JsonNode stackAsyncConfig() {
        var c = Json.object();
        c.putObject("ClientConfig").put("MaxConcurrentInvocationsPerInstance", 4);
        c.putObject("OutputConfig").put("S3OutputPath", "s3://motflow-results/async-output/");
        return c;
    }

    @BeforeEach
    void setUp() {
        bed = new TestBed();
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    private String uploadGood(String dataset, String version) {
        List<DataFile> files = TestBed.motDataset(f -> f);
        return bed.upload(dataset, files, TestBed.manifest(dataset, version, files).toString());
    }

    private String trigger(String messageId, String key) {
        SQSBatchResponse r = bed.labelledDataHandler().handleRequest(TestBed.batch(bed.s3Event(messageId, key)), null);
        assertTrue(r.getBatchItemFailures().isEmpty(), "batch failures: " + r.getBatchItemFailures());
        return bed.starter.startOrder.get(bed.starter.startOrder.size() - 1);
    }

    /** Production before the run: version 1 deployed on the endpoint, with no scores for this validation set. */
    private void seedProduction() {
        seedProductionModel();
        bed.lifecycle.existingEndpoint(TestBed.ENDPOINT, "motflow-epc-v1", "motflow-model-v1",
                "s3://" + bed.artifacts + "/models/v1/model.tar.gz");
        bed.lifecycle.existingEndpoint(TestBed.ASYNC_ENDPOINT, ASYNC_CONFIG_V1, "motflow-model-v1-video",
                "s3://" + bed.artifacts + "/models/v1/model.tar.gz", stackAsyncConfig());
    }

    /** Version 1 recorded as production in the table (no endpoints). */
    private void seedProductionModel() {
        ModelRegistry registry = bed.steps.registry();
        long v = registry.createCandidate("s3://" + bed.artifacts + "/models/v1/model.tar.gz", 0, "other-set",
                Json.object().put("mota", 0.5).put("idf1", 0.5).put("hota", 0.5), "seed");
        assertEquals(1, v);
        registry.setStatus(1, ModelVersion.Status.CANDIDATE, ModelVersion.Status.DEPLOYED);
        assertTrue(registry.promote(1, null, "s3://" + bed.artifacts + "/models/v1/model.tar.gz", "motflow-epc-v1", "seed"));
    }

    private static void assertSucceeded(ExecutionResult r) {
        assertTrue(r.succeeded(), () -> r.error() + " " + r.cause() + "\n" + r.historyJson());
    }

    private JsonNode onlyNotification(String execution) {
        List<SnsTasks.Published> p = bed.sns.published(execution);
        assertEquals(1, p.size(), "one notification per run");
        return p.get(0).messageJson();
    }

    private Map<String, AttributeValue> runItem(String dataset, String execution) {
        return bed.dynamo.getItem(b -> b.tableName(bed.table).key(Keys.run(dataset, execution)).consistentRead(true)).item();
    }

    private boolean lockHeld() {
        return bed.dynamo.getItem(b -> b.tableName(bed.table).key(Keys.lock()).consistentRead(true)).hasItem();
    }

    @Test
    void betterCandidateIsPromotedWithABlueGreenUpdate() {
        seedProduction();
        bed.candidateResults = TestBed::perfect;
        bed.productionResults = TestBed::degraded;
        bed.lifecycle.endpointOutcome(EndpointOutcome.IN_SERVICE, 2); // Updating on the first check
        String name = trigger("m1", uploadGood("street", "2026-11-24.1"));
        assertEquals("street-2026-11-24_1-" + name.substring(name.length() - 12), name, "deterministic, sanitised name");

        ExecutionResult r = bed.starter.await(name);
        TestBed.print("PROMOTED", r);
        assertSucceeded(r);
        assertEquals(List.of("KeepRequest", "ValidateDataset", "IsDatasetValid", "UseTuning", "Train", "EvaluateCandidate",
                "ScoreCandidate", "ProductionNeedsScores", "EvaluateProduction", "ScoreProduction", "Gate", "IsPromoted",
                "CreateModel", "PlanDeployments", "DeployToEndpoints", "CheckDeployments",
                "RecordPromoted", "Notify", "RunSucceeded", "Done"), topLevel(r));
        // both endpoints exist: each gets its own config and a blue/green update, checked twice (Updating, then InService)
        assertEquals(both(deployment("CreateEndpointConfig", "UpdateEndpoint", 2, "EndpointDeployed"),
                deployment("CreateAsyncEndpointConfig", "UpdateEndpoint", 2, "EndpointDeployed")), perEndpoint(r));
        assertTrue(bed.sageMaker.calls("CreateEndpoint").isEmpty());

        ModelRegistry registry = bed.steps.registry();
        ModelRegistry.Current current = registry.current();
        assertEquals(2, current.version(), "production now points at the candidate");
        assertEquals(ModelVersion.Status.DEPLOYED, registry.version(2).status());
        assertEquals(ModelVersion.Status.APPROVED, registry.version(1).status(), "the old version is no longer deployed");
        assertEquals(current.endpointConfigName(), bed.lifecycle.endpoint(TestBed.ENDPOINT).path("EndpointConfigName").asText());

        JsonNode deployment = bed.lifecycle.lastDeploymentConfig(TestBed.ENDPOINT);
        assertEquals("CANARY", deployment.path("BlueGreenUpdatePolicy").path("TrafficRoutingConfiguration").path("Type").asText());
        assertEquals(2, deployment.path("AutoRollbackConfiguration").path("Alarms").size());
        assertEquals("motflow-endpoint-5xx", deployment.path("AutoRollbackConfiguration").path("Alarms").path(0).path("AlarmName").asText());
        // the asynchronous video endpoint serves the promoted model too, on an async config like the stack's
        String videoConfig = current.endpointConfigName() + "-video";
        assertEquals(videoConfig, bed.lifecycle.endpoint(TestBed.ASYNC_ENDPOINT).path("EndpointConfigName").asText());
        JsonNode async = bed.lifecycle.endpointConfig(videoConfig).path("AsyncInferenceConfig");
        assertEquals(4, async.path("ClientConfig").path("MaxConcurrentInvocationsPerInstance").intValue(), async.toString());
        assertEquals("s3://motflow-results/async-output/", async.path("OutputConfig").path("S3OutputPath").asText());
        assertEquals("s3://motflow-results/async-failures/", async.path("OutputConfig").path("S3FailurePath").asText());
        assertEquals("arn:aws:sns:us-east-1:000000000000:motflow-async-success",
                async.path("OutputConfig").path("NotificationConfig").path("SuccessTopic").asText());
        assertEquals("arn:aws:sns:us-east-1:000000000000:motflow-async-error",
                async.path("OutputConfig").path("NotificationConfig").path("ErrorTopic").asText());
        assertEquals(bed.lifecycle.endpointConfig(current.endpointConfigName()).path("ProductionVariants").path(0).path("ModelName"),
                bed.lifecycle.endpointConfig(videoConfig).path("ProductionVariants").path(0).path("ModelName"), "same model on both");
        assertFalse(bed.lifecycle.endpointConfig(current.endpointConfigName()).has("AsyncInferenceConfig"));
        JsonNode videoDeployment = bed.lifecycle.lastDeploymentConfig(TestBed.ASYNC_ENDPOINT);
        assertEquals("ALL_AT_ONCE", videoDeployment.path("BlueGreenUpdatePolicy").path("TrafficRoutingConfiguration").path("Type").asText());
        assertEquals("motflow-video-5xx", videoDeployment.path("AutoRollbackConfiguration").path("Alarms").path(0).path("AlarmName").asText());
        JsonNode training = bed.sageMaker.successfulCalls("CreateTrainingJob").get(0).json();
        assertTrue(training.path("EnableManagedSpotTraining").asBoolean());
        // warm start: the production model's artifact is the pretrained channel
        assertEquals(List.of("train", "validation", "pretrained"), channelNames(training));
        JsonNode pretrained = training.path("InputDataConfig").path(2).path("DataSource").path("S3DataSource");
        assertEquals("s3://" + bed.artifacts + "/models/v1/model.tar.gz", pretrained.path("S3Uri").asText());
        assertEquals("S3Prefix", pretrained.path("S3DataType").asText());
        assertEquals("ml.g5.xlarge", training.path("ResourceConfig").path("InstanceType").asText());
        assertTrue(training.path("ResourceConfig").path("InstanceCount").isInt(), "a number, not the substituted string");
        assertEquals(2, training.path("ResourceConfig").path("InstanceCount").intValue(), "TrainingInstanceCount");
        assertTrue(training.path("CheckpointConfig").path("S3Uri").asText().startsWith("s3://" + bed.artifacts + "/checkpoints/" + name + "/"));
        assertEquals("validation_loss=([0-9.eE+-]+)",
                training.path("AlgorithmSpecification").path("MetricDefinitions").path(0).path("Regex").asText());

        JsonNode note = onlyNotification(name);
        assertEquals("PROMOTED", note.path("status").asText());
        assertEquals("WARM", note.path("trainingStart").asText(), note.toString());
        assertEquals(1, note.path("pretrainedVersion").asInt());
        assertEquals("warm start from production version 1 (s3://" + bed.artifacts + "/models/v1/model.tar.gz)",
                note.path("training").asText());
        assertEquals("WARM", Attr.str(runItem("street", name), "trainingStart"));
        assertEquals(1.0, note.path("candidateScores").path("idf1").asDouble(), 1e-9, "perfect result");
        assertTrue(note.path("productionScores").path("idf1").asDouble() < 0.99, note.toString());
        // production got scored on this validation set and keeps those scores
        String setId = Attr.str(runItem("street", name), "validationSetId");
        assertNotNull(registry.scores(1, setId));
        assertEquals("PROMOTED", Attr.str(runItem("street", name), "status"));
        assertFalse(lockHeld(), "lock released");
    }

    @Test
    void firstPromotionUpdatesTheEndpointsTheStackCreated() {
        // No production model in the table yet, but the CDK stack already created both endpoints
        // (with its own configs): creating them again would fail, so the run updates them.
        bed.lifecycle.existingEndpoint(TestBed.ENDPOINT, "motflow-frames-stack", "motflow-model-stack", "s3://stack/model.tar.gz");
        bed.lifecycle.existingEndpoint(TestBed.ASYNC_ENDPOINT, "motflow-video-stack", "motflow-model-stack-video",
                "s3://stack/model.tar.gz", stackAsyncConfig());
        String name = trigger("m1", uploadGood("street", "first-1"));

        ExecutionResult r = bed.starter.await(name);
        assertSucceeded(r);
        assertEquals(List.of("ScoreCandidate", "ProductionNeedsScores", "Gate", "IsPromoted", "CreateModel", "PlanDeployments",
                "DeployToEndpoints", "CheckDeployments", "RecordPromoted"),
                topLevel(r).subList(topLevel(r).indexOf("ScoreCandidate"), topLevel(r).indexOf("Notify")));
        assertEquals(both(deployment("CreateEndpointConfig", "UpdateEndpoint", 1, "EndpointDeployed"),
                deployment("CreateAsyncEndpointConfig", "UpdateEndpoint", 1, "EndpointDeployed")), perEndpoint(r));
        assertTrue(bed.sageMaker.calls("CreateEndpoint").isEmpty(), "no CreateEndpoint for endpoints that exist");
        assertEquals(2, bed.sageMaker.successfulCalls("UpdateEndpoint").size());
        ModelRegistry.Current current = bed.steps.registry().current();
        assertEquals(1, current.version());
        assertEquals(current.endpointConfigName(), bed.lifecycle.endpoint(TestBed.ENDPOINT).path("EndpointConfigName").asText());
        assertEquals(current.endpointConfigName() + "-video",
                bed.lifecycle.endpoint(TestBed.ASYNC_ENDPOINT).path("EndpointConfigName").asText());
        JsonNode note = onlyNotification(name);
        assertEquals("PROMOTED", note.path("status").asText());
        // no production model in the table: a cold start
        assertEquals("COLD", note.path("trainingStart").asText());
        assertEquals("cold start: no production model yet", note.path("training").asText());
        assertFalse(note.has("pretrainedVersion"));
        assertEquals(List.of("train", "validation"), channelNames(bed.sageMaker.successfulCalls("CreateTrainingJob").get(0).json()));
    }

    private static List<String> channelNames(JsonNode trainingJob) {
        List<String> names = new ArrayList<>();
        trainingJob.path("InputDataConfig").forEach(c -> names.add(c.path("ChannelName").asText()));
        return names;
    }

    @Test
    void aFirstCandidateBelowTheQualityFloorIsRejected() {
        // No production model: before the floor, any first candidate was promoted ("no production model yet").
        bed.candidateResults = TestBed::poor;
        String name = trigger("m1", uploadGood("street", "first-poor"));

        ExecutionResult r = bed.starter.await(name);
        assertSucceeded(r);
        assertEquals(List.of("ScoreCandidate", "ProductionNeedsScores", "Gate", "IsPromoted", "RecordRejected", "Notify"),
                r.visited().subList(r.visited().indexOf("ScoreCandidate"), r.visited().indexOf("RunSucceeded")));
        assertTrue(bed.sageMaker.calls("CreateModel").isEmpty(), "nothing deployed");
        assertNull(bed.steps.registry().current(), "still no production model");
        assertEquals(ModelVersion.Status.REJECTED, bed.steps.registry().version(1).status());
        JsonNode note = onlyNotification(name);
        assertEquals("REJECTED", note.path("status").asText());
        // the sequences are short: frame 1 alone keeps IDF1 above 0.3, HOTA is not
        String reason = note.path("reason").asText();
        assertEquals("below the quality floor: HOTA 0.2500 < 0.3000 (GATE_MIN_HOTA)", reason);
        assertEquals(reason, Attr.str(runItem("street", name), "gateReason"));
    }

    @Test
    void aMissingEndpointIsCreatedWhateverTheTableSays() {
        // The table has a production model, but the real-time endpoint is gone (e.g. deleted by hand):
        // SageMaker's not-found answer, not the table, decides to create it; the video endpoint is updated.
        seedProductionModel();
        bed.lifecycle.existingEndpoint(TestBed.ASYNC_ENDPOINT, ASYNC_CONFIG_V1, "motflow-model-v1-video",
                "s3://" + bed.artifacts + "/models/v1/model.tar.gz", stackAsyncConfig());
        bed.productionResults = TestBed::degraded;
        String name = trigger("m1", uploadGood("street", "v11"));

        ExecutionResult r = bed.starter.await(name);
        assertSucceeded(r);
        assertEquals(both(deployment("CreateEndpointConfig", "CreateEndpoint", 1, "EndpointDeployed"),
                deployment("CreateAsyncEndpointConfig", "UpdateEndpoint", 1, "EndpointDeployed")), perEndpoint(r));
        assertEquals(List.of(TestBed.ENDPOINT), bed.sageMaker.successfulCalls("CreateEndpoint").stream()
                .map(c -> c.json().path("EndpointName").asText()).toList());
        assertEquals(List.of(TestBed.ASYNC_ENDPOINT), bed.sageMaker.successfulCalls("UpdateEndpoint").stream()
                .map(c -> c.json().path("EndpointName").asText()).toList());
        assertEquals("InService", bed.lifecycle.endpoint(TestBed.ENDPOINT).path("EndpointStatus").asText());
        assertEquals(2, bed.steps.registry().current().version());
    }

    @Test
    void aFailedAsyncEndpointUpdateTakesTheFailurePath() {
        seedProduction();
        bed.productionResults = TestBed::degraded;
        bed.lifecycle.endpointOutcome(TestBed.ASYNC_ENDPOINT, EndpointOutcome.FAILED);
        String name = trigger("m1", uploadGood("street", "v12"));

        ExecutionResult r = bed.starter.await(name);
        assertEquals("FAILED", r.status());
        List<String> top = topLevel(r);
        assertEquals(List.of("DeployToEndpoints", "CheckDeployments", "AsyncDeploymentFailed", "RecordFailure", "Notify",
                "RunSucceeded", "RetrainingFailed"), top.subList(top.indexOf("DeployToEndpoints"), top.size()));
        assertEquals(both(deployment("CreateEndpointConfig", "UpdateEndpoint", 1, "EndpointDeployed"),
                deployment("CreateAsyncEndpointConfig", "UpdateEndpoint", 1, "DeploymentFailed")), perEndpoint(r));
        assertEquals(1, bed.steps.registry().current().version(), "production pointer unchanged");
        JsonNode note = onlyNotification(name);
        assertEquals("FAILED", note.path("status").asText());
        assertEquals("Deployment.Failed: endpoint " + TestBed.ASYNC_ENDPOINT + " status Failed after the update",
                note.path("reason").asText(), note.toString());
        Map<String, AttributeValue> run = runItem("street", name);
        assertEquals("FAILED", Attr.str(run, "status"));
        assertTrue(run.toString().contains("Deployment.Failed"), run.toString());
        assertFalse(lockHeld());
    }

    @Test
    void worseCandidateIsRejectedWithBothScoreSets() {
        seedProduction();
        bed.candidateResults = TestBed::degraded;
        bed.productionResults = TestBed::perfect;
        String name = trigger("m1", uploadGood("street", "v2"));

        ExecutionResult r = bed.starter.await(name);
        TestBed.print("REJECTED", r);
        assertSucceeded(r);
        assertEquals(List.of("KeepRequest", "ValidateDataset", "IsDatasetValid", "UseTuning", "Train", "EvaluateCandidate",
                "ScoreCandidate", "ProductionNeedsScores", "EvaluateProduction", "ScoreProduction", "Gate", "IsPromoted",
                "RecordRejected", "Notify", "RunSucceeded", "Done"), r.visited());
        assertTrue(bed.sageMaker.calls("CreateModel").isEmpty(), "nothing deployed");
        ModelRegistry registry = bed.steps.registry();
        assertEquals(1, registry.current().version());
        assertEquals(ModelVersion.Status.REJECTED, registry.version(2).status());

        JsonNode note = onlyNotification(name);
        assertEquals("REJECTED", note.path("status").asText());
        assertTrue(note.path("reason").asText().startsWith("neither IDF1 nor HOTA improved"), note.toString());
        assertEquals(1.0, note.path("productionScores").path("idf1").asDouble(), 1e-9);
        assertTrue(note.path("candidateScores").path("idf1").asDouble() < 0.99);
        Map<String, AttributeValue> run = runItem("street", name);
        assertEquals("REJECTED", Attr.str(run, "status"));
        assertTrue(run.containsKey("candidateScores") && run.containsKey("productionScores"));
    }

    @Test
    void aRolledBackDeploymentLeavesProductionAloneAndFails() {
        seedProduction();
        bed.productionResults = TestBed::degraded;
        bed.lifecycle.endpointOutcome(EndpointOutcome.ROLLED_BACK, 1); // the alarms fired during the canary
        String name = trigger("m1", uploadGood("street", "v10"));

        ExecutionResult r = bed.starter.await(name);
        assertEquals("FAILED", r.status());
        List<String> top = topLevel(r);
        List<String> tail = top.subList(top.indexOf("DeployToEndpoints"), top.size());
        assertEquals(List.of("DeployToEndpoints", "CheckDeployments", "RealtimeDeploymentFailed", "RecordFailure", "Notify",
                "RunSucceeded", "RetrainingFailed"), tail);
        assertEquals(both(deployment("CreateEndpointConfig", "UpdateEndpoint", 1, "DeploymentRolledBack"),
                deployment("CreateAsyncEndpointConfig", "UpdateEndpoint", 1, "DeploymentRolledBack")), perEndpoint(r));
        assertEquals(1, bed.steps.registry().current().version(), "production pointer unchanged");
        assertEquals("motflow-epc-v1", bed.lifecycle.endpoint(TestBed.ENDPOINT).path("EndpointConfigName").asText());
        assertEquals(ASYNC_CONFIG_V1, bed.lifecycle.endpoint(TestBed.ASYNC_ENDPOINT).path("EndpointConfigName").asText());
        JsonNode note = onlyNotification(name);
        assertEquals("FAILED", note.path("status").asText());
        assertTrue(note.path("reason").asText().startsWith("Deployment.RolledBack: endpoint is InService on motflow-epc-v1"),
                note.toString());
        assertFalse(lockHeld());
    }

    @Test
    void trainingFailureEndsInTheFailurePathAndNotifies() {
        bed.lifecycle.trainingOutcome(req -> TrainingOutcome.failed("AlgorithmError: CUDA out of memory"));
        String name = trigger("m1", uploadGood("street", "v3"));

        ExecutionResult r = bed.starter.await(name);
        assertEquals("FAILED", r.status());
        assertEquals("Retraining.Failed", r.error());
        assertEquals(List.of("KeepRequest", "ValidateDataset", "IsDatasetValid", "UseTuning", "Train", "RecordFailure",
                "Notify", "RunSucceeded", "RetrainingFailed"), r.visited());
        assertEquals(1, r.events("StateCaught").size());
        JsonNode note = onlyNotification(name);
        assertEquals("FAILED", note.path("status").asText());
        assertTrue(note.path("reason").asText().startsWith("States.TaskFailed"), note.toString());
        assertTrue(note.path("reason").asText().contains("CUDA out of memory"));
        assertEquals("FAILED", Attr.str(runItem("street", name), "status"));
        assertFalse(lockHeld());
    }

    @Test
    void throttlingIsRetriedThenTheRunSucceeds() {
        // First production model: no endpoint yet, so the run creates it.
        bed.sageMaker.injectFaults(FaultPlan.firstN(2, Fault.THROTTLING)); // CreateTrainingJob throttled twice
        bed.dispatcher.failNext("ValidateDataset", 1, "Lambda.TooManyRequestsException", "Rate Exceeded.");
        String name = trigger("m1", uploadGood("street", "v4"));

        ExecutionResult r = bed.starter.await(name);
        assertSucceeded(r);
        List<String> retried = new ArrayList<>();
        r.events("StateRetried").forEach(e -> retried.add(e.path("state").asText()));
        assertEquals(List.of("ValidateDataset", "Train", "Train"), retried);
        assertEquals(3, bed.sageMaker.calls("CreateTrainingJob").size());
        assertEquals(1, bed.sageMaker.successfulCalls("CreateTrainingJob").size());
        assertTrue(r.visited().contains("CreateEndpoint") && !r.visited().contains("UpdateEndpoint"));
        assertEquals(2, bed.sageMaker.successfulCalls("CreateEndpoint").size(), "both endpoints created");
        assertEquals("PROMOTED", onlyNotification(name).path("status").asText());
        assertEquals(1, bed.steps.registry().current().version());
    }

    @Test
    void badDatasetIsRejectedWithAReportOfFileAndLine() {
        List<DataFile> files = TestBed.motDataset(list -> {
            List<DataFile> out = new ArrayList<>();
            for (DataFile f : list) {
                if (f.path().equals("MOT17-02-FRCNN/gt/gt.txt")) {
                    String[] lines = new String(f.bytes()).split("\n");
                    lines[4] = "1,999,10,10,0,50,1,1,1.0"; // line 5: zero width
                    lines[6] = lines[7]; // line 7 repeats line 8: same id twice in one frame
                    out.add(new DataFile(f.path(), (String.join("\n", lines) + "\n").getBytes()));
                } else {
                    out.add(f);
                }
            }
            return out;
        });
        var manifest = TestBed.manifest("street", "bad-1", files);
        ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.path("files").get(0)).put("size", 1); // wrong size
        String name = trigger("m1", bed.upload("street", files, manifest.toPrettyString()));

        ExecutionResult r = bed.starter.await(name);
        assertTrue(r.succeeded());
        assertEquals(List.of("KeepRequest", "ValidateDataset", "IsDatasetValid", "RecordDatasetRejected", "Notify",
                "RunSucceeded", "Done"), r.visited());
        JsonNode note = onlyNotification(name);
        assertEquals("REJECTED", note.path("status").asText());
        String report = note.path("report").toString();
        assertTrue(report.contains("MOT17-02-FRCNN/gt/gt.txt:5: box size must be positive"), report);
        assertTrue(report.contains("MOT17-02-FRCNN/gt/gt.txt:8: id") && report.contains("(also line 7)"), report);
        assertTrue(report.contains("manifest:6: MOT17-02-FRCNN/img1/000001.jpg: listed size 1"), report);
        assertTrue(bed.sageMaker.calls("CreateTrainingJob").isEmpty());
    }

    @Test
    void aDuplicateTriggerStartsOneRun() {
        String key = uploadGood("street", "v5");
        SQSBatchResponse first = bed.labelledDataHandler().handleRequest(
                TestBed.batch(bed.s3Event("m1", key), bed.s3Event("m2", key)), null);
        assertTrue(first.getBatchItemFailures().isEmpty());
        assertEquals(1, bed.starter.startOrder.size());
        String name = bed.starter.startOrder.get(0);
        bed.starter.await(name);
        // redelivered after the run finished, and an upload of an image (not a manifest)
        bed.labelledDataHandler().handleRequest(TestBed.batch(bed.s3Event("m3", key),
                bed.s3Event("m4", "labelled/street/MOT17-02-FRCNN/img1/000001.jpg")), null);
        assertEquals(List.of(name), bed.starter.startOrder, "still one execution");
        assertEquals(1, bed.sns.published().size());
    }

    @Test
    void dataArrivingDuringARunQueuesExactlyOneFollowUp() throws Exception {
        CountDownLatch trainingStarted = new CountDownLatch(1);
        CountDownLatch releaseTraining = new CountDownLatch(1);
        bed.dispatcher.beforeState("Train", call -> {
            if (call.input().path("TrainingJobName").asText().isEmpty()) {
                return;
            }
            trainingStarted.countDown();
            try {
                releaseTraining.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        String first = trigger("m1", uploadGood("street", "v6"));
        assertTrue(trainingStarted.await(60, TimeUnit.SECONDS), "first run reached Train");
        bed.dispatcher.beforeState("Train", null);
        releaseTrainingLater(releaseTraining);

        // two newer versions arrive while the first run trains: only the latest stays queued
        bed.labelledDataHandler().handleRequest(TestBed.batch(bed.s3Event("m2", uploadGood("street", "v7"))), null);
        bed.labelledDataHandler().handleRequest(TestBed.batch(bed.s3Event("m3", uploadGood("street", "v8"))), null);
        assertEquals(List.of(first), bed.starter.startOrder, "nothing starts while a run holds the lock");
        releaseTraining.countDown();

        ExecutionResult r1 = bed.starter.await(first);
        assertSucceeded(r1);
        String followUp = "street-v8";
        assertEquals(followUp, onlyNotification(first).path("followUp").asText());
        ExecutionResult r2 = bed.starter.await(followUp);
        assertSucceeded(r2);
        assertEquals(List.of(first, followUp), bed.starter.startOrder, "v7 was superseded by v8, never run");
        assertNull(onlyNotification(followUp).path("followUp").textValue());
        assertFalse(lockHeld());
    }

    private static void releaseTrainingLater(CountDownLatch latch) {
        // safety net: never leave the first execution hanging if an assertion below fails
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException ignored) {
                // test finished first
            }
            latch.countDown();
        });
        t.setDaemon(true);
        t.start();
    }

    @Test
    void manualTriggerWithTuningRunsTheHyperparameterSearch() {
        uploadGood("street", "v9");
        RetrainingApiHandler api = new RetrainingApiHandler(bed.trigger, bed.labelled, bed.clock);
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withRawPath("/retraining")
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").withPath("/retraining").build())
                        .build())
                .withBody("{\"dataset\":\"street\",\"hpo\":true}").build();
        var response = api.handleRequest(event, null);
        assertEquals(202, response.getStatusCode(), response.getBody());
        JsonNode body = Json.parse(response.getBody());
        assertEquals("STARTED", body.path("admission").asText());
        assertEquals("street-v9-hpo", body.path("executionName").asText());

        ExecutionResult r = bed.starter.await("street-v9-hpo");
        assertSucceeded(r);
        assertTrue(r.visited().containsAll(List.of("TrainWithTuning", "DescribeBestTrainingJob")) && !r.visited().contains("Train"));
        JsonNode tuning = bed.sageMaker.successfulCalls("CreateHyperParameterTuningJob").get(0).json();
        JsonNode config = tuning.path("HyperParameterTuningJobConfig");
        assertEquals("Minimize", config.path("HyperParameterTuningJobObjective").path("Type").asText());
        assertEquals("validation_loss", config.path("HyperParameterTuningJobObjective").path("MetricName").asText());
        List<String> tuned = new ArrayList<>();
        config.path("ParameterRanges").forEach(kind -> kind.forEach(p -> tuned.add(p.path("Name").asText())));
        assertEquals(List.of("lr", "id_loss_weight", "batch_size"), tuned);
        assertEquals(2, tuning.path("TrainingJobDefinition").path("ResourceConfig").path("InstanceCount").intValue());
        assertEquals("PROMOTED", onlyNotification("street-v9-hpo").path("status").asText());

        var again = api.handleRequest(event, null);
        assertEquals("ALREADY_STARTED", Json.parse(again.getBody()).path("admission").asText());
    }

    private APIGatewayV2HTTPResponse post(String body) {
        RetrainingApiHandler api = new RetrainingApiHandler(bed.trigger, bed.labelled, bed.artifacts, bed.clock);
        return api.handleRequest(APIGatewayV2HTTPEvent.builder().withRawPath("/retraining")
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").withPath("/retraining").build())
                        .build())
                .withBody(body).build(), null);
    }

    /** A model folder as SageMaker model data in the artifacts bucket, where imports must be; returns its URI. */
    private String uploadModel(String name) {
        String key = "models/imported/" + name + "/model.tar.gz";
        bed.s3.putObject(b -> b.bucket(bed.artifacts).key(key), software.amazon.awssdk.core.sync.RequestBody.fromString("tar of " + name));
        return "s3://" + bed.artifacts + "/" + key;
    }

    @Test
    void aColdStartRequestTrainsWithoutThePretrainedChannel() {
        seedProduction();
        bed.productionResults = TestBed::degraded;
        uploadGood("street", "cold-1");
        var response = post("{\"dataset\":\"street\",\"coldStart\":true}");
        assertEquals(202, response.getStatusCode(), response.getBody());
        String name = Json.parse(response.getBody()).path("executionName").asText();

        assertSucceeded(bed.starter.await(name));
        assertEquals(List.of("train", "validation"), channelNames(bed.sageMaker.successfulCalls("CreateTrainingJob").get(0).json()));
        JsonNode note = onlyNotification(name);
        assertEquals("COLD", note.path("trainingStart").asText());
        assertEquals("cold start: asked for by the request (coldStart)", note.path("training").asText());
        assertEquals(400, post("{\"dataset\":\"street\",\"coldStart\":\"yes\"}").getStatusCode());
    }

    @Test
    void anImportedModelIsEvaluatedGatedAndDeployedLikeATrainedOne() {
        seedProduction();
        bed.productionResults = TestBed::degraded;
        bed.candidateResults = TestBed::perfect;
        uploadGood("street", "imp-1");
        String model = uploadModel("fairmot-dla34");
        var response = post("{\"dataset\":\"street\",\"importModel\":{\"s3Uri\":\"" + model + "\"}}");
        assertEquals(202, response.getStatusCode(), response.getBody());
        JsonNode body = Json.parse(response.getBody());
        assertEquals("STARTED", body.path("admission").asText());
        String name = body.path("executionName").asText();
        assertTrue(name.startsWith("import-street-imp-1-m"), name);

        ExecutionResult r = bed.starter.await(name);
        assertSucceeded(r);
        assertEquals(List.of("KeepRequest", "ValidateDataset", "IsDatasetValid", "UseTuning", "UseImportedModel", "EvaluateImport",
                "EvaluateCandidate", "ScoreCandidate", "ProductionNeedsScores", "EvaluateProduction", "ScoreProduction", "Gate",
                "IsPromoted", "CreateModel", "PlanDeployments", "DeployToEndpoints", "CheckDeployments", "RecordPromoted", "Notify",
                "RunSucceeded", "Done"), topLevel(r));
        assertTrue(bed.sageMaker.calls("CreateTrainingJob").isEmpty(), "nothing trained");
        assertEquals(model, bed.sageMaker.successfulCalls("CreateModel").get(0).json().path("PrimaryContainer")
                .path("ModelDataUrl").asText());
        ModelRegistry.Current current = bed.steps.registry().current();
        assertEquals(2, current.version());
        assertEquals(model, current.artifactS3Uri(), "the production pointer names the imported artifact");
        JsonNode note = onlyNotification(name);
        assertEquals("PROMOTED", note.path("status").asText());
        assertEquals("IMPORT", note.path("trainingStart").asText());
        assertEquals("import of " + model + " (evaluated and gated)", note.path("training").asText());
        assertTrue(note.path("reason").asText().contains("candidate is better"), note.toString());

        assertEquals("ALREADY_STARTED", Json.parse(post("{\"dataset\":\"street\",\"importModel\":{\"s3Uri\":\"" + model
                + "\"}}").getBody()).path("admission").asText(), "one run per model and dataset version");
    }

    @Test
    void anImportThatDoesNotBeatProductionIsRejectedUnlessForced() {
        seedProduction();
        bed.productionResults = TestBed::perfect;
        bed.candidateResults = TestBed::degraded;
        uploadGood("street", "imp-2");
        String model = uploadModel("weaker");
        String gated = Json.parse(post("{\"dataset\":\"street\",\"importModel\":{\"s3Uri\":\"" + model + "\"}}").getBody())
                .path("executionName").asText();
        assertSucceeded(bed.starter.await(gated));
        assertEquals("REJECTED", onlyNotification(gated).path("status").asText());
        assertEquals(1, bed.steps.registry().current().version());

        String forced = Json.parse(post("{\"dataset\":\"street\",\"importModel\":{\"s3Uri\":\"" + model
                + "\",\"force\":true}}").getBody()).path("executionName").asText();
        assertTrue(forced.endsWith("-forced"), forced);
        assertSucceeded(bed.starter.await(forced));
        JsonNode note = onlyNotification(forced);
        assertEquals("PROMOTED", note.path("status").asText());
        assertTrue(note.path("reason").asText().contains("forced import of " + model + ", gate skipped (HOTA "), note.toString());
        assertEquals(model, bed.steps.registry().current().artifactS3Uri());
    }

    @Test
    void aForcedImportWithoutADatasetIsRegisteredAndDeployedUnevaluated() {
        String model = uploadModel("fairmot-dla34");
        var response = post("{\"importModel\":{\"s3Uri\":\"" + model + "\",\"force\":true}}");
        assertEquals(202, response.getStatusCode(), response.getBody());
        String name = Json.parse(response.getBody()).path("executionName").asText();

        ExecutionResult r = bed.starter.await(name);
        assertSucceeded(r);
        assertEquals(List.of("KeepRequest", "ValidateDataset", "IsDatasetValid", "UseTuning", "UseImportedModel", "EvaluateImport",
                "ScoreCandidate", "ProductionNeedsScores", "Gate", "IsPromoted", "CreateModel", "PlanDeployments",
                "DeployToEndpoints", "CheckDeployments", "RecordPromoted", "Notify", "RunSucceeded", "Done"), topLevel(r));
        assertTrue(bed.sageMaker.calls("CreateProcessingJob").isEmpty(), "nothing evaluated");
        assertEquals(2, bed.sageMaker.successfulCalls("CreateEndpoint").size(), "no endpoints yet: both created");
        ModelRegistry.Current current = bed.steps.registry().current();
        assertEquals(1, current.version());
        assertEquals(model, current.artifactS3Uri());
        JsonNode note = onlyNotification(name);
        assertEquals("PROMOTED", note.path("status").asText());
        assertTrue(note.path("reason").asText().endsWith("forced import of " + model + ", gate skipped (not evaluated)"),
                note.toString());
        assertEquals("import", note.path("dataset").asText());
    }

    @Test
    void badImportRequestsAreRefusedWithTheReason() {
        String model = uploadModel("m");
        var noDataset = post("{\"importModel\":{\"s3Uri\":\"" + model + "\"}}");
        assertEquals(400, noDataset.getStatusCode());
        assertTrue(noDataset.getBody().contains("cannot be evaluated"), noDataset.getBody());
        var elsewhere = post("{\"importModel\":{\"s3Uri\":\"s3://somebody-else/model.tar.gz\",\"force\":true}}");
        assertEquals(400, elsewhere.getStatusCode());
        assertTrue(elsewhere.getBody().contains("s3://" + bed.artifacts + "/models/"), elsewhere.getBody());
        var missing = post("{\"importModel\":{\"s3Uri\":\"s3://" + bed.artifacts + "/models/none/model.tar.gz\",\"force\":true}}");
        assertEquals(404, missing.getStatusCode(), missing.getBody());
        assertEquals(400, post("{\"importModel\":{\"s3Uri\":\"" + model + "\",\"force\":\"yes\"}}").getStatusCode());
        assertEquals(400, post("{\"dataset\":\"street\",\"hpo\":true,\"importModel\":{\"s3Uri\":\"" + model + "\"}}")
                .getStatusCode());
        assertTrue(bed.starter.startOrder.isEmpty());
    }
}
