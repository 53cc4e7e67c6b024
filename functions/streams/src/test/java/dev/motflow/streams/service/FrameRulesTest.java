package dev.motflow.streams.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.motflow.streams.handler.StreamsRuntime;
import dev.motflow.tracking.Policy;

class FrameRulesTest {
    static StreamException refused(Runnable r) {
        return assertThrows(StreamException.class, r::run);
    }

    @Test
    void streamIds() {
        assertEquals("cam-1.north_2", FrameRules.requireStreamId("cam-1.north_2"));
        assertEquals("a".repeat(128), FrameRules.requireStreamId("a".repeat(128)));
        for (String bad : new String[] {"", "-cam", ".x", "a b", "a/b", "a#b", "a".repeat(129), "é"}) {
            StreamException e = refused(() -> FrameRules.requireStreamId(bad));
            assertEquals(400, e.status(), bad);
            assertEquals("InvalidStreamId", e.code());
        }
    }

    @Test
    void imagesBySignature() {
        assertEquals("image/jpeg", FrameRules.sniffImage(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x01}, 100));
        assertEquals("image/png", FrameRules.sniffImage(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0}, 100));
        assertEquals("UnsupportedImage", refused(() -> FrameRules.sniffImage(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, 100)).code());
        assertEquals("UnsupportedImage", refused(() -> FrameRules.sniffImage(new byte[] {(byte) 0xFF, (byte) 0xD8}, 100)).code());
        assertEquals("EmptyBody", refused(() -> FrameRules.sniffImage(new byte[0], 100)).code());
        StreamException big = refused(() -> FrameRules.sniffImage(new byte[101], 100));
        assertEquals(413, big.status());
        assertTrue(big.getMessage().contains("101 bytes"), big.getMessage());
    }

    @Test
    void frameIndices() {
        assertEquals(0, FrameRules.parseFrameIndex("0", "h"));
        assertEquals(42, FrameRules.parseFrameIndex(" 42 ", "h"));
        assertEquals((1L << 53) - 1, FrameRules.parseFrameIndex(Long.toString((1L << 53) - 1), "h"));
        for (String bad : new String[] {"", "-1", "+1", "1.5", "1e3", "x", Long.toString(1L << 53), "99999999999999999"}) {
            assertEquals("InvalidFrameIndex", refused(() -> FrameRules.parseFrameIndex(bad, "h")).code(), bad);
        }
    }

    @Test
    void configurationFromTheEnvironment() {
        StreamsConfig c = StreamsConfig.fromMap(Map.of("TABLE_NAME", "t", "REALTIME_ENDPOINT_NAME", "e"));
        assertEquals(Duration.ofDays(1), c.stateTtl());
        assertEquals(Policy.JDE, c.defaultPolicy());
        assertEquals(30.0, c.frameRate());
        assertEquals(4 * 1024 * 1024, c.maxFrameBytes());
        StreamsConfig d = StreamsConfig.fromMap(Map.of("TABLE_NAME", "t", "REALTIME_ENDPOINT_NAME", "e",
                "STREAM_TTL_SECONDS", "600", "STREAM_POLICY", "ByteTrack", "STREAM_FRAME_RATE", "15",
                "STREAM_MAX_FRAME_BYTES", "1000000"));
        assertEquals(Duration.ofMinutes(10), d.stateTtl());
        assertEquals(Policy.BYTETRACK, d.defaultPolicy());
        assertEquals(15.0, d.frameRate());
        assertEquals(1_000_000, d.maxFrameBytes());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StreamsConfig.fromMap(Map.of("TABLE_NAME", "t")))
                .getMessage().contains("REALTIME_ENDPOINT_NAME"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StreamsConfig.fromMap(Map.of("TABLE_NAME", "t",
                "REALTIME_ENDPOINT_NAME", "e", "STREAM_TTL_SECONDS", "0"))).getMessage().contains("STREAM_TTL_SECONDS"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StreamsConfig.fromMap(Map.of("TABLE_NAME", "t",
                "REALTIME_ENDPOINT_NAME", "e", "STREAM_POLICY", "sort"))).getMessage().contains("jde or bytetrack"));
    }

    @Test
    void detectionCapKeepsTheTrackedTracksWithinTheStateLimit() {
        StreamService s = new StreamService(StreamsConfig.of("t", "e"), null, null, null, null, StreamsRuntime.CONFLICT_BACKOFF,
                dev.motflow.common.http.Admins.none());
        assertEquals(300, s.detectionLimit(0));
        assertEquals(300, s.detectionLimit(128));
        int cap512 = s.detectionLimit(512);
        assertTrue(cap512 < 300 && cap512 * (201 + 2 * 512) <= 0.6 * 256 * 1024, "cap for 512-d: " + cap512);
    }
}
