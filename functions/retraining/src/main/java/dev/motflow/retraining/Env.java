package dev.motflow.retraining;

import java.util.Map;

/** Reads the Lambda's configuration (docs/handlers.md lists every variable). */
public final class Env {
    private final Map<String, String> vars;

    public Env(Map<String, String> vars) {
        this.vars = vars;
    }

    public static Env system() {
        return new Env(System.getenv());
    }

    public String required(String name) {
        String v = vars.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return v;
    }

    public String optional(String name, String fallback) {
        String v = vars.get(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    public double decimal(String name, double fallback) {
        String v = vars.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " must be a number, got '" + v + "'");
        }
    }

    public long integer(String name, long fallback) {
        String v = vars.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " must be a whole number, got '" + v + "'");
        }
    }
}
