package dev.motflow.streams.service;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Bounded retries of a lost conditional write: before retry {@code n} (1-based) wait a uniform
 * random time in [0, min(cap, base * 2^(n-1))] (full jitter, so writers that collided spread out).
 * The random source is made per request from the clock's nanoseconds and the thread, never at
 * init: under SnapStart every restored copy of an init-time generator would draw the same "jitter".
 */
public record ConflictBackoff(int maxAttempts, Duration base, Duration cap, Sleeper sleeper) {

    /** Waits; tests may substitute a recorder. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public static final Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

    public ConflictBackoff {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
        if (base.isNegative() || cap.isNegative()) {
            throw new IllegalArgumentException("delays must be >= 0");
        }
    }

    /** 10 attempts, 5 ms doubling to at most 200 ms: about a second at worst, well inside the API's 30 s. */
    public static ConflictBackoff defaults() {
        return new ConflictBackoff(10, Duration.ofMillis(5), Duration.ofMillis(200), THREAD_SLEEP);
    }

    /** A jitter source for one request. */
    public static SplittableRandom newJitter() {
        return new SplittableRandom(System.nanoTime() ^ (Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L));
    }

    /** The upper bound of the wait before retry {@code retry} (1-based). */
    public Duration ceiling(int retry) {
        long baseNanos = base.toNanos();
        int shift = Math.min(retry - 1, 30);
        long exp = baseNanos > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : baseNanos << shift;
        return Duration.ofNanos(Math.min(cap.toNanos(), exp));
    }

    /** Sleeps a jittered delay before retry {@code retry}; keeps the interrupt flag. */
    public void pause(int retry, SplittableRandom jitter) {
        long ceil = ceiling(retry).toNanos();
        Duration d = Duration.ofNanos(ceil <= 0 ? 0 : jitter.nextLong(ceil + 1));
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}
