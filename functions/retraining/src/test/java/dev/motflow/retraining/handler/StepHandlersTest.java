package dev.motflow.retraining.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.common.Attr;
import dev.motflow.retraining.Env;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.TestBed;
import dev.motflow.retraining.TestTables;
import dev.motflow.retraining.store.Keys;
import dev.motflow.retraining.store.RunCoordinator;
import dev.motflow.retraining.trigger.ExecutionStarter;
import dev.motflow.testsupport.LocalAws;
import software.amazon.awssdk.core.sync.RequestBody;

/** ScoreModel, Gate and FinishRun as Lambda sees them: JSON streams in and out, on dynalite and s3rver. */
class StepHandlersTest {
    private final LocalAws local = LocalAws.shared();
    private String table;
    private String bucket;
    private Steps steps;
    private RunCoordinator coordinator;

    @BeforeEach
    void setUp() {
        table = TestTables.create(local);
        bucket = local.newBucket("steps");
        steps = new Steps(new Env(Map.of("TABLE_NAME", table, "ARTIFACTS_BUCKET", bucket, "ENDPOINT_NAME", "ep")),
                local.s3(), local.dynamo(), Clock.systemUTC());
        coordinator = new RunCoordinator(local.dynamo(), table, (n, i) -> ExecutionStarter.Started.STARTED,
                Clock.systemUTC(), Duration.ofDays(11));
    }

    private static JsonNode call(RequestStreamHandler h, JsonNode input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        h.handleRequest(new ByteArrayInputStream(Json.write(input).getBytes(StandardCharsets.UTF_8)), out, null);
        return Json.parse(out.toString(StandardCharsets.UTF_8));
    }

    /** The state document as it stands when ScoreCandidate runs. */
    private ObjectNode state(String execution, String resultsOf) {
        String seq = "MOT17-02-FRCNN";
        local.s3().putObject(b -> b.bucket(bucket).key("data/" + seq + "/gt/gt.txt"), RequestBody.fromString(TestBed.groundTruthOf(seq)));
        String results = "retraining/" + execution + "/eval/candidate/";
        local.s3().putObject(b -> b.bucket(bucket).key(results + seq + ".txt"),
                RequestBody.fromString(resultsOf.equals("perfect") ? TestBed.perfect(seq) : TestBed.degraded(seq)));
        ObjectNode s = Json.object();
        s.putObject("request").put("dataset", "cams").put("manifestVersion", "1");
        ObjectNode v = s.putObject("validation");
        v.put("status", "VALID");
        v.putObject("dataset").put("bucket", bucket).put("rootPrefix", "data/").put("validationSetId", "set1").put("version", 1)
                .putArray("validationSequences").add(seq);
        v.putObject("paths").put("candidateResults", "s3://" + bucket + "/" + results);
        v.putObject("jobs").put("endpointConfig", "epc-" + execution);
        s.putObject("training").put("modelArtifacts", "s3://" + bucket + "/models/" + execution + ".tar.gz");
        return s;
    }

    private JsonNode runToGate(String execution, String results) throws Exception {
        ObjectNode state = state(execution, results);
        state.set("scores", call(new ScoreModelHandler(steps.scoring()),
                Json.object().put("executionName", execution).put("role", "CANDIDATE").set("state", state)));
        state.set("gate", call(new GateHandler(steps.gate()), Json.object().put("executionName", execution).set("state", state)));
        return state;
    }

    @Test
    void scoreGateAndFinishPromoteTheFirstModelThenRejectAWorseOne() throws Exception {
        JsonNode first = runToGate("cams-1", "perfect");
        assertEquals(1, first.path("scores").path("candidate").path("version").asInt());
        assertEquals(false, first.path("scores").path("production").path("exists").asBoolean());
        assertEquals("PROMOTE", first.path("gate").path("decision").asText());
        JsonNode note = call(new FinishRunHandler(steps.finisher(coordinator)),
                Json.object().put("executionName", "cams-1").put("outcome", "PROMOTED").set("state", first));
        assertEquals("PROMOTED", note.path("status").asText());
        ObjectNode withoutText = note.deepCopy();
        withoutText.remove("notification");
        assertEquals(withoutText, Json.parse(note.path("notification").asText()), "the SNS text is the document itself");
        assertEquals("epc-cams-1", steps.registry().current().endpointConfigName());

        JsonNode second = runToGate("cams-2", "degraded");
        JsonNode production = second.path("scores").path("production");
        assertEquals(1, production.path("version").asInt());
        assertEquals(false, production.path("needsScoring").asBoolean(), "version 1 was scored on set1 when it was a candidate");
        assertEquals("REJECT", second.path("gate").path("decision").asText());
        assertEquals("REJECTED", Attr.str(local.dynamo().getItem(b -> b.tableName(table).key(Keys.modelVersion("motflow-tracker", 2))).item(), "status"));
    }

    @Test
    void productionScoresOfOtherMetricDefinitionsAreNotComparedButScoredAgain() throws Exception {
        JsonNode first = runToGate("cams-1", "perfect");
        assertEquals("trackeval", first.path("scores").path("candidate").path("scores").path("definitions").asText());
        call(new FinishRunHandler(steps.finisher(coordinator)),
                Json.object().put("executionName", "cams-1").put("outcome", "PROMOTED").set("state", first));
        String setId = first.path("scores").path("candidate").path("validationSetId").asText();
        // as stored before the default became TrackEval's definitions: no "definitions"
        steps.registry().putScores(1, setId, Json.object().put("mota", 0.9).put("idf1", 0.9).put("hota", 0.9));
        JsonNode production = runToGate("cams-2", "degraded").path("scores").path("production");
        assertEquals(true, production.path("needsScoring").asBoolean(), production.toString());
    }

    @Test
    void aPromotionThatRacedAnotherFailsInsteadOfOverwriting() throws Exception {
        JsonNode first = runToGate("cams-1", "perfect");
        JsonNode second = runToGate("cams-2", "perfect"); // both saw no production at their gate
        call(new FinishRunHandler(steps.finisher(coordinator)),
                Json.object().put("executionName", "cams-1").put("outcome", "PROMOTED").set("state", first));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> call(new FinishRunHandler(steps.finisher(coordinator)),
                Json.object().put("executionName", "cams-2").put("outcome", "PROMOTED").set("state", second)));
        assertTrue(e.getMessage().startsWith("production moved to version 1 during this run"), e.getMessage());
        assertEquals(1, steps.registry().current().version());
    }
}
