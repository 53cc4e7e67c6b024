package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ReconcilerConfigTest {
    @Test
    void defaultsAreTheDocumentedOnesAndNeverResubmitInAws() {
        ReconcilerConfig c = ReconcilerConfig.fromMap(Map.of());
        assertEquals(Duration.ofMinutes(2), c.awaitingUpload());
        assertEquals(Duration.ofMinutes(2), c.received());
        assertEquals(Duration.ofMinutes(3), c.starting());
        assertEquals(Duration.ofMinutes(5), c.running());
        assertEquals(Duration.ofHours(2), c.hardTimeout());
        assertNull(c.resubmitLost());
        assertEquals(500, c.maxJobs());
    }

    @Test
    void everyVariableIsReadAndBadValuesAreRefusedWithTheirName() {
        ReconcilerConfig c = ReconcilerConfig.fromMap(Map.of("RECONCILE_AWAITING_UPLOAD_SECONDS", "10",
                "RECONCILE_RECEIVED_SECONDS", "20", "RECONCILE_STARTING_SECONDS", "30", "RECONCILE_RUNNING_SECONDS", "40",
                "RECONCILE_HARD_TIMEOUT_MINUTES", "50", "RECONCILE_RESUBMIT_LOST_SECONDS", "60", "RECONCILE_MAX_JOBS", "7"));
        assertEquals(new ReconcilerConfig(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30),
                Duration.ofSeconds(40), Duration.ofMinutes(50), Duration.ofSeconds(60), 7), c);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReconcilerConfig.fromMap(Map.of("RECONCILE_RUNNING_SECONDS", "soon")));
        assertEquals("RECONCILE_RUNNING_SECONDS must be a whole number, got 'soon'", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ReconcilerConfig.fromMap(Map.of("RECONCILE_HARD_TIMEOUT_MINUTES", "1")), "shorter than the running deadline");
        assertThrows(IllegalArgumentException.class, () -> ReconcilerConfig.fromMap(Map.of("RECONCILE_MAX_JOBS", "0")));
    }
}
