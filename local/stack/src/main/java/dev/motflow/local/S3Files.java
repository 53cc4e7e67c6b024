package dev.motflow.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Moves files between the local S3 and folders, as SageMaker does for job inputs and outputs. */
final class S3Files {
    private static final ObjectMapper JSON = new ObjectMapper();

    private S3Files() {
    }

    /** s3://bucket/key -> {bucket, key}. */
    static String[] parse(String uri) {
        if (uri == null || !uri.startsWith("s3://")) {
            throw new IllegalArgumentException("not an s3:// URI: " + uri);
        }
        String rest = uri.substring(5);
        int slash = rest.indexOf('/');
        return slash < 0 ? new String[] {rest, ""} : new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
    }

    /**
     * S3DataType S3Prefix: every object under the prefix, relative to it; an exact object key
     * lands under its own file name (SageMaker's behaviour for a prefix that is one object).
     * Returns the number of files.
     */
    static int downloadPrefix(S3Client s3, String uri, Path dir) {
        String[] bk = parse(uri);
        String prefix = bk[1];
        int n = 0;
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bk[0]).prefix(prefix)).contents()) {
            String rel;
            if (o.key().equals(prefix)) {
                rel = prefix.substring(prefix.lastIndexOf('/') + 1);
            } else {
                rel = o.key().substring(prefix.length());
                if (rel.startsWith("/")) {
                    rel = rel.substring(1);
                }
                if (!prefix.isEmpty() && !prefix.endsWith("/") && !o.key().startsWith(prefix + "/")) {
                    rel = o.key().substring(o.key().lastIndexOf('/') + 1);
                }
            }
            if (rel.isEmpty() || rel.endsWith("/")) {
                continue;
            }
            download(s3, bk[0], o.key(), dir.resolve(rel));
            n++;
        }
        return n;
    }

    /** S3DataType ManifestFile: {@code [{"prefix": "s3://..."}, "rel/key", ...]}; files keep their relative paths. */
    static int downloadManifest(S3Client s3, String manifestUri, Path dir) {
        String[] bk = parse(manifestUri);
        JsonNode manifest;
        try {
            manifest = JSON.readTree(s3.getObjectAsBytes(b -> b.bucket(bk[0]).key(bk[1])).asByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String prefix = manifest.get(0).path("prefix").asText();
        String[] pk = parse(prefix);
        for (int i = 1; i < manifest.size(); i++) {
            String rel = manifest.get(i).asText();
            download(s3, pk[0], pk[1] + rel, dir.resolve(rel));
        }
        return manifest.size() - 1;
    }

    static void download(S3Client s3, String bucket, String key, Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            s3.getObject(b -> b.bucket(bucket).key(key), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file under {@code dir} to {@code s3://.../prefix/<relative path>}; returns the count. */
    static int uploadDir(S3Client s3, Path dir, String uri) {
        String[] bk = parse(uri);
        String prefix = bk[1].isEmpty() || bk[1].endsWith("/") ? bk[1] : bk[1] + "/";
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> list = files.filter(Files::isRegularFile).sorted().toList();
            for (Path f : list) {
                String rel = dir.relativize(f).toString().replace('\\', '/');
                s3.putObject(b -> b.bucket(bk[0]).key(prefix + rel), RequestBody.fromFile(f));
            }
            return list.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code tar -czf archive -C dir .}: SageMaker's model.tar.gz. */
    static void tarGz(Path dir, Path archive) {
        exec(List.of("tar", "-czf", archive.toString(), "-C", dir.toString(), "."));
    }

    static void untarGz(Path archive, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        exec(List.of("tar", "-xzf", archive.toString(), "-C", dir.toString()));
    }

    private static void exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new LocalStackException(String.join(" ", cmd) + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted: " + cmd);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
