package dev.motflow.jobs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void ceilingDoublesUpToTheCapAndDelaysAreJittered() {
        Backoff b = Backoff.of(6, Duration.ofMillis(100), Duration.ofSeconds(1));
        assertEquals(Duration.ofMillis(100), b.ceiling(1));
        assertEquals(Duration.ofMillis(400), b.ceiling(3));
        assertEquals(Duration.ofSeconds(1), b.ceiling(10));
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Duration d = b.delay(3);
            assertTrue(!d.isNegative() && d.compareTo(Duration.ofMillis(400)) <= 0);
            seen.add(d.toNanos());
        }
        assertTrue(seen.size() > 40, "full jitter spreads delays");
    }
}
