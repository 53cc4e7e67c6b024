package dev.motflow.common;

import java.security.SecureRandom;
import java.time.Duration;

/**
 * Capped exponential backoff with full jitter, the one retry wait of every motflow Lambda: before
 * retry {@code n} (1-based) wait a uniform random time in [0, min(cap, base * 2^(n-1))]. Full jitter
 * spreads the retries of workers that failed together (throttling, lost conditional writes).
 *
 * <p>SnapStart: the jitter is drawn per call from a new {@link SecureRandom}, which reads the
 * operating system's entropy at the draw. A generator made at init would be copied into every
 * environment restored from the snapshot, and they would all wait the same "random" times; that
 * includes {@code ThreadLocalRandom}, whose seeds derive from a static seeder fixed at init.
 * A retry wait is milliseconds at least, so the draw's cost does not matter.
 *
 * <p>Code that retries by hand calls {@link #pause}; the AWS SDK clients use the same delays through
 * {@link SdkRetries}.
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
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        if (base == null || cap == null || base.isNegative() || cap.isNegative()) {
            throw new IllegalArgumentException("base and cap must be durations >= 0, got " + base + " and " + cap);
        }
        if (sleeper == null) {
            throw new IllegalArgumentException("sleeper is required (Backoff.THREAD_SLEEP sleeps the thread)");
        }
        cap.toNanos(); // fails now, not at the first retry, for a cap beyond 292 years
    }

    public static Backoff of(int maxAttempts, Duration base, Duration cap) {
        return new Backoff(maxAttempts, base, cap, THREAD_SLEEP);
    }

    /** The upper bound of the wait before retry {@code retry} (1-based). */
    public Duration ceiling(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry is 1-based, got " + retry);
        }
        long baseNanos = base.toNanos();
        int shift = Math.min(retry - 1, 62);
        long exp = baseNanos > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : baseNanos << shift;
        return Duration.ofNanos(Math.min(cap.toNanos(), exp));
    }

    /** A jittered wait before retry {@code retry}: uniform in [0, {@link #ceiling}]. */
    public Duration delay(int retry) {
        long ceil = ceiling(retry).toNanos();
        if (ceil <= 0) {
            return Duration.ZERO;
        }
        SecureRandom jitter = new SecureRandom();
        return Duration.ofNanos(ceil == Long.MAX_VALUE ? jitter.nextLong() & Long.MAX_VALUE : jitter.nextLong(ceil + 1));
    }

    /** Sleeps the jittered wait before retry {@code retry}; keeps the interrupt flag. */
    public void pause(int retry) {
        try {
            sleeper.sleep(delay(retry));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}
