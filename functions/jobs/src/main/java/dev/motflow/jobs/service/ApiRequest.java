package dev.motflow.jobs.service;

import java.util.Map;

/**
 * An HTTP request as the API sees it: method, path, lower-case headers, query parameters and the
 * body (already base64-decoded; {@code bodyBytes} is its size as received).
 */
public record ApiRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                         String body, long bodyBytes) {
    public ApiRequest {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        query = query == null ? Map.of() : Map.copyOf(query);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
