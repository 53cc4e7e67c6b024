package dev.motflow.streams.service;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import dev.motflow.tracking.Policy;

/**
 * Settings of the stream Lambda (docs/handlers.md, "Stream tracking").
 *
 * @param tableName the single table (docs/data-model.md)
 * @param endpointName the real-time SageMaker endpoint (detections + embeddings per image)
 * @param stateTtl idle time after which a stream's state expires (refreshed by every frame)
 * @param defaultPolicy association rules of a new stream when the request names none
 * @param frameRate frame rate the tracker assumes (sets how many frames a lost track is kept)
 * @param maxFrameBytes largest accepted image (the API Gateway + Lambda payload bounds it anyway)
 * @param maxStateBytes largest encoded tracker state written to the item (lost tracks are dropped,
 *     oldest first, to stay below it)
 * @param maxDetections most detections of one frame given to the tracker (highest scores first);
 *     further lowered per embedding size so that the tracked tracks alone always fit
 *     {@code maxStateBytes}
 */
public record StreamsConfig(String tableName, String endpointName, Duration stateTtl, Policy defaultPolicy,
                            double frameRate, int maxFrameBytes, int maxStateBytes, int maxDetections) {
    public static final Duration DEFAULT_TTL = Duration.ofDays(1);
    /**
     * A Lambda behind API Gateway receives at most 6 MB of event, and the HTTP API sends a binary body
     * base64-encoded (4/3 larger): 4 MiB of image is about 5.6 MB of event.
     */
    public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;
    /** DynamoDB items are at most 400 KB; the state leaves room for the other attributes and margin. */
    public static final int DEFAULT_MAX_STATE_BYTES = 256 * 1024;
    /** The serving container keeps at most its top 500 peaks; 300 is well above a dense MOT20 frame. */
    public static final int DEFAULT_MAX_DETECTIONS = 300;

    public StreamsConfig {
        require(tableName, "TABLE_NAME");
        require(endpointName, "REALTIME_ENDPOINT_NAME");
        if (stateTtl == null || stateTtl.isNegative() || stateTtl.isZero()) {
            throw new IllegalArgumentException("STREAM_TTL_SECONDS must be > 0");
        }
        if (defaultPolicy == null) {
            throw new IllegalArgumentException("the default policy is required");
        }
        if (!(frameRate > 0) || frameRate > 1000) {
            throw new IllegalArgumentException("STREAM_FRAME_RATE must be in (0, 1000], got " + frameRate);
        }
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("the frame size limit must be >= 64 bytes");
        }
        if (maxStateBytes < 16 * 1024 || maxStateBytes > 350 * 1024) {
            throw new IllegalArgumentException("the state size limit must be 16..350 KiB, got " + maxStateBytes);
        }
        if (maxDetections < 1) {
            throw new IllegalArgumentException("the detection limit must be >= 1");
        }
    }

    public static StreamsConfig of(String tableName, String endpointName) {
        return new StreamsConfig(tableName, endpointName, DEFAULT_TTL, Policy.JDE, 30, DEFAULT_MAX_FRAME_BYTES,
                DEFAULT_MAX_STATE_BYTES, DEFAULT_MAX_DETECTIONS);
    }

    public StreamsConfig withStateTtl(Duration ttl) {
        return new StreamsConfig(tableName, endpointName, ttl, defaultPolicy, frameRate, maxFrameBytes, maxStateBytes,
                maxDetections);
    }

    public StreamsConfig withDefaultPolicy(Policy policy) {
        return new StreamsConfig(tableName, endpointName, stateTtl, policy, frameRate, maxFrameBytes, maxStateBytes,
                maxDetections);
    }

    public StreamsConfig withLimits(int frameBytes, int stateBytes, int detections) {
        return new StreamsConfig(tableName, endpointName, stateTtl, defaultPolicy, frameRate, frameBytes, stateBytes,
                detections);
    }

    /** From the Lambda environment (docs/handlers.md). */
    public static StreamsConfig fromEnvironment() {
        return fromMap(System.getenv());
    }

    public static StreamsConfig fromMap(Map<String, String> env) {
        String policy = env.get("STREAM_POLICY");
        return new StreamsConfig(env.get("TABLE_NAME"), env.get("REALTIME_ENDPOINT_NAME"),
                Duration.ofSeconds(longOr(env, "STREAM_TTL_SECONDS", DEFAULT_TTL.toSeconds())),
                policy == null || policy.isBlank() ? Policy.JDE : parsePolicy(policy),
                doubleOr(env, "STREAM_FRAME_RATE", 30),
                (int) longOr(env, "STREAM_MAX_FRAME_BYTES", DEFAULT_MAX_FRAME_BYTES),
                DEFAULT_MAX_STATE_BYTES, DEFAULT_MAX_DETECTIONS);
    }

    /** {@code jde} or {@code bytetrack} (case-insensitive). */
    public static Policy parsePolicy(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "jde", "fairmot" -> Policy.JDE;
            case "bytetrack" -> Policy.BYTETRACK;
            default -> throw new IllegalArgumentException("unknown policy '" + name + "': use jde or bytetrack");
        };
    }

    public static String policyName(Policy policy) {
        return policy == Policy.JDE ? "jde" : "bytetrack";
    }

    private static void require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private static long longOr(Map<String, String> env, String key, long fallback) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
        }
    }

    private static double doubleOr(Map<String, String> env, String key, double fallback) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + v + "'");
        }
    }
}
