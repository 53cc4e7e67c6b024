package dev.motflow.jobs.api;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Which SDK failures are an outage of a backing service (the API's 503 + Retry-After) rather than
 * a bug or a misconfiguration (500): no answer (connection refused or reset, timeouts: the SDK's
 * client exceptions), throttling, and 5xx answers.
 */
final class Outages {
    /** What a 503 asks the client to wait, as the streams API does. */
    static final int RETRY_AFTER_SECONDS = 1;

    private Outages() {
    }

    static boolean isTransient(SdkException e) {
        return e instanceof SdkClientException
                || e instanceof SdkServiceException s && (s.isThrottlingException() || s.statusCode() >= 500);
    }
}
