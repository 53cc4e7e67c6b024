package dev.motflow.retraining.trigger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic Step Functions execution names: the same dataset and manifest version always give
 * the same name, so a duplicate event can never start a second execution (StartExecution answers
 * ExecutionAlreadyExists). Names are at most 80 characters of {@code [0-9A-Za-z_-]}.
 */
public final class ExecutionNames {
    public static final int MAX_LENGTH = 80;

    private ExecutionNames() {
    }

    public static String of(String dataset, String manifestVersion, boolean hpo) {
        return of(dataset + "-" + manifestVersion + (hpo ? "-hpo" : ""));
    }

    /** {@code raw} as an execution name: itself when it is one already, else sanitised and hashed. */
    public static String of(String raw) {
        String clean = sanitise(raw);
        if (clean.equals(raw) && clean.length() <= MAX_LENGTH) {
            return clean;
        }
        // Something was replaced or cut: add a hash of the original so that two different inputs
        // that sanitise alike ("a.b" and "a_b") still get different names.
        String hash = sha256Hex(raw).substring(0, 12);
        int keep = Math.min(clean.length(), MAX_LENGTH - hash.length() - 1);
        return clean.substring(0, keep) + "-" + hash;
    }

    static String sanitise(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
            b.append(ok ? c : '_');
        }
        return b.toString();
    }

    public static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
