package dev.motflow.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The key formats are the stored format of deployed data: these are the exact strings. */
class TableKeysTest {
    @Test
    void keyFormatsAreTheStoredOnes() {
        assertEquals("JOB#0123", TableKeys.jobPk("0123"));
        assertEquals("STATUS#RUNNING", TableKeys.statusPk("RUNNING"));
        assertEquals("2026-01-02T03:04:05.006Z#ab", TableKeys.statusSk("2026-01-02T03:04:05.006Z", "ab"));
        assertEquals("TRACK#00000012#0000000007", TableKeys.trackSk(12, 7));
        assertEquals("STREAM#cam-1", TableKeys.streamPk("cam-1"));
        assertEquals("MODEL#motflow-tracker", TableKeys.modelPk("motflow-tracker"));
        assertEquals("DATASET#cams", TableKeys.datasetPk("cams"));
        assertEquals("V#00000042", TableKeys.versionSk(42));
        assertEquals("RUN#exec-1", TableKeys.runSk("exec-1"));
        assertEquals("UNROUTABLE#2026-01-02", TableKeys.unroutablePk("2026-01-02"));
        assertEquals("sqs#m-1", TableKeys.unroutableSk("sqs", "m-1"));
    }

    @Test
    void trackRangeUpperBoundCoversEveryTrackStartingByThatFrame() {
        String high = TableKeys.trackSkUpTo(12);
        assertTrue(TableKeys.trackSk(12, Integer.MAX_VALUE).compareTo(high) < 0);
        assertTrue(TableKeys.trackSk(13, 0).compareTo(high) > 0);
        assertTrue(TableKeys.trackSk(99_999_999, Integer.MAX_VALUE).compareTo(TableKeys.trackSkUpTo(null)) < 0);
    }

    @Test
    void versionSortKeysRoundTripAndRejectOtherKeys() {
        assertEquals(42, TableKeys.versionOf(TableKeys.versionSk(42)));
        assertThrows(IllegalArgumentException.class, () -> TableKeys.versionOf("CURRENT"));
    }
}
