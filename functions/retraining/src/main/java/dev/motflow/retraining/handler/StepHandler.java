package dev.motflow.retraining.handler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.LogContext;
import dev.motflow.retraining.Json;

/** A workflow step: JSON in (the state's Payload), JSON out. Exceptions become the task's error. */
abstract class StepHandler implements RequestStreamHandler {
    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            JsonNode in = Json.MAPPER.readTree(input);
            // Every line of a step carries the workflow run it belongs to.
            LogContext.put("executionName", in == null ? null : Json.text(in, "executionName"));
            JsonNode out = handle(in == null ? Json.object() : in);
            Json.MAPPER.writeValue(output, out);
        }
    }

    abstract JsonNode handle(JsonNode input);

    static String executionName(JsonNode input) {
        String name = Json.text(input, "executionName");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("executionName is required");
        }
        return name;
    }
}
