package dev.motflow.jobs.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Job ids: 32 lower-case hex characters. Derived from the object version for dropped files (so
 * duplicate events meet on one id), random for reservations made by POST /jobs.
 */
public final class JobIds {
    public static final Pattern FORMAT = Pattern.compile("^[0-9a-f]{32}$");
    /** Prefix of processing job names; with a job id 40 characters, within SageMaker's 63. */
    public static final String PROCESSING_JOB_PREFIX = "motflow-";

    private JobIds() {
    }

    public static String forObject(S3ObjectRef ref) {
        return forObject(ref.bucket(), ref.key(), ref.versionIdentity());
    }

    public static String forObject(String bucket, String key, String versionIdentity) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(bucket.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(key.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(versionIdentity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh random id. A new SecureRandom per call: safe after a SnapStart restore. */
    public static String random() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static boolean valid(String id) {
        return id != null && FORMAT.matcher(id).matches();
    }

    public static String processingJobName(String jobId) {
        return PROCESSING_JOB_PREFIX + jobId;
    }

    /** The job id inside a processing job name of ours, or null when the name is not ours. */
    public static String fromProcessingJobName(String name) {
        if (name == null || !name.startsWith(PROCESSING_JOB_PREFIX)) {
            return null;
        }
        String id = name.substring(PROCESSING_JOB_PREFIX.length());
        return valid(id) ? id : null;
    }
}
