package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyRulesTest {
    @Test
    void decodesKeysTheWayS3EncodesThemInEvents() {
        assertEquals("incoming/my video (1).mp4", KeyRules.decodeEventKey("incoming/my+video+%281%29.mp4"));
        assertEquals("incoming/caf\u00e9.mp4", KeyRules.decodeEventKey("incoming/caf%C3%A9.mp4"));
        assertNull(KeyRules.decodeEventKey("incoming/bad%zz.mp4"));
    }

    @Test
    void acceptsPlainKeysAndNormalisesTheFileName() {
        KeyRules.Verdict v = KeyRules.checkKey("incoming/2026/cafe\u0301.MP4");
        assertTrue(v.accepted(), v.rejection());
        assertEquals("caf\u00e9.MP4", v.fileName());
    }

    @Test
    void rejectsBadKeysWithAReason() {
        assertReject("uploads/a.mp4", "incoming/");
        assertReject("incoming/../secret.mp4", "path traversal");
        assertReject("incoming/./a.mp4", "path traversal");
        assertReject("incoming//a.mp4", "empty folder");
        assertReject("incoming/a\u0000b.mp4", "control character");
        assertReject("incoming/evil\u202Egpj.mp4", "formatting character");
        assertReject("incoming/zero\u200Bwidth.mp4", "formatting character");
        assertReject("incoming/broken\uFFFD.mp4", "not valid UTF-8");
        assertReject("incoming/notes.txt", "video extension");
        assertReject("incoming/" + "a".repeat(300) + ".mp4", "longer than");
        assertReject("incoming/a\\b.mp4", "backslash");
        assertReject("incoming/" + "\u00e9".repeat(600) + ".mp4", "bytes");
    }

    @Test
    void fileNamesForTheApiFollowTheSameCharacterRules() {
        assertTrue(KeyRules.checkFileName("clip.webm").accepted());
        assertFalse(KeyRules.checkFileName("../clip.mp4").accepted());
        assertFalse(KeyRules.checkFileName(".hidden.mp4").accepted());
        assertFalse(KeyRules.checkFileName("a/b.mp4").accepted());
    }

    private static void assertReject(String key, String fragment) {
        KeyRules.Verdict v = KeyRules.checkKey(key);
        assertFalse(v.accepted(), key);
        assertTrue(v.rejection().contains(fragment), key + " -> " + v.rejection());
    }
}
