package dev.motflow.streams.api;

import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request as the stream API sees it: method, path (without stage), lower-case headers,
 * query parameters and the raw body bytes (already base64-decoded).
 */
public record HttpRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                          byte[] body) {
    public HttpRequest {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        query = query == null ? Map.of() : Map.copyOf(query);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
