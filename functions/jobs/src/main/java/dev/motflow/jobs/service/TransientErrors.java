package dev.motflow.jobs.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Sorts a failed AWS call (S3, DynamoDB, SageMaker) inside a job into transient (retry it: the
 * same call may pass later) or permanent (retrying cannot change the answer: end the job with the
 * reason). Transient: the client never got an answer (connection refused or reset, timeouts,
 * {@link SdkClientException}, I/O), throttling (HTTP 429, the throttling error codes), HTTP 5xx,
 * and S3's {@code RequestTimeout}. Everything else a service answered (4xx: validation, access
 * denied, missing object) is permanent.
 */
public final class TransientErrors {
    private static final Set<String> TRANSIENT_CODES = Set.of("ThrottlingException", "Throttling", "SlowDown",
            "RequestLimitExceeded", "ProvisionedThroughputExceededException", "TooManyRequestsException",
            "InternalFailure", "InternalError", "InternalServerError", "ServiceUnavailable", "RequestTimeout",
            "RequestTimeoutException", "PriorRequestNotComplete");

    private TransientErrors() {
    }

    /** Whether {@code e} (or what caused it) is a failure that a later try of the same call may not meet. */
    public static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AwsServiceException ase) {
                String code = errorCode(ase); // null for an answer without a body (HEAD)
                return ase.isThrottlingException() || ase.statusCode() >= 500 || ase.statusCode() == 429
                        || code != null && TRANSIENT_CODES.contains(code);
            }
            if (t instanceof SdkClientException || t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    static String errorCode(AwsServiceException e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    /** A short description for a job's reason or {@code lastError}: the service's code and message, or the client's. */
    public static String describe(Throwable e) {
        if (e instanceof AwsServiceException ase && ase.awsErrorDetails() != null) {
            // A HEAD answer has no body: then only the status says what happened.
            String code = ase.awsErrorDetails().errorCode();
            String message = ase.awsErrorDetails().errorMessage();
            return (code == null ? "refused" : code) + " (HTTP " + ase.statusCode() + ")"
                    + (message == null ? "" : ": " + message);
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
