package dev.motflow.retraining.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.http.HttpRequest;
import dev.motflow.common.http.HttpResponse;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.TestTables;
import dev.motflow.retraining.handler.RetrainingApiHandler;
import dev.motflow.retraining.model.ModelVersion;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.MutableClock;

/** The console's reads of runs and the registry, against dynalite, through the API handler's GET routes. */
class RetrainingQueriesTest {
    private final LocalAws local = LocalAws.shared();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T06:00:00Z"));

    @Test
    void runsNewestFirstAndTheRegistryWithScoresAndProduction() throws Exception {
        String table = TestTables.create(local);
        RunRecords runs = new RunRecords(local.dynamo(), table, clock);
        ModelRegistry registry = new ModelRegistry(local.dynamo(), table, "tracker", clock);
        JsonNode scores = Json.parse("{\"mota\": 0.5, \"idf1\": 0.6, \"hota\": 0.55}");

        runs.validated("street", "street-v1", 1, "set1");
        long v1 = registry.createCandidate("s3://a/v1/model.tar.gz", 1, "set1", scores, "street-v1");
        runs.scored("street", "street-v1", v1, scores);
        runs.gateDecided("street", "street-v1", true, "first model above the floor");
        runs.finished("street", "street-v1", "PROMOTED", "promoted", clock.instant(), null, null);
        registry.setStatus(v1, ModelVersion.Status.CANDIDATE, ModelVersion.Status.APPROVED);
        registry.promote(v1, null, "s3://a/v1/model.tar.gz", "cfg-1", "street-v1");
        registry.setStatus(v1, ModelVersion.Status.APPROVED, ModelVersion.Status.DEPLOYED);
        clock.advance(java.time.Duration.ofMinutes(5));
        runs.validated("street", "street-v2", 2, "set1");
        runs.gateDecided("street", "street-v2", false, "IDF1 did not improve");
        runs.validated("other", "other-v1", 1, "set9");

        RetrainingApiHandler api = new RetrainingApiHandler(null, "labelled", clock)
                .withQueries(new RetrainingQueries(local.dynamo(), table, "tracker"));
        JsonNode listed = ok(api.handle(get("/retraining/runs", Map.of("dataset", "street"))));
        assertEquals(2, listed.path("runs").size(), listed.toString());
        assertEquals("street-v2", listed.at("/runs/0/executionName").asText(), "newest first");
        assertEquals("GATE_REJECTED", listed.at("/runs/0/status").asText());
        assertEquals("IDF1 did not improve", listed.at("/runs/0/gateReason").asText());
        assertEquals("PROMOTED", listed.at("/runs/1/status").asText());
        assertEquals(0.6, listed.at("/runs/1/candidateScores/idf1").asDouble());
        assertTrue(listed.at("/runs/0/pk").isMissingNode(), "no table keys");
        assertEquals(1, ok(api.handle(get("/retraining/runs", Map.of("dataset", "street", "limit", "1")))).path("runs").size());

        JsonNode models = ok(api.handle(get("/retraining/models", Map.of())));
        assertEquals("tracker", models.path("model").asText());
        assertEquals(v1, models.at("/current/version").asLong());
        assertEquals("cfg-1", models.at("/current/endpointConfigName").asText());
        assertEquals(1, models.path("versions").size());
        assertEquals(v1, models.at("/versions/0/version").asLong());
        assertEquals("DEPLOYED", models.at("/versions/0/status").asText());
        assertEquals(0.55, models.at("/versions/0/metrics/set1/hota").asDouble());

        assertEquals(400, api.handle(get("/retraining/runs", Map.of())).status());
        assertEquals(400, api.handle(get("/retraining/runs", Map.of("dataset", "../x"))).status());
        assertEquals(400, api.handle(get("/retraining/runs", Map.of("dataset", "street", "limit", "0"))).status());
        assertEquals(405, api.handle(new HttpRequest("POST", "/retraining/models", Map.of(), Map.of(), new byte[0])).status());
    }

    private static HttpRequest get(String path, Map<String, String> query) {
        return new HttpRequest("GET", path, Map.of(), query, new byte[0]);
    }

    private static JsonNode ok(HttpResponse r) throws Exception {
        assertEquals(200, r.status(), r.body());
        return Json.MAPPER.readTree(r.body());
    }
}
