package dev.motflow.retraining.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.retraining.Json;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The JSON <-> DynamoDB document mapping used for nested fields (reports, scores, requests). */
public final class DynamoJson {
    private static final JsonNodeFactory NODES = Json.MAPPER.getNodeFactory();

    private DynamoJson() {
    }

    /** A JSON value as a DynamoDB document value (objects become maps, arrays lists, null NULL). */
    public static AttributeValue fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return AttributeValue.fromNul(true);
        }
        if (node.isObject()) {
            Map<String, AttributeValue> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), fromJson(e.getValue()));
            }
            return AttributeValue.fromM(m);
        }
        if (node.isArray()) {
            List<AttributeValue> l = new ArrayList<>();
            node.forEach(v -> l.add(fromJson(v)));
            return AttributeValue.fromL(l);
        }
        if (node.isBoolean()) {
            return AttributeValue.fromBool(node.booleanValue());
        }
        if (node.isNumber()) {
            return AttributeValue.fromN(node.asText());
        }
        if (node.isBinary()) {
            try {
                return AttributeValue.fromB(SdkBytes.fromByteArray(node.binaryValue()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return AttributeValue.fromS(node.asText());
    }

    /** Any Jackson-serialisable value (a record, a map) as a DynamoDB document value. */
    public static AttributeValue fromObject(Object value) {
        return fromJson(Json.MAPPER.valueToTree(value));
    }

    /** A DynamoDB document value as JSON (whole numbers become longs, others doubles). */
    public static JsonNode toJson(AttributeValue v) {
        if (v == null || Boolean.TRUE.equals(v.nul())) {
            return NODES.nullNode();
        }
        if (v.s() != null) {
            return NODES.textNode(v.s());
        }
        if (v.n() != null) {
            String n = v.n();
            if (n.contains(".") || n.contains("e") || n.contains("E")) {
                return NODES.numberNode(Double.parseDouble(n));
            }
            return NODES.numberNode(Long.parseLong(n));
        }
        if (v.bool() != null) {
            return NODES.booleanNode(v.bool());
        }
        if (v.hasM()) {
            ObjectNode o = NODES.objectNode();
            v.m().forEach((k, x) -> o.set(k, toJson(x)));
            return o;
        }
        if (v.hasL()) {
            ArrayNode a = NODES.arrayNode();
            v.l().forEach(x -> a.add(toJson(x)));
            return a;
        }
        if (v.hasSs()) {
            ArrayNode a = NODES.arrayNode();
            v.ss().forEach(a::add);
            return a;
        }
        return NODES.nullNode();
    }
}
