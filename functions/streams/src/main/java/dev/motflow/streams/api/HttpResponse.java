package dev.motflow.streams.api;

import java.util.Map;

/** An HTTP response: status, headers and a JSON (or empty) body. */
public record HttpResponse(int status, Map<String, String> headers, String body) {
    public HttpResponse {
        headers = Map.copyOf(headers);
    }
}
