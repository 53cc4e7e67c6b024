package dev.motflow.jobs.service;

import java.time.Duration;
import java.util.function.Supplier;

import dev.motflow.common.Backoff;
import dev.motflow.common.JsonLog;

/**
 * The retry of one step of a running job (read the object or the result, write the tracks, record
 * the outcome) inside the invocation: a transient failure ({@link TransientErrors}) is tried again
 * after a capped, jittered wait, a few times; a permanent one, or the last transient one, is thrown
 * to the service, which ends the job with the reason (permanent) or leaves it in its state with
 * {@code lastError} for the queue's redelivery and the reconciler (transient). Each call also has
 * its client's own SDK retries (JobsRuntime): this loop rides over an outage of a few seconds that
 * the SDK's quick attempts do not.
 */
public final class InJobRetry {
    /** 4 tries, full jitter from 250 ms doubling to at most 4 s: at most 1.75 s of waiting at worst. */
    public static final Backoff DEFAULT = Backoff.of(4, Duration.ofMillis(250), Duration.ofSeconds(4));
    private static final JsonLog LOG = JsonLog.get(InJobRetry.class);

    private final Backoff backoff;

    public InJobRetry(Backoff backoff) {
        this.backoff = backoff;
    }

    public Backoff backoff() {
        return backoff;
    }

    /** Runs {@code step}; {@code what} names it in the log ("reading the result s3://..."). */
    public <T> T call(String jobId, String what, Supplier<T> step) {
        for (int attempt = 1; ; attempt++) {
            try {
                return step.get();
            } catch (RuntimeException e) {
                if (!TransientErrors.isTransient(e) || attempt >= backoff.maxAttempts()) {
                    throw e;
                }
                LOG.warn(what + " failed; retrying", "jobId", jobId, "attempt", attempt,
                        "error", TransientErrors.describe(e));
                backoff.pause(attempt);
            }
        }
    }

    /** {@link #call} for a step without a value. */
    public void run(String jobId, String what, Runnable step) {
        call(jobId, what, () -> {
            step.run();
            return null;
        });
    }
}
