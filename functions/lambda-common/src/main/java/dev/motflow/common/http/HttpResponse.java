package dev.motflow.common.http;

import java.util.Map;

/** An HTTP response: status, headers and a text body (JSON, or empty). */
public record HttpResponse(int status, Map<String, String> headers, String body) {
    public HttpResponse {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        body = body == null ? "" : body;
    }
}
