package dev.motflow.jobs.api;

import java.util.Map;

/** A client error: becomes a JSON {@code {"error": code, "message": ...}} response. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;
    final transient Map<String, String> headers;

    ApiError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    ApiError(int status, String code, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }

    static ApiError notFound(String jobId) {
        return new ApiError(404, "JobNotFound", "no job " + jobId);
    }
}
