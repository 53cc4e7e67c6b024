package dev.motflow.retraining.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.retraining.Json;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** AttributeValue shorthands and the JSON <-> DynamoDB document mapping used for nested fields. */
public final class Attr {
    private Attr() {
    }

    public static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    public static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    public static AttributeValue n(double v) {
        return AttributeValue.fromN(Double.toString(v));
    }

    public static AttributeValue bool(boolean v) {
        return AttributeValue.fromBool(v);
    }

    public static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item == null ? null : item.get(name);
        return v == null ? null : v.s();
    }

    public static long num(Map<String, AttributeValue> item, String name, long fallback) {
        AttributeValue v = item == null ? null : item.get(name);
        return v == null || v.n() == null ? fallback : Long.parseLong(v.n());
    }

    public static boolean flag(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item == null ? null : item.get(name);
        return v != null && Boolean.TRUE.equals(v.bool());
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
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return AttributeValue.fromS(node.asText());
    }

    public static AttributeValue fromObject(Object value) {
        return fromJson(Json.MAPPER.valueToTree(value));
    }

    /** A DynamoDB document value as JSON. */
    public static JsonNode toJson(AttributeValue v) {
        if (v == null || Boolean.TRUE.equals(v.nul())) {
            return Json.MAPPER.nullNode();
        }
        if (v.s() != null) {
            return Json.MAPPER.getNodeFactory().textNode(v.s());
        }
        if (v.n() != null) {
            String n = v.n();
            if (n.contains(".") || n.contains("e") || n.contains("E")) {
                return Json.MAPPER.getNodeFactory().numberNode(Double.parseDouble(n));
            }
            return Json.MAPPER.getNodeFactory().numberNode(Long.parseLong(n));
        }
        if (v.bool() != null) {
            return Json.MAPPER.getNodeFactory().booleanNode(v.bool());
        }
        if (v.hasM()) {
            ObjectNode o = Json.object();
            v.m().forEach((k, x) -> o.set(k, toJson(x)));
            return o;
        }
        if (v.hasL()) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            v.l().forEach(x -> a.add(toJson(x)));
            return a;
        }
        if (v.hasSs()) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            v.ss().forEach(a::add);
            return a;
        }
        return Json.MAPPER.nullNode();
    }
}
