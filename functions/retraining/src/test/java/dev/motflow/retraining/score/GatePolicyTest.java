package dev.motflow.retraining.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.retraining.Json;

class GatePolicyTest {
    private final GatePolicy policy = new GatePolicy(0.01, 0.005);

    private static ObjectNode scores(double mota, double idf1, double hota) {
        return Json.object().put("mota", mota).put("idf1", idf1).put("hota", hota);
    }

    @Test
    void promotesWhenIdf1OrHotaImprovesByTheMarginAndMotaHolds() {
        assertTrue(policy.decide(scores(0.60, 0.62, 0.50), scores(0.60, 0.60, 0.50)).promote(), "IDF1 +0.02");
        assertTrue(policy.decide(scores(0.597, 0.60, 0.515), scores(0.60, 0.60, 0.50)).promote(), "HOTA +0.015, MOTA -0.003");
        GatePolicy.Decision d = policy.decide(scores(0.60, 0.62, 0.50), scores(0.60, 0.60, 0.50));
        assertEquals(0.02, d.deltas().path("idf1").asDouble(), 1e-12);
    }

    @Test
    void rejectsSmallGainsAndMotaDrops() {
        GatePolicy.Decision small = policy.decide(scores(0.60, 0.605, 0.505), scores(0.60, 0.60, 0.50));
        assertFalse(small.promote());
        assertTrue(small.reason().startsWith("neither IDF1 nor HOTA"), small.reason());
        GatePolicy.Decision motaDown = policy.decide(scores(0.59, 0.65, 0.55), scores(0.60, 0.60, 0.50));
        assertFalse(motaDown.promote());
        assertTrue(motaDown.reason().startsWith("MOTA fell"), motaDown.reason());
    }

    @Test
    void firstModelIsPromotedUnlessItsScoresAreUndefined() {
        assertTrue(policy.decide(scores(0.1, 0.1, 0.1), null).promote());
        assertFalse(policy.decide(Json.object().put("mota", 0.5).putNull("idf1").put("hota", 0.5), null).promote());
    }

    @Test
    void marginsMustBeNonNegative() {
        assertThrows(IllegalArgumentException.class, () -> new GatePolicy(-0.1, 0));
    }
}
