package dev.motflow.testsupport;

/** Errors the SageMaker stub can answer with, as the real services name them per protocol. */
public enum Fault {
    THROTTLING(400, "ThrottlingException", "ThrottlingException", "Rate exceeded"),
    INTERNAL_ERROR(500, "InternalFailure", "InternalFailure", "An internal error occurred"),
    SERVICE_UNAVAILABLE(503, "ServiceUnavailable", "ServiceUnavailable", "Service is unavailable"),
    VALIDATION(400, "ValidationException", "ValidationError", "Injected validation error"),
    RESOURCE_LIMIT(400, "ResourceLimitExceeded", "ValidationError", "The account-level service limit was exceeded");

    final int status;
    /** Error code in the SageMaker control-plane protocol (awsJson1_1). */
    final String controlPlaneCode;
    /** Error code in the SageMaker Runtime protocol (restJson1). */
    final String runtimeCode;
    final String message;

    Fault(int status, String controlPlaneCode, String runtimeCode, String message) {
        this.status = status;
        this.controlPlaneCode = controlPlaneCode;
        this.runtimeCode = runtimeCode;
        this.message = message;
    }

    public boolean retryable() {
        return this == THROTTLING || this == INTERNAL_ERROR || this == SERVICE_UNAVAILABLE;
    }
}
