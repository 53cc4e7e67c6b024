package dev.motflow.retraining;

import java.util.Locale;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.retraining.trigger.ExecutionNames;

/**
 * The SageMaker names and S3 locations of one run, derived from its execution name so that a
 * retried step reuses them. SageMaker names: 1-63 characters of {@code [a-zA-Z0-9-]} (tuning jobs
 * at most 32).
 */
public record RunResources(String executionName, String dataset, String artifactsBucket) {

    /** Where training jobs keep their spot-restart checkpoints, one folder per run. */
    public static final String CHECKPOINTS_PREFIX = "checkpoints/";

    private String suffix() {
        String slug = dataset.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 20) {
            slug = slug.substring(0, 20).replaceAll("-+$", "");
        }
        String hash = ExecutionNames.sha256Hex(executionName).substring(0, 10);
        return slug.isEmpty() ? hash : slug + "-" + hash;
    }

    private String hash() {
        return ExecutionNames.sha256Hex(executionName).substring(0, 10);
    }

    public String prefix() {
        return "retraining/" + executionName + "/";
    }

    public String uri(String relative) {
        return "s3://" + artifactsBucket + "/" + prefix() + relative;
    }

    public ObjectNode jobs() {
        ObjectNode n = Json.object();
        n.put("training", "motflow-train-" + suffix());
        n.put("tuning", "motflow-hpo-" + hash());
        n.put("evaluation", "motflow-eval-c-" + suffix());
        n.put("productionEvaluation", "motflow-eval-p-" + suffix());
        n.put("model", "motflow-model-" + suffix());
        n.put("endpointConfig", "motflow-epc-" + suffix());
        return n;
    }

    public ObjectNode paths() {
        ObjectNode n = Json.object();
        n.put("output", uri("model/"));
        // Top level, not under prefix(): S3 lifecycle rules filter by a literal prefix, so only here
        // can the artifacts bucket's ExpireCheckpoints rule reach every run's checkpoints.
        n.put("checkpoint", "s3://" + artifactsBucket + "/" + CHECKPOINTS_PREFIX + executionName + "/");
        n.put("candidateResults", uri("eval/candidate/"));
        n.put("productionResults", uri("eval/production/"));
        return n;
    }
}
