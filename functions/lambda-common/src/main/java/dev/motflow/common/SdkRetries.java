package dev.motflow.common;

import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * AWS SDK retry strategies with motflow's {@link Backoff}. The SDK's standard mode decides what is
 * retryable (throttling error codes and HTTP 429, HTTP 500/502/503/504, I/O errors, attempt
 * timeouts) and keeps its retry quota (a token bucket per client that stops retrying when most calls
 * fail, so an outage does not multiply the load); the waits are the Backoff's, for one jitter
 * source that stays random under SnapStart.
 */
public final class SdkRetries {
    private SdkRetries() {
    }

    /** Standard mode, at most {@code backoff.maxAttempts()} attempts per call, the backoff's waits. */
    public static StandardRetryStrategy standard(Backoff backoff) {
        return standard(backoff.maxAttempts(), backoff::delay);
    }

    /** Standard mode with these attempts and waits (tests record the waits through {@code delays}). */
    public static StandardRetryStrategy standard(int maxAttempts, BackoffStrategy delays) {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(maxAttempts)
                .backoffStrategy(delays)
                .throttlingBackoffStrategy(delays)
                .build();
    }

    /**
     * A per-request plugin that lowers the client's attempts for one call to {@code attempts}, keeping
     * its retry conditions and waits: for a call that must share a budget with an earlier one.
     */
    public static SdkPlugin atMost(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
        return config -> {
            RetryStrategy current = config.overrideConfiguration().retryStrategy().orElse(null);
            if (current == null) {
                config.overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(attempts)));
            } else {
                RetryStrategy fewer = current.toBuilder().maxAttempts(attempts).build();
                config.overrideConfiguration(c -> c.retryStrategy(fewer));
            }
        };
    }
}
