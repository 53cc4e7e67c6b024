package dev.motflow.retraining.trigger;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The optional fields of a {@code POST /retraining} body besides {@code dataset},
 * {@code manifestKey} and {@code hpo}: {@code "coldStart": true|false} and
 * {@code "importModel": {"s3Uri": "s3://...", "force": true|false}}.
 */
public record RequestOptions(Boolean coldStart, String importS3Uri, boolean force) {

    public boolean isImport() {
        return importS3Uri != null;
    }

    /** @throws IllegalArgumentException naming the field that is wrong */
    public static RequestOptions fromBody(JsonNode body) {
        JsonNode cold = body.get("coldStart");
        if (cold != null && !cold.isNull() && !cold.isBoolean()) {
            throw new IllegalArgumentException("coldStart must be true or false");
        }
        JsonNode model = body.get("importModel");
        if (model == null || model.isNull()) {
            return new RequestOptions(cold == null || cold.isNull() ? null : cold.booleanValue(), null, false);
        }
        if (!model.isObject() || !model.path("s3Uri").isTextual()) {
            throw new IllegalArgumentException("importModel must be {\"s3Uri\": \"s3://.../model.tar.gz\", \"force\": false}");
        }
        JsonNode force = model.get("force");
        if (force != null && !force.isNull() && !force.isBoolean()) {
            throw new IllegalArgumentException("importModel.force must be true or false");
        }
        if (cold != null && !cold.isNull()) {
            throw new IllegalArgumentException("coldStart does not apply to a model import (nothing is trained)");
        }
        if (body.path("hpo").asBoolean(false)) {
            throw new IllegalArgumentException("hpo does not apply to a model import (nothing is trained)");
        }
        return new RequestOptions(null, model.get("s3Uri").asText(), force != null && force.asBoolean(false));
    }
}
