package dev.motflow.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.services.s3.S3Client;

/** A job's local stand-in for the container's /opt/ml: path mapping, inputs, and the failure it reports. */
final class OptMlFolder {
    private OptMlFolder() {
    }

    /** /opt/ml/x/y -> <opt>/x/y. */
    static Path local(Path opt, String containerPath) {
        String rel = containerPath.startsWith("/opt/ml/") ? containerPath.substring("/opt/ml/".length())
                : containerPath.replaceFirst("^/+", "");
        return opt.resolve(rel);
    }

    /** Downloads one S3 input (a prefix, or the objects a manifest file lists) into {@code dir}. */
    static void download(S3Client s3, String dataType, String uri, Path dir) {
        if ("ManifestFile".equals(dataType)) {
            S3Files.downloadManifest(s3, uri, dir);
        } else {
            S3Files.downloadPrefix(s3, uri, dir);
        }
    }

    /** Why a run failed: the container's output/failure file (the SageMaker contract), else its exit status and last lines. */
    static String failureOf(Path opt, Containers.Run run) {
        Path failure = opt.resolve("output/failure");
        try {
            if (Files.isRegularFile(failure)) {
                return Files.readString(failure).strip();
            }
        } catch (IOException ignored) {
            // fall back to the log
        }
        return "exit status " + run.exitCode() + ": " + run.lastLines() + " (log " + run.log() + ")";
    }

    /** The S3 data source of a training channel or processing input. */
    static String dataType(JsonNode s3Source) {
        return s3Source.path("S3DataType").asText();
    }
}
