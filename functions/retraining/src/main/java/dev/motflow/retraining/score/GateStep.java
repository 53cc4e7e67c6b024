package dev.motflow.retraining.score;

import java.time.Clock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.common.JsonLog;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.model.ModelVersion;
import dev.motflow.retraining.store.ModelRegistry;
import dev.motflow.retraining.store.RunRecords;

/** The Gate step: applies {@link GatePolicy} and records the decision with both score sets. */
public final class GateStep {
    private final GatePolicy policy;
    private final ModelRegistry registry;
    private final RunRecords runs;
    private final Clock clock;

    public GateStep(GatePolicy policy, ModelRegistry registry, RunRecords runs, Clock clock) {
        this.policy = policy;
        this.registry = registry;
        this.runs = runs;
        this.clock = clock;
    }

    /** A forced model import: promoted whatever it scores; the reason says so and gives the scores it has. */
    private static GatePolicy.Decision forced(String s3Uri, JsonNode scores) {
        String measured = scores.isObject()
                ? String.format(java.util.Locale.ROOT, "HOTA %.4f, IDF1 %.4f, MOTA %.4f", scores.path("hota").asDouble(Double.NaN),
                        scores.path("idf1").asDouble(Double.NaN), scores.path("mota").asDouble(Double.NaN))
                : "not evaluated";
        return new GatePolicy.Decision(true, "forced import of " + s3Uri + ", gate skipped (" + measured + ")", Json.object());
    }

    public ObjectNode decide(String executionName, JsonNode state) {
        String dataset = state.path("request").path("dataset").asText();
        JsonNode candidate = state.path("scores").path("candidate");
        JsonNode production = state.path("scores").path("production");
        boolean hasProduction = production.path("exists").asBoolean(false);
        JsonNode imported = state.path("request").path("importModel");
        GatePolicy.Decision d = imported.path("force").asBoolean(false)
                ? forced(imported.path("s3Uri").asText(), candidate.path("scores"))
                : policy.decide(candidate.path("scores"), hasProduction ? production.path("scores") : null);
        long version = candidate.path("version").asLong();
        if (!d.promote()) {
            registry.setStatus(version, ModelVersion.Status.CANDIDATE, ModelVersion.Status.REJECTED);
        } else {
            registry.setStatus(version, ModelVersion.Status.CANDIDATE, ModelVersion.Status.APPROVED);
        }
        String decision = d.promote() ? "PROMOTE" : "REJECT";
        runs.gateDecided(dataset, executionName, d.promote(), d.reason());
        JsonLog.named("gate").with("executionName", executionName).info("gate-decision",
                "decision", decision, "reason", d.reason(), "candidateVersion", version);
        ObjectNode out = Json.object();
        out.put("decision", decision);
        out.put("reason", d.reason());
        out.set("deltas", d.deltas());
        out.put("minImprovement", policy.minImprovement());
        out.put("maxMotaDrop", policy.maxMotaDrop());
        out.set("floor", policy.floor().toJson());
        return out;
    }
}
