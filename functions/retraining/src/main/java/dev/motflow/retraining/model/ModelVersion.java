package dev.motflow.retraining.model;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A model version ({@code pk=MODEL#<name>}, {@code sk=V#<version>}): the trained artifact, its status
 * and its scores per validation set (docs/data-model.md "Retraining items").
 *
 * @param metrics validationSetId -> scores (py-motmetrics names, HOTA parts, per-sequence scores)
 * @param updatedAt the last status change, null before one
 */
public record ModelVersion(String model, long version, String artifactS3Uri, long datasetVersion, Status status,
                           Map<String, JsonNode> metrics, String executionName, Instant createdAt, Instant updatedAt) {
    public ModelVersion {
        metrics = Map.copyOf(metrics);
    }

    /** CANDIDATE -> APPROVED | REJECTED (gate) -> DEPLOYED (promotion); the replaced version DEPLOYED -> APPROVED. */
    public enum Status {
        CANDIDATE, APPROVED, REJECTED, DEPLOYED
    }
}
