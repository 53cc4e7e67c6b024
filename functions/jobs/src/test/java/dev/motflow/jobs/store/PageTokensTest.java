package dev.motflow.jobs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class PageTokensTest {
    private final PageTokens tokens = new PageTokens("table-a");
    private final Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("JOB#1"), "sk", AttributeValue.fromS("TRACK#5"));

    @Test
    void roundTrips() {
        String t = tokens.encode("tracks:1", new PageKey(key));
        assertEquals(new PageKey(key), tokens.decode("tracks:1", t, "pk", "JOB#1"));
        assertNull(tokens.encode("x", null));
        assertNull(tokens.decode("x", null, "pk", null));
    }

    @Test
    void refusesTamperedForeignAndGarbageTokens() {
        String t = tokens.encode("tracks:1", new PageKey(key));
        byte[] raw = Base64.getUrlDecoder().decode(t);
        raw[5] ^= 1;
        String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        assertThrows(PageTokens.InvalidTokenException.class, () -> tokens.decode("tracks:1", tampered, "pk", "JOB#1"));
        assertThrows(PageTokens.InvalidTokenException.class, () -> tokens.decode("tracks:2", t, "pk", "JOB#1"));
        assertThrows(PageTokens.InvalidTokenException.class, () -> tokens.decode("tracks:1", "%%%", "pk", "JOB#1"));
        assertThrows(PageTokens.InvalidTokenException.class, () -> new PageTokens("table-b").decode("tracks:1", t, "pk", "JOB#1"));
        String otherJob = tokens.encode("tracks:1", new PageKey(Map.of("pk", AttributeValue.fromS("JOB#2"))));
        assertThrows(PageTokens.InvalidTokenException.class, () -> tokens.decode("tracks:1", otherJob, "pk", "JOB#1"));
    }
}
