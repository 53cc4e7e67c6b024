package dev.motflow.jobs.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.function.Supplier;

import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/** Where the {@link PageTokens} key comes from: Secrets Manager in AWS, a file locally, or this process. */
public final class PageTokenKeys {
    /** Bytes of a generated key. */
    public static final int KEY_BYTES = 32;

    private PageTokenKeys() {
    }

    /**
     * The value of secret {@code secretId} (string or binary; the CDK app generates a 64-character
     * string). Called lazily by {@link PageTokens}: a Secrets Manager outage surfaces as the SDK's
     * exception on the request that needed the key.
     */
    public static Supplier<byte[]> secretsManager(SecretsManagerClient client, String secretId) {
        return () -> {
            GetSecretValueResponse r = client.getSecretValue(b -> b.secretId(secretId));
            byte[] key = r.secretString() != null ? r.secretString().getBytes(StandardCharsets.UTF_8)
                    : r.secretBinary() != null ? r.secretBinary().asByteArray() : new byte[0];
            if (key.length < PageTokens.MIN_KEY_BYTES) {
                throw new IllegalStateException("secret " + secretId + " holds " + key.length
                        + " bytes; a page token key needs at least " + PageTokens.MIN_KEY_BYTES);
            }
            return key;
        };
    }

    /**
     * The key in {@code file}, created with {@link #KEY_BYTES} random bytes (owner read/write only)
     * when it does not exist yet: the local stack's key, kept across restarts so tokens stay valid.
     */
    public static byte[] localFile(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                byte[] key = random();
                Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".page-token-", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try {
                    Files.write(tmp, key, StandardOpenOption.TRUNCATE_EXISTING);
                    // Atomic and never replacing: two stacks starting at once end up with one key.
                    Files.createLink(file, tmp);
                } catch (FileAlreadyExistsException e) {
                    // the other writer won; read its key below
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length < PageTokens.MIN_KEY_BYTES) {
                throw new IllegalStateException("the page token key file " + file + " holds " + key.length
                        + " bytes, not " + KEY_BYTES + "; delete it to generate a new key");
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the page token key file " + file, e);
        }
    }

    /** A fresh random key (tests, and a runtime whose tokens need not outlive the process). */
    public static byte[] random() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
