package dev.motflow.retraining.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.retraining.Json;

/**
 * What one retraining run is asked to do; also the state machine's input.
 *
 * @param format {@code MOTCHALLENGE} (motflow manifest.json) or {@code GROUND_TRUTH} (a SageMaker
 *     Ground Truth video-tracking output.manifest)
 * @param trigger {@code S3} or {@code API}
 */
public record RunRequest(String dataset, String manifestBucket, String manifestKey, String manifestVersion,
                         String format, boolean hpo, String trigger, String requestedAt) {

    public static final String MOTCHALLENGE = "MOTCHALLENGE";
    public static final String GROUND_TRUTH = "GROUND_TRUTH";

    public String executionName() {
        return ExecutionNames.of(dataset, manifestVersion, hpo);
    }

    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }

    public static RunRequest fromJson(JsonNode node) {
        return Json.convert(node, RunRequest.class);
    }
}
