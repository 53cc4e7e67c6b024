package dev.motflow.retraining.score;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.common.JsonLog;
import dev.motflow.retraining.store.ModelRegistry;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.store.RunRecords;

/**
 * The ScoreCandidate / ScoreProduction steps. The candidate's scores are stored with a new model
 * version; production's scores on the same validation set (and the same metric definitions) are
 * looked up, and when missing, the workflow evaluates production too and this step stores them with
 * production's version.
 */
public final class ModelScoring {
    private final ResultScorer scorer;
    private final ModelRegistry registry;
    private final RunRecords runs;
    private final Clock clock;

    public ModelScoring(ResultScorer scorer, ModelRegistry registry, RunRecords runs, Clock clock) {
        this.scorer = scorer;
        this.registry = registry;
        this.runs = runs;
        this.clock = clock;
    }

    /** {@code state} is the workflow's state document (request, validation, training, scores...). */
    public ObjectNode score(String executionName, String role, JsonNode state) {
        JsonLog log = JsonLog.named("score-model").with("executionName", executionName);
        String dataset = state.path("request").path("dataset").asText();
        JsonNode ds = state.path("validation").path("dataset");
        String root = "s3://" + ds.path("bucket").asText() + "/" + ds.path("rootPrefix").asText();
        String setId = Json.text(ds, "validationSetId");
        List<String> sequences = new ArrayList<>();
        ds.path("validationSequences").forEach(s -> sequences.add(s.asText()));
        JsonNode paths = state.path("validation").path("paths");

        if ("PRODUCTION".equals(role)) {
            ObjectNode production = ((ObjectNode) state.path("scores").path("production")).deepCopy();
            long version = production.path("version").asLong();
            ObjectNode scores = scorer.score(root, paths.path("productionResults").asText(), sequences);
            registry.putScores(version, setId, scores);
            production.set("scores", scores);
            production.put("needsScoring", false);
            runs.productionScores(dataset, executionName, scores);
            log.info("production-scored", "version", version, "validationSetId", setId, "mota", scores.get("mota"),
                    "idf1", scores.get("idf1"), "hota", scores.get("hota"));
            ObjectNode out = Json.object();
            out.set("candidate", state.path("scores").path("candidate"));
            out.set("production", production);
            return out;
        }

        // a forced import without a dataset is not evaluated: no results, no validation set
        boolean evaluated = state.path("validation").path("training").path("evaluate").asBoolean(true);
        if (!evaluated) {
            setId = null;
        }
        ObjectNode scores = evaluated ? scorer.score(root, paths.path("candidateResults").asText(), sequences) : null;
        String artifacts = state.path("training").path("modelArtifacts").asText();
        Long existing = runs.candidateVersion(dataset, executionName);
        long version;
        if (existing == null) {
            version = registry.createCandidate(artifacts, ds.path("version").asLong(), setId, scores, executionName);
        } else {
            version = existing;
            if (evaluated) {
                registry.putScores(version, setId, scores); // a retry of this step: same version, fresh scores
            }
        }
        runs.scored(dataset, executionName, version, scores);
        if (evaluated) {
            log.info("candidate-scored", "version", version, "validationSetId", setId, "mota", scores.get("mota"),
                    "idf1", scores.get("idf1"), "hota", scores.get("hota"));
        } else {
            log.info("candidate-registered-unevaluated", "version", version, "artifact", artifacts);
        }

        ObjectNode out = Json.object();
        ObjectNode candidate = out.putObject("candidate");
        candidate.put("model", registry.model());
        candidate.put("version", version);
        candidate.put("artifactS3Uri", artifacts);
        candidate.put("validationSetId", setId);
        candidate.set("scores", scores);
        ObjectNode production = out.putObject("production");
        ModelRegistry.Current current = registry.current();
        if (current == null) {
            production.put("exists", false);
            production.put("needsScoring", false);
            production.putNull("version");
            production.putNull("artifactS3Uri");
            production.putNull("scores");
        } else {
            JsonNode known = evaluated ? registry.scores(current.version(), setId) : null;
            if (known != null && !ResultScorer.DEFINITIONS.label().equals(known.path("definitions").asText())) {
                known = null; // scored with other metric definitions (py-motmetrics' before): score again
            }
            production.put("exists", true);
            production.put("version", current.version());
            production.put("artifactS3Uri", current.artifactS3Uri());
            production.put("endpointConfigName", current.endpointConfigName());
            production.set("scores", known == null ? Json.MAPPER.nullNode() : known);
            production.put("needsScoring", evaluated && known == null);
        }
        return out;
    }
}
