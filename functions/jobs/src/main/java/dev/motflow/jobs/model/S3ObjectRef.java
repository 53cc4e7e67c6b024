package dev.motflow.jobs.model;

/**
 * One version of an S3 object as an event notification names it. {@code key} is decoded;
 * {@code versionId} is null on unversioned buckets, where {@code eTag} and {@code sequencer}
 * tell versions apart.
 */
public record S3ObjectRef(String bucket, String key, String versionId, String eTag, String sequencer, long sizeBytes) {

    /** The identity of this version, stable across duplicate deliveries of its event. */
    public String versionIdentity() {
        if (versionId != null && !versionId.isEmpty() && !"null".equals(versionId)) {
            return "v:" + versionId;
        }
        return "e:" + (eTag == null ? "" : eTag) + ":" + (sequencer == null ? "" : sequencer);
    }

    public String s3Uri() {
        return "s3://" + bucket + "/" + key;
    }
}
