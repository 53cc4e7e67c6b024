package dev.motflow.retraining.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExecutionNamesTest {
    @Test
    void plainNamesStayReadable() {
        assertEquals("street-2026-11-24", ExecutionNames.of("street", "2026-11-24", false));
        assertEquals("street-v2-hpo", ExecutionNames.of("street", "v2", true));
    }

    @Test
    void sameInputSameNameDifferentInputDifferentName() {
        assertEquals(ExecutionNames.of("a.b", "1.0", false), ExecutionNames.of("a.b", "1.0", false));
        // both sanitise to a_b-1_0: the hash suffix keeps them apart
        assertNotEquals(ExecutionNames.of("a.b", "1.0", false), ExecutionNames.of("a_b", "1_0", false));
        assertNotEquals(ExecutionNames.of("a.b", "1.0", false), ExecutionNames.of("a.b", "1.0", true));
    }

    @Test
    void namesFitStepFunctionsRules() {
        String longName = ExecutionNames.of("d".repeat(63), "v".repeat(40), true);
        assertEquals(80, longName.length());
        assertTrue(longName.matches("[0-9A-Za-z_-]{1,80}"), longName);
        String odd = ExecutionNames.of("straße cams", "v1 (final)", false);
        assertTrue(odd.matches("[0-9A-Za-z_-]{1,80}"), odd);
        assertTrue(odd.startsWith("stra_e_cams-v1__final_-"), odd);
    }
}
