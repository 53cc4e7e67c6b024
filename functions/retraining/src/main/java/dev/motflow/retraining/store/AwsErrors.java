package dev.motflow.retraining.store;

import dev.motflow.retraining.RetryableException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Sorts SDK failures into "try again later" and "will not work". */
public final class AwsErrors {
    private AwsErrors() {
    }

    public static boolean transientFailure(SdkException e) {
        if (e instanceof SdkClientException) {
            return true; // network, timeouts: the request may not have arrived
        }
        if (e instanceof AwsServiceException ase) {
            return ase.isThrottlingException() || ase.statusCode() >= 500
                    || "ProvisionedThroughputExceededException".equals(ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode())
                    || "RequestLimitExceeded".equals(ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode());
        }
        return e.retryable();
    }

    /** Rethrows a transient failure as {@link RetryableException} (so the workflow retries it), others as they are. */
    public static RuntimeException classify(String what, SdkException e) {
        return transientFailure(e) ? new RetryableException(what + ": " + e.getMessage(), e) : e;
    }
}
