package dev.motflow.jobs.service;

import java.time.Duration;
import java.util.Map;

/**
 * Configuration of the job Lambdas, read once from the environment (docs/handlers.md lists the
 * variables). Variables a handler does not use may be absent: accessors of those are null.
 */
public record JobsConfig(
        String tableName,
        String resultsBucket,
        String dropBucket,
        String asyncEndpointName,
        long maxAsyncBytes,
        long maxUploadBytes,
        String batchPrefix,
        String processingImageUri,
        String processingRoleArn,
        String processingInstanceType,
        String processingVolumeKmsKeyId,
        int processingMaxRuntimeSeconds,
        String processingModelS3Uri,
        Duration presignTtl,
        String modelName) {

    /** Every dropped video lands under this prefix. */
    public static final String DROP_PREFIX = "incoming/";
    public static final long DEFAULT_MAX_ASYNC_BYTES = 1L << 30;
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 50L << 30;
    /** The model family whose production pointer processing jobs follow; the retraining module's default too. */
    public static final String DEFAULT_MODEL_NAME = "motflow-tracker";

    /** Without a model name: {@link #DEFAULT_MODEL_NAME}. */
    public JobsConfig(String tableName, String resultsBucket, String dropBucket, String asyncEndpointName,
                      long maxAsyncBytes, long maxUploadBytes, String batchPrefix, String processingImageUri,
                      String processingRoleArn, String processingInstanceType, String processingVolumeKmsKeyId,
                      int processingMaxRuntimeSeconds, String processingModelS3Uri, Duration presignTtl) {
        this(tableName, resultsBucket, dropBucket, asyncEndpointName, maxAsyncBytes, maxUploadBytes, batchPrefix,
                processingImageUri, processingRoleArn, processingInstanceType, processingVolumeKmsKeyId,
                processingMaxRuntimeSeconds, processingModelS3Uri, presignTtl, null);
    }

    public JobsConfig {
        if (tableName == null || tableName.isBlank()) {
            throw new IllegalArgumentException("TABLE_NAME is required");
        }
        if (maxAsyncBytes < 1 || maxUploadBytes < 1) {
            throw new IllegalArgumentException("MAX_ASYNC_BYTES and MAX_UPLOAD_BYTES must be positive");
        }
        if (batchPrefix == null || batchPrefix.isBlank()) {
            batchPrefix = DROP_PREFIX + "batch/";
        }
        if (!batchPrefix.startsWith(DROP_PREFIX)) {
            throw new IllegalArgumentException("BATCH_PREFIX must lie under " + DROP_PREFIX + ", got " + batchPrefix);
        }
        if (processingMaxRuntimeSeconds < 1 || processingMaxRuntimeSeconds > 777_600) {
            throw new IllegalArgumentException("PROCESSING_MAX_RUNTIME_SECONDS must be 1..777600");
        }
        if (presignTtl == null || presignTtl.isNegative() || presignTtl.isZero() || presignTtl.toSeconds() > 604_800) {
            throw new IllegalArgumentException("PRESIGN_TTL_SECONDS must be 1..604800");
        }
        if (modelName == null || modelName.isBlank()) {
            modelName = DEFAULT_MODEL_NAME;
        }
    }

    public static JobsConfig fromEnvironment() {
        return fromMap(System.getenv());
    }

    public static JobsConfig fromMap(Map<String, String> env) {
        return new JobsConfig(
                env.get("TABLE_NAME"),
                env.get("RESULTS_BUCKET"),
                env.get("DROP_BUCKET"),
                env.get("ASYNC_ENDPOINT_NAME"),
                longOf(env, "MAX_ASYNC_BYTES", DEFAULT_MAX_ASYNC_BYTES),
                longOf(env, "MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES),
                env.get("BATCH_PREFIX"),
                env.get("PROCESSING_IMAGE_URI"),
                env.get("PROCESSING_ROLE_ARN"),
                env.getOrDefault("PROCESSING_INSTANCE_TYPE", "ml.g5.xlarge"),
                blankToNull(env.get("PROCESSING_VOLUME_KMS_KEY_ID")),
                (int) longOf(env, "PROCESSING_MAX_RUNTIME_SECONDS", 3600),
                blankToNull(env.get("PROCESSING_MODEL_S3_URI")),
                Duration.ofSeconds(longOf(env, "PRESIGN_TTL_SECONDS", 900)),
                blankToNull(env.get("MODEL_NAME")));
    }

    /** A whole-number variable, {@code dflt} when unset or blank; a clear error naming it otherwise. */
    static long longOf(Map<String, String> env, String name, long dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
