package dev.motflow.jobs.store;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.jobs.JobsJson;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Opaque pagination tokens: base64url of {scope, key} plus an HMAC-SHA256 tag. The scope names
 * the query (e.g. {@code status:RUNNING}, {@code tracks:<jobId>}), so a token from one query is
 * refused by another, and an edited token fails the tag check. The key of the tag is not a
 * secret (derived from the table name): the point is integrity, and a forged cursor could only
 * move within results the caller may read anyway.
 */
public final class PageTokens {
    private static final ObjectMapper JSON = JobsJson.MAPPER;
    private static final int TAG_BYTES = 16;
    private final byte[] key;

    public PageTokens(String keyMaterial) {
        try {
            this.key = MessageDigest.getInstance("SHA-256")
                    .digest(("motflow-page-token:" + keyMaterial).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Thrown for a token that is malformed, tampered with or from another query. */
    public static final class InvalidTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidTokenException(String message) {
            super(message);
        }
    }

    /** Encodes a LastEvaluatedKey (string attributes only, as every key of this table). */
    public String encode(String scope, PageKey lastKey) {
        if (lastKey == null) {
            return null;
        }
        Map<String, String> k = new TreeMap<>();
        lastKey.attributes().forEach((name, v) -> k.put(name, v.s()));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("s", scope);
        payload.put("k", k);
        try {
            byte[] body = JSON.writeValueAsBytes(payload);
            byte[] tag = tag(body);
            byte[] out = new byte[body.length + TAG_BYTES];
            System.arraycopy(body, 0, out, 0, body.length);
            System.arraycopy(tag, 0, out, body.length, TAG_BYTES);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Decodes a token made by {@link #encode} for the same scope; {@code expectedPk} (may be null)
     * must equal the token's partition key.
     */
    public PageKey decode(String scope, String token, String pkName, String expectedPk) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("nextToken is not a token this API issued");
        }
        if (raw.length <= TAG_BYTES || token.length() > 2048) {
            throw new InvalidTokenException("nextToken is not a token this API issued");
        }
        byte[] body = java.util.Arrays.copyOf(raw, raw.length - TAG_BYTES);
        byte[] tag = java.util.Arrays.copyOfRange(raw, raw.length - TAG_BYTES, raw.length);
        if (!MessageDigest.isEqual(tag, java.util.Arrays.copyOf(tag(body), TAG_BYTES))) {
            throw new InvalidTokenException("nextToken was modified or is not a token this API issued");
        }
        Map<String, Object> payload;
        try {
            payload = JSON.readValue(body, new TypeReference<Map<String, Object>>() { });
        } catch (java.io.IOException e) {
            throw new InvalidTokenException("nextToken is not a token this API issued");
        }
        if (!scope.equals(payload.get("s"))) {
            throw new InvalidTokenException("nextToken belongs to a different query; start again without it");
        }
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        if (payload.get("k") instanceof Map<?, ?> m) {
            m.forEach((name, v) -> key.put(String.valueOf(name), AttributeValue.fromS(String.valueOf(v))));
        }
        if (expectedPk != null && !key.containsKey(pkName)) {
            throw new InvalidTokenException("nextToken belongs to a different query; start again without it");
        }
        if (expectedPk != null && !expectedPk.equals(key.get(pkName).s())) {
            throw new InvalidTokenException("nextToken belongs to a different query; start again without it");
        }
        return PageKey.of(key);
    }

    private byte[] tag(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
