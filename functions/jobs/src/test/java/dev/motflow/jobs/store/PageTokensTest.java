package dev.motflow.jobs.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class PageTokensTest {
    private final PageTokens tokens = PageTokens.withKey(PageTokenKeys.random());
    private final Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("JOB#1"), "sk", AttributeValue.fromS("TRACK#5"));
    private final PageTokens.KeyShape shape = new PageTokens.KeyShape(Map.of("pk", "JOB#1", "sk", "TRACK#"), "pk", "JOB#1");

    @Test
    void roundTrips() {
        String t = tokens.encode("tracks:1", new PageKey(key));
        assertEquals(new PageKey(key), tokens.decode("tracks:1", t, shape));
        assertNull(tokens.encode("x", null));
        assertNull(tokens.decode("x", null, shape));
    }

    @Test
    void refusesTamperedForeignAndGarbageTokens() {
        String t = tokens.encode("tracks:1", new PageKey(key));
        byte[] raw = Base64.getUrlDecoder().decode(t);
        raw[5] ^= 1;
        String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        assertThrows(PageTokens.InvalidTokenException.class, () -> tokens.decode("tracks:1", tampered, shape));
        assertThrows(PageTokens.InvalidTokenException.class, () -> tokens.decode("tracks:2", t, shape));
        assertThrows(PageTokens.InvalidTokenException.class, () -> tokens.decode("tracks:1", "%%%", shape));
        assertThrows(PageTokens.InvalidTokenException.class, () -> tokens.decode("tracks:1", t + "=", shape));
        // another key (another deployment, or a rotated secret)
        assertThrows(PageTokens.InvalidTokenException.class,
                () -> PageTokens.withKey(PageTokenKeys.random()).decode("tracks:1", t, shape));
        String otherJob = tokens.encode("tracks:1", new PageKey(Map.of("pk", AttributeValue.fromS("JOB#2"),
                "sk", AttributeValue.fromS("TRACK#5"))));
        assertThrows(PageTokens.InvalidTokenException.class, () -> tokens.decode("tracks:1", otherJob, shape));
        assertThrows(PageTokens.InvalidTokenException.class,
                () -> tokens.decode("tracks:1", "A".repeat(PageTokens.MAX_TOKEN_CHARS + 1), shape));
    }

    @Test
    void refusesCorrectlyTaggedKeysOfTheWrongShape() {
        // Tagged with the right key, but not what the query's LastEvaluatedKey looks like.
        for (Map<String, AttributeValue> wrong : java.util.List.of(
                Map.of("pk", AttributeValue.fromS("JOB#1")),
                Map.of("pk", AttributeValue.fromS("JOB#1"), "sk", AttributeValue.fromS("JOB")),
                Map.of("pk", AttributeValue.fromS("JOB#1"), "sk", AttributeValue.fromS("TRACK#5"), "x", AttributeValue.fromS("y")),
                Map.of("pk", AttributeValue.fromS("JOB#1"), "sk", AttributeValue.fromS("TRACK#" + "9".repeat(1100))),
                Map.of("pk", AttributeValue.fromS("JOB#1"), "sk", AttributeValue.fromS("")))) {
            String t = tokens.encode("tracks:1", new PageKey(wrong));
            assertThrows(PageTokens.InvalidTokenException.class, () -> tokens.decode("tracks:1", t, shape), wrong.toString());
        }
    }

    @Test
    void fetchesTheKeyOnFirstUseOnlyAndRetriesAFailedFetch() {
        AtomicInteger fetches = new AtomicInteger();
        byte[] k = PageTokenKeys.random();
        PageTokens lazy = new PageTokens(() -> {
            if (fetches.incrementAndGet() == 1) {
                throw new IllegalStateException("secret store unreachable");
            }
            return k;
        });
        assertEquals(0, fetches.get(), "nothing is fetched at construction (SnapStart init)");
        assertThrows(IllegalStateException.class, () -> lazy.encode("tracks:1", new PageKey(key)));
        String t = lazy.encode("tracks:1", new PageKey(key));
        assertEquals(new PageKey(key), lazy.decode("tracks:1", t, shape));
        assertEquals(new PageKey(key), PageTokens.withKey(k).decode("tracks:1", t, shape));
        assertEquals(2, fetches.get());
        assertThrows(IllegalStateException.class, () -> PageTokens.withKey(new byte[16]));
    }

    @Test
    void localKeyFileIsCreatedOnceOwnerOnlyAndKept(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data").resolve("page-token.key");
        byte[] first = PageTokenKeys.localFile(file);
        assertEquals(PageTokenKeys.KEY_BYTES, first.length);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(first, PageTokenKeys.localFile(file), "a restart keeps the key");
        assertFalse(java.util.Arrays.equals(first, PageTokenKeys.localFile(dir.resolve("other.key"))));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
        Files.write(file, new byte[3]);
        assertThrows(IllegalStateException.class, () -> PageTokenKeys.localFile(file));
    }
}
