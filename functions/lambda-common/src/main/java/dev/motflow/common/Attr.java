package dev.motflow.common;

import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** DynamoDB attribute shorthands: building scalar values and reading them back from an item. */
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

    /** A string attribute, or null when the item or the attribute is missing. */
    public static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item == null ? null : item.get(name);
        return v == null ? null : v.s();
    }

    /** A number attribute as a long, or the fallback when the item or the attribute is missing. */
    public static long num(Map<String, AttributeValue> item, String name, long fallback) {
        AttributeValue v = item == null ? null : item.get(name);
        return v == null || v.n() == null ? fallback : Long.parseLong(v.n());
    }

    /** True only for a boolean attribute that is true. */
    public static boolean flag(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item == null ? null : item.get(name);
        return v != null && Boolean.TRUE.equals(v.bool());
    }
}
