package dev.motflow.testsupport;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One request the SageMaker stub received: the operation (e.g. CreateProcessingJob,
 * InvokeEndpointAsync), its headers (lower-case names), raw body, parsed JSON body (an empty
 * object when the body is not JSON), the path, and the HTTP status the stub answered.
 */
public record RecordedCall(String operation, String path, Map<String, String> headers, String body, JsonNode json,
                           int status, String errorCode) {
    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public boolean succeeded() {
        return status < 300;
    }
}
