package dev.motflow.streams.service;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that cannot be answered with tracks: the HTTP status, a stable error code for clients
 * ({@code StaleFrame}, {@code ModelUnavailable}, ...), a message for people, and extra fields the
 * JSON error body carries (e.g. {@code lastFrame}).
 */
public final class StreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient Map<String, Object> details;
    private final int retryAfterSeconds;

    public StreamException(int status, String code, String message) {
        this(status, code, message, Map.of(), 0, null);
    }

    public StreamException(int status, String code, String message, Map<String, Object> details, int retryAfterSeconds,
                           Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.details = new LinkedHashMap<>(details);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static StreamException badRequest(String code, String message) {
        return new StreamException(400, code, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    /** Seconds for a {@code Retry-After} header, 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
