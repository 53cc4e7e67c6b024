package dev.motflow.retraining.store;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.common.Attr;
import dev.motflow.common.JsonLog;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.model.ModelVersion;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The last step of every run (RecordPromoted / RecordRejected / RecordDatasetRejected /
 * RecordFailure): moves the production pointer on promotion, records the outcome in the run item,
 * releases the lock (starting the pending follow-up, if any) and returns the notification.
 */
public final class RunFinisher {
    static final int MAX_REPORT_LINES = 20;
    static final int MAX_REASON_CHARS = 2000;

    private final ModelRegistry registry;
    private final RunRecords runs;
    private final RunCoordinator coordinator;
    private final String endpointName;
    private final Clock clock;

    public RunFinisher(ModelRegistry registry, RunRecords runs, RunCoordinator coordinator, String endpointName, Clock clock) {
        this.registry = registry;
        this.runs = runs;
        this.coordinator = coordinator;
        this.endpointName = endpointName;
        this.clock = clock;
    }

    public ObjectNode finish(String executionName, String outcome, JsonNode state) {
        JsonLog log = JsonLog.named("finish-run").with("executionName", executionName);
        JsonNode request = state.path("request");
        String dataset = request.path("dataset").asText();
        JsonNode validation = state.path("validation");
        JsonNode candidate = state.path("scores").path("candidate");
        JsonNode production = state.path("scores").path("production");
        String reason;
        switch (outcome) {
            case "PROMOTED" -> {
                long version = candidate.path("version").asLong();
                Long previous = production.path("exists").asBoolean(false) ? production.path("version").asLong() : null;
                String config = validation.path("jobs").path("endpointConfig").asText();
                if (!registry.promote(version, previous, candidate.path("artifactS3Uri").asText(), config, executionName)) {
                    ModelRegistry.Current now = registry.current();
                    throw new IllegalStateException("production moved to version " + (now == null ? "none" : now.version())
                            + " during this run; version " + version + " was deployed to the endpoint but not recorded");
                }
                registry.setStatus(version, ModelVersion.Status.APPROVED, ModelVersion.Status.DEPLOYED);
                if (previous != null) {
                    registry.setStatus(previous, ModelVersion.Status.DEPLOYED, ModelVersion.Status.APPROVED);
                }
                reason = "version " + version + " is in production on " + endpointName + ": " + state.path("gate").path("reason").asText();
            }
            case "REJECTED" -> reason = "VALID".equals(validation.path("status").asText())
                    ? state.path("gate").path("reason").asText("rejected by the gate")
                    : "dataset rejected: " + validation.path("report").size() + " problem(s), first: "
                            + describe(validation.path("report").path(0));
            case "FAILED" -> {
                JsonNode error = state.path("error");
                reason = error.path("Error").asText("unknown error") + ": " + error.path("Cause").asText("");
            }
            default -> throw new IllegalArgumentException("outcome must be PROMOTED, REJECTED or FAILED, got " + outcome);
        }
        if (reason.length() > MAX_REASON_CHARS) {
            reason = reason.substring(0, MAX_REASON_CHARS) + "...";
        }
        ArrayNode report = Json.MAPPER.createArrayNode();
        for (JsonNode issue : validation.path("report")) {
            if (report.size() == MAX_REPORT_LINES) {
                report.add("... " + (validation.path("report").size() - MAX_REPORT_LINES) + " more");
                break;
            }
            report.add(describe(issue));
        }
        runs.finished(dataset, executionName, outcome, reason, clock.instant(), report.isEmpty() ? null : report,
                state.path("error").isMissingNode() ? null : state.path("error"));
        Optional<String> followUp = coordinator.release(executionName);
        log.info("run-finished", "outcome", outcome, "reason", reason, "followUp", followUp.orElse("-"));

        ObjectNode out = Json.object();
        out.put("status", outcome);
        out.put("executionName", executionName);
        out.put("dataset", dataset);
        out.put("manifestVersion", request.path("manifestVersion").asText());
        if (validation.path("dataset").has("version")) {
            out.put("datasetVersion", validation.path("dataset").path("version").asLong());
        }
        out.put("reason", reason);
        JsonNode training = validation.path("training");
        if (training.isObject()) {
            // where the candidate came from: warm start from production version N, cold start, import
            out.put("trainingStart", training.path("start").asText());
            out.put("training", training.path("summary").asText());
            if (training.path("pretrainedVersion").isNumber()) {
                out.put("pretrainedVersion", training.path("pretrainedVersion").asLong());
            }
        }
        if (!candidate.isMissingNode()) {
            out.put("modelVersion", candidate.path("version").asLong());
            out.set("candidateScores", headline(candidate.path("scores")));
        }
        if (!production.isMissingNode() && production.path("exists").asBoolean(false)) {
            out.put("productionVersion", production.path("version").asLong());
            out.set("productionScores", headline(production.path("scores")));
        }
        if (!report.isEmpty()) {
            out.set("report", report);
        }
        if (followUp.isPresent()) {
            out.put("followUp", followUp.get());
        } else {
            out.putNull("followUp");
        }
        // The SNS message, rendered here rather than with States.JsonToString in the definition:
        // the local interpreter does not escape quotes inside strings there.
        out.put("notification", Json.write(out));
        return out;
    }

    private static ObjectNode headline(JsonNode scores) {
        ObjectNode n = Json.object();
        for (String k : new String[] {"mota", "idf1", "hota"}) {
            n.set(k, scores.path(k).isMissingNode() ? Json.MAPPER.nullNode() : scores.get(k));
        }
        return n;
    }

    private static String describe(JsonNode issue) {
        if (issue == null || issue.isMissingNode()) {
            return "";
        }
        int line = issue.path("line").asInt(0);
        return issue.path("file").asText() + (line > 0 ? ":" + line : "") + ": " + issue.path("problem").asText();
    }
}
