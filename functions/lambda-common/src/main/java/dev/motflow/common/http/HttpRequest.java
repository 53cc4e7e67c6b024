package dev.motflow.common.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request as motflow's APIs see it, whoever delivered it (API Gateway, the local API server):
 * method (upper case, never null), path without the stage, lower-case header names, query parameters
 * and the body bytes, already base64-decoded (empty when there was none), and the authenticated
 * {@link Caller} (null when the request context carried no identity).
 */
public record HttpRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                          byte[] body, Caller caller) {
    /** A request without an authenticated caller. */
    public HttpRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                       byte[] body) {
        this(method, path, headers, query, body, null);
    }

    public HttpRequest {
        method = method == null ? "" : method.toUpperCase(Locale.ROOT);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        query = query == null ? Map.of() : Map.copyOf(query);
        body = body == null ? new byte[0] : body;
    }

    /** This request as made by {@code who}. */
    public HttpRequest withCaller(Caller who) {
        return new HttpRequest(method, path, headers, query, body, who);
    }

    /** A header by name, any case; null when absent. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body as UTF-8 text (empty when there was none). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
