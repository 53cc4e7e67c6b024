package dev.motflow.jobs.store;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with full jitter: before retry {@code n} (1-based) wait a uniform
 * random time in [0, min(cap, base * 2^(n-1))]. Full jitter spreads retries of many workers that
 * failed together, which is what throttling needs.
 */
public record Backoff(int maxAttempts, Duration base, Duration cap, Sleeper sleeper) {

    /** Waits; tests may substitute a recorder. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public static final Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

    public Backoff {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
    }

    public static Backoff of(int maxAttempts, Duration base, Duration cap) {
        return new Backoff(maxAttempts, base, cap, THREAD_SLEEP);
    }

    /** The upper bound of the wait before retry {@code retry} (1-based). */
    public Duration ceiling(int retry) {
        long baseNanos = base.toNanos();
        int shift = Math.min(retry - 1, 30);
        long exp = baseNanos > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : baseNanos << shift;
        return Duration.ofNanos(Math.min(cap.toNanos(), exp));
    }

    /** A jittered delay for retry {@code retry}. */
    public Duration delay(int retry) {
        long ceil = ceiling(retry).toNanos();
        return Duration.ofNanos(ceil <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceil + 1));
    }

    /** Sleeps the jittered delay before retry {@code retry}; keeps the interrupt flag. */
    public void pause(int retry) {
        try {
            sleeper.sleep(delay(retry));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}
