package dev.motflow.local;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.motflow.common.Backoff;
import dev.motflow.jobs.service.TransientErrors;

/**
 * The local SageMaker's own retry of a step of its work (reading an input from S3, calling the model
 * server, writing an output): a managed service rides over a short outage of S3 or a restart of a
 * container instead of failing the request. Transient is what {@link TransientErrors} says (no
 * answer, throttling, 5xx; a model server that dropped the connection counts: it is restarted on the
 * next call); anything else fails the work at once.
 */
final class LocalRetry {
    /** 6 tries, full jitter from 500 ms doubling to at most 8 s: rides over a restart of s3rver or the model server. */
    static final Backoff BACKOFF = Backoff.of(6, Duration.ofMillis(500), Duration.ofSeconds(8));

    private LocalRetry() {
    }

    static <T> T call(String what, Consumer<String> log, Supplier<T> step) {
        for (int attempt = 1; ; attempt++) {
            try {
                return step.get();
            } catch (RuntimeException e) {
                if (!TransientErrors.isTransient(e) || attempt >= BACKOFF.maxAttempts()) {
                    throw e;
                }
                log.accept(what + " failed (" + TransientErrors.describe(e) + "); retry " + attempt + " of "
                        + (BACKOFF.maxAttempts() - 1));
                BACKOFF.pause(attempt);
            }
        }
    }

    static void run(String what, Consumer<String> log, Runnable step) {
        call(what, log, () -> {
            step.run();
            return null;
        });
    }
}
