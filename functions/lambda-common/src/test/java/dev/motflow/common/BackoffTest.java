package dev.motflow.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void ceilingDoublesFromTheBaseUpToTheCap() {
        Backoff b = Backoff.of(6, Duration.ofMillis(5), Duration.ofMillis(30));
        assertEquals(Duration.ofMillis(5), b.ceiling(1));
        assertEquals(Duration.ofMillis(10), b.ceiling(2));
        assertEquals(Duration.ofMillis(20), b.ceiling(3));
        assertEquals(Duration.ofMillis(30), b.ceiling(4));
        assertEquals(Duration.ofMillis(30), b.ceiling(10_000), "no overflow for a retry far past the cap");
    }

    @Test
    void everyDelayIsWithinZeroAndTheCeilingAndTheyAreSpreadOverIt() {
        Backoff b = Backoff.of(6, Duration.ofMillis(100), Duration.ofSeconds(1));
        for (int retry = 1; retry <= 8; retry++) {
            Duration ceiling = b.ceiling(retry);
            Set<Long> seen = new HashSet<>();
            double sum = 0;
            int n = 2000;
            for (int i = 0; i < n; i++) {
                Duration d = b.delay(retry);
                assertTrue(!d.isNegative() && d.compareTo(ceiling) <= 0, d + " outside [0, " + ceiling + "]");
                seen.add(d.toNanos());
                sum += d.toNanos();
            }
            double meanShare = sum / n / ceiling.toNanos();
            // Full jitter: uniform over [0, ceiling], mean half of it (2000 draws: sd of the mean ~0.006).
            assertTrue(meanShare > 0.45 && meanShare < 0.55, "mean " + meanShare + " of the ceiling at retry " + retry);
            assertTrue(seen.size() > 1900, "distinct waits: " + seen.size());
        }
    }

    @Test
    void aZeroBaseNeverWaits() {
        Backoff b = Backoff.of(3, Duration.ZERO, Duration.ofSeconds(1));
        assertEquals(Duration.ZERO, b.delay(1));
        assertEquals(Duration.ZERO, b.delay(5));
    }

    @Test
    void pauseHandsTheJitteredWaitToTheSleeper() {
        List<Duration> waits = new ArrayList<>();
        Backoff b = new Backoff(5, Duration.ofMillis(5), Duration.ofMillis(30), waits::add);
        for (int i = 0; i < 200; i++) {
            b.pause(3);
        }
        assertEquals(200, waits.size());
        assertTrue(waits.stream().allMatch(d -> !d.isNegative() && d.compareTo(Duration.ofMillis(20)) <= 0));
        assertTrue(waits.stream().distinct().count() > 150, "jittered");
    }

    @Test
    void anInterruptedPauseFailsAndKeepsTheFlag() {
        Backoff b = new Backoff(2, Duration.ofMillis(1), Duration.ofMillis(1), d -> {
            throw new InterruptedException("stop");
        });
        try {
            assertThrows(IllegalStateException.class, () -> b.pause(1));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void badSettingsAreRefusedWithTheReason() {
        IllegalArgumentException attempts = assertThrows(IllegalArgumentException.class,
                () -> Backoff.of(0, Duration.ofMillis(1), Duration.ofMillis(1)));
        assertTrue(attempts.getMessage().contains("maxAttempts"));
        assertThrows(IllegalArgumentException.class, () -> Backoff.of(1, Duration.ofMillis(-1), Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> Backoff.of(1, Duration.ofMillis(1), Duration.ofMillis(1)).ceiling(0));
    }
}
