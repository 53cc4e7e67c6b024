package dev.motflow.jobs.store;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Short constructors for attribute values. */
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
}
