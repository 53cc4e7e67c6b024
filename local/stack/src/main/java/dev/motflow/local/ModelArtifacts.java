package dev.motflow.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import software.amazon.awssdk.services.s3.S3Client;

/** Model artifacts ({@code s3://.../model.tar.gz}) as local model folders, extracted once under {@code <data>/sagemaker/models/}. */
final class ModelArtifacts {
    private final S3Client s3;
    private final Path modelsDir;

    ModelArtifacts(S3Client s3, Path modelsDir) {
        this.s3 = s3;
        this.modelsDir = modelsDir;
    }

    /** The local folder of a model artifact, extracted on first use. */
    synchronized Path folder(String modelDataUrl) {
        String id = HexFormat.of().formatHex(sha256(modelDataUrl)).substring(0, 16);
        Path dir = modelsDir.resolve(id);
        if (Files.isRegularFile(dir.resolve("model.pth"))) {
            return dir;
        }
        try {
            Path tmp = Files.createDirectories(modelsDir).resolve(id + ".tar.gz");
            String[] bk = S3Files.parse(modelDataUrl);
            S3Files.download(s3, bk[0], bk[1], tmp);
            S3Files.untarGz(tmp, dir);
            Files.deleteIfExists(tmp);
            Files.writeString(dir.resolve("SOURCE"), modelDataUrl + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
