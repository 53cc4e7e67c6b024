package dev.motflow.jobs.store;

import java.io.IOException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.jobs.JobsJson;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Opaque pagination tokens: base64url of {scope, key} plus an HMAC-SHA256 tag. The scope names
 * the query (e.g. {@code status:RUNNING}, {@code tracks:<jobId>}), so a token from one query is
 * refused by another, and an edited token fails the tag check.
 *
 * <p>The tag key is a secret nobody can derive (Secrets Manager in AWS, a random file in the local
 * data folder: {@link PageTokenKeys}); it is fetched on first use and kept, not at construction, so
 * a SnapStart snapshot holds no key and init makes no network call. A token is checked in full
 * (length, alphabet, tag, JSON fields and types, the key's attribute names and partition) before
 * anything reaches DynamoDB: a bad one is an {@link InvalidTokenException} (the API's 400).
 */
public final class PageTokens {
    /** Bytes of the HMAC key: at least this many. */
    public static final int MIN_KEY_BYTES = 32;
    /** Longest token accepted; real ones are about 250 characters. */
    public static final int MAX_TOKEN_CHARS = 1024;
    /** Longest key attribute value accepted (DynamoDB sort keys are at most 1024 bytes). */
    static final int MAX_VALUE_CHARS = 1024;

    private static final ObjectMapper JSON = JobsJson.MAPPER;
    private static final int TAG_BYTES = 16;
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");
    private static final String NOT_OURS = "nextToken is not a token this API issued; start again without it";
    private static final String OTHER_QUERY = "nextToken belongs to a different query; start again without it";

    private final Supplier<byte[]> keySource;
    private volatile SecretKeySpec key;

    /** Tokens tagged with the key {@code keySource} returns on first use (called again after a failure). */
    public PageTokens(Supplier<byte[]> keySource) {
        this.keySource = Objects.requireNonNull(keySource, "keySource");
    }

    /** Tokens tagged with {@code key} (at least {@link #MIN_KEY_BYTES} bytes). */
    public static PageTokens withKey(byte[] key) {
        byte[] copy = checkedKey(key);
        return new PageTokens(() -> copy);
    }

    /**
     * The attributes a query's LastEvaluatedKey has: each name with the prefix its value starts
     * with, and the one that must equal the query's partition.
     */
    public record KeyShape(Map<String, String> prefixes, String partitionName, String partition) {
        public KeyShape {
            prefixes = Map.copyOf(prefixes);
            if (!prefixes.containsKey(partitionName)) {
                throw new IllegalArgumentException("the partition " + partitionName + " is not an attribute of the key");
            }
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
            byte[] out = Arrays.copyOf(body, body.length + TAG_BYTES);
            System.arraycopy(tag, 0, out, body.length, TAG_BYTES);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Decodes a token made by {@link #encode} for the same scope whose key has {@code shape}; null
     * for no token.
     *
     * @throws InvalidTokenException for anything else
     */
    public PageKey decode(String scope, String token, KeyShape shape) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        // Cheap checks first: a huge or non-base64url token costs no decoding and no MAC.
        if (token.length() > MAX_TOKEN_CHARS || !BASE64URL.matcher(token).matches()) {
            throw new InvalidTokenException(NOT_OURS);
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException(NOT_OURS);
        }
        if (raw.length <= TAG_BYTES) {
            throw new InvalidTokenException(NOT_OURS);
        }
        byte[] body = Arrays.copyOf(raw, raw.length - TAG_BYTES);
        byte[] tag = Arrays.copyOfRange(raw, raw.length - TAG_BYTES, raw.length);
        if (!MessageDigest.isEqual(tag, Arrays.copyOf(tag(body), TAG_BYTES))) {
            throw new InvalidTokenException("nextToken was modified or is not a token this API issued;"
                    + " start again without it");
        }
        // A tagged token is ours, but its shape is still checked: a key rotation or a change of the
        // table's keys must give a 400, never a DynamoDB validation error.
        JsonNode payload;
        try {
            payload = JSON.readTree(body);
        } catch (IOException e) {
            throw new InvalidTokenException(NOT_OURS);
        }
        if (payload == null || !payload.isObject() || payload.size() != 2 || !payload.path("s").isTextual()
                || !payload.path("k").isObject()) {
            throw new InvalidTokenException(NOT_OURS);
        }
        if (!scope.equals(payload.get("s").textValue())) {
            throw new InvalidTokenException(OTHER_QUERY);
        }
        return PageKey.of(startKey(payload.get("k"), shape));
    }

    private static Map<String, AttributeValue> startKey(JsonNode k, KeyShape shape) {
        if (k.size() != shape.prefixes().size()) {
            throw new InvalidTokenException(NOT_OURS);
        }
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = k.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String prefix = shape.prefixes().get(e.getKey());
            JsonNode v = e.getValue();
            if (prefix == null || !v.isTextual() || v.textValue().isEmpty()
                    || v.textValue().length() > MAX_VALUE_CHARS || !v.textValue().startsWith(prefix)) {
                throw new InvalidTokenException(NOT_OURS);
            }
            key.put(e.getKey(), AttributeValue.fromS(v.textValue()));
        }
        if (!shape.partition().equals(key.get(shape.partitionName()).s())) {
            throw new InvalidTokenException(OTHER_QUERY);
        }
        return key;
    }

    private byte[] tag(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key());
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k == null) {
            synchronized (this) {
                k = key;
                if (k == null) {
                    // A failed fetch (e.g. Secrets Manager unreachable) is not kept: the next request tries again.
                    k = new SecretKeySpec(checkedKey(keySource.get()), "HmacSHA256");
                    key = k;
                }
            }
        }
        return k;
    }

    private static byte[] checkedKey(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalStateException("the page token key must have at least " + MIN_KEY_BYTES + " bytes");
        }
        return key.clone();
    }
}
