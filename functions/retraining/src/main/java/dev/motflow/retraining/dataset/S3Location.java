package dev.motflow.retraining.dataset;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An {@code s3://bucket/key} location. */
public record S3Location(String bucket, String key) {
    private static final Pattern URI = Pattern.compile("s3://([^/]+)/(.*)");

    public static S3Location parse(String uri) {
        Matcher m = URI.matcher(uri == null ? "" : uri);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an s3:// URI: " + uri);
        }
        return new S3Location(m.group(1), m.group(2));
    }

    public String uri() {
        return "s3://" + bucket + "/" + key;
    }
}
