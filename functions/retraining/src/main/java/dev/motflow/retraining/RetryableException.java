package dev.motflow.retraining;

/**
 * A failure that a later attempt can fix (throttling, a 5xx, a lost race). The state machine
 * retries Lambda errors of this type by name ({@code dev.motflow.retraining.RetryableException});
 * every other exception goes straight to the failure path.
 */
public class RetryableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RetryableException(String message, Throwable cause) {
        super(message, cause);
    }

    public RetryableException(String message) {
        super(message);
    }
}
