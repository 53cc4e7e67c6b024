package dev.motflow.retraining.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.metrics.Benchmark;
import dev.motflow.retraining.store.ModelRegistry;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.TestTables;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.RepoPaths;
import software.amazon.awssdk.core.sync.RequestBody;

class ResultScorerTest {
    private final LocalAws local = LocalAws.shared();

    @Test
    void scoresAResultFromS3WithTheReferenceValues() {
        String bucket = local.newBucket("scores");
        Path tud = RepoPaths.sharedTestData().resolve("mot15/TUD-Campus");
        local.s3().putObject(b -> b.bucket(bucket).key("data/TUD-Campus/gt/gt.txt"), RequestBody.fromFile(tud.resolve("gt.txt")));
        local.s3().putObject(b -> b.bucket(bucket).key("results/TUD-Campus.txt"), RequestBody.fromFile(tud.resolve("result-cem.txt")));
        ObjectNode s = new ResultScorer(local.s3(), Benchmark.MOT15)
                .score("s3://" + bucket + "/data/", "s3://" + bucket + "/results/", List.of("TUD-Campus"));
        // reference values of this pair (shared test data README): TrackEval's CLEAR / Identity give
        // the same figures as py-motmetrics' here
        assertEquals("trackeval", s.path("definitions").asText());
        assertEquals(0.526462, s.path("mota").asDouble(), 1e-6);
        assertEquals(0.557659, s.path("idf1").asDouble(), 1e-6);
        assertEquals(0.3914, s.path("hota").asDouble(), 1e-4);
        assertEquals(7, s.path("num_switches").asInt());
        assertTrue(s.path("sequences").has("TUD-Campus"));
    }

    @Test
    void aMissingResultIsTheModelsFault() {
        String bucket = local.newBucket("scores");
        local.s3().putObject(b -> b.bucket(bucket).key("data/S/gt/gt.txt"), RequestBody.fromString("1,1,1,1,5,5,1,1,1\n"));
        var e = assertThrows(ResultScorer.UnscorableResult.class, () -> new ResultScorer(local.s3(), Benchmark.MOT17)
                .score("s3://" + bucket + "/data/", "s3://" + bucket + "/results/", List.of("S")));
        assertTrue(e.getMessage().contains("results/S.txt does not exist"), e.getMessage());
    }

    @Test
    void productionMovesOnlyFromTheVersionItWasSeenAt() {
        String table = TestTables.create(local);
        ModelRegistry registry = new ModelRegistry(local.dynamo(), table, "m", Clock.systemUTC());
        ObjectNode scores = Json.object().put("mota", 0.5);
        assertEquals(1, registry.createCandidate("s3://b/1", 1, "set", scores, "e1"));
        assertEquals(2, registry.createCandidate("s3://b/2", 1, "set", scores, "e2"));
        assertTrue(registry.promote(1, null, "s3://b/1", "c1", "e1"));
        assertEquals(false, registry.promote(2, null, "s3://b/2", "c2", "e2"), "expected no production, but there is one");
        assertTrue(registry.promote(2, 1L, "s3://b/2", "c2", "e2"));
        assertTrue(registry.promote(2, 1L, "s3://b/2", "c2", "e2"), "a repeated promotion is idempotent");
        assertEquals(false, registry.promote(1, 1L, "s3://b/1", "c1", "e3"), "stale expectation loses");
        assertEquals(2, registry.current().version());
        registry.putScores(1, "other", Json.object().put("idf1", 0.7));
        assertEquals(0.7, registry.scores(1, "other").path("idf1").asDouble());
        assertEquals(0.5, registry.scores(1, "set").path("mota").asDouble());
    }
}
