package dev.motflow.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class AttrTest {
    @Test
    void scalarsRoundTripThroughAnItem() {
        Map<String, AttributeValue> item = Map.of("name", Attr.s("a"), "count", Attr.n(42L),
                "ratio", Attr.n(0.25), "done", Attr.bool(true), "off", Attr.bool(false));
        assertEquals("a", Attr.str(item, "name"));
        assertEquals(42, Attr.num(item, "count", -1));
        assertEquals("0.25", item.get("ratio").n());
        assertTrue(Attr.flag(item, "done"));
        assertFalse(Attr.flag(item, "off"));
    }

    @Test
    void missingItemsAndAttributesGiveTheFallbacks() {
        assertNull(Attr.str(null, "name"));
        assertNull(Attr.str(Map.of(), "name"));
        assertEquals(7, Attr.num(Map.of("name", Attr.s("x")), "count", 7));
        assertFalse(Attr.flag(null, "done"));
    }
}
