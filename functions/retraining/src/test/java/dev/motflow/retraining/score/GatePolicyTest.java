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
    void firstModelIsPromotedOnlyAboveTheQualityFloor() {
        GatePolicy.Decision good = policy.decide(scores(0.45, 0.50, 0.40), null);
        assertTrue(good.promote(), good.reason());
        assertTrue(good.reason().startsWith("no production model yet; the candidate reaches the quality floor"), good.reason());
        // the demo's first model before the floor existed: promoted with MOTA -0.31 because production was empty
        GatePolicy.Decision bad = policy.decide(scores(-0.31, 0.12, 0.10), null);
        assertFalse(bad.promote());
        assertEquals("below the quality floor: HOTA 0.1000 < 0.3000 (GATE_MIN_HOTA), IDF1 0.1200 < 0.3000 (GATE_MIN_IDF1),"
                + " MOTA -0.3100 < 0.0000 (GATE_MIN_MOTA)", bad.reason());
        assertFalse(policy.decide(Json.object().put("mota", 0.5).putNull("idf1").put("hota", 0.5), null).promote());
    }

    @Test
    void theFloorAppliesAlsoWhenTheCandidateBeatsProduction() {
        // a much better candidate than a very poor production model is still not good enough
        GatePolicy.Decision d = policy.decide(scores(0.30, 0.35, 0.25), scores(0.10, 0.10, 0.10));
        assertFalse(d.promote());
        assertEquals("below the quality floor: HOTA 0.2500 < 0.3000 (GATE_MIN_HOTA)", d.reason());
    }

    @Test
    void aConfiguredFloorReplacesTheDefaults() {
        GatePolicy demo = new GatePolicy(0.01, 0.005, new QualityFloor(0.2, 0.2, -1));
        assertTrue(demo.decide(scores(0.12, 0.45, 0.42), null).promote(), "the demo's synthetic run passes its floor");
        assertFalse(demo.decide(scores(0.12, 0.45, 0.19), null).promote());
        GatePolicy off = new GatePolicy(0.01, 0.005, new QualityFloor(0, 0, Double.NEGATIVE_INFINITY));
        assertTrue(off.decide(scores(-5, 0, 0), null).promote(), "floors of 0 / -inf switch the check off");
    }

    @Test
    void floorsOutsideTheirRangeAreRefusedWithTheSettingsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new QualityFloor(30, 0.3, 0));
        assertTrue(e.getMessage().startsWith("GATE_MIN_HOTA must be a number in [0.0, 1.0]"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new QualityFloor(0.3, -0.1, 0))
                .getMessage().startsWith("GATE_MIN_IDF1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new QualityFloor(0.3, 0.3, Double.NaN))
                .getMessage().startsWith("GATE_MIN_MOTA"));
    }

    @Test
    void marginsMustBeNonNegative() {
        assertThrows(IllegalArgumentException.class, () -> new GatePolicy(-0.1, 0));
    }
}
