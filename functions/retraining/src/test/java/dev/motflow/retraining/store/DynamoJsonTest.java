package dev.motflow.retraining.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.retraining.Json;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class DynamoJsonTest {
    @Test
    void jsonDocumentsRoundTrip() {
        JsonNode doc = Json.parse("{\"hota\":0.5,\"frames\":600,\"ok\":true,\"none\":null,"
                + "\"seqs\":[\"MOT17-02\",{\"n\":1}],\"name\":\"v2\"}");
        AttributeValue v = DynamoJson.fromJson(doc);
        assertTrue(v.hasM());
        assertEquals("600", v.m().get("frames").n());
        assertTrue(v.m().get("none").nul());
        assertEquals(doc.toString(), DynamoJson.toJson(v).toString());
    }

    @Test
    void objectsAndStringSetsConvert() {
        record Split(String name, List<String> sequences) {
        }
        AttributeValue v = DynamoJson.fromObject(new Split("train", List.of("a", "b")));
        assertEquals("train", v.m().get("name").s());
        assertEquals("b", v.m().get("sequences").l().get(1).s());
        assertEquals("[\"x\",\"y\"]", DynamoJson.toJson(AttributeValue.fromSs(List.of("x", "y"))).toString());
        assertTrue(DynamoJson.toJson(null).isNull());
    }
}
