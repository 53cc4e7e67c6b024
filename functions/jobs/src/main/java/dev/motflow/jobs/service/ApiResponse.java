package dev.motflow.jobs.service;

import java.util.Map;

/** An HTTP response: status, headers and a JSON body. */
public record ApiResponse(int status, Map<String, String> headers, String body) {
    public ApiResponse {
        headers = Map.copyOf(headers);
    }
}
