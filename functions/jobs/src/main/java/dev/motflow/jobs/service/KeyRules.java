package dev.motflow.jobs.service;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;

/**
 * Rules for object keys and file names. Keys arrive URL-encoded in S3 event notifications
 * ({@code +} for a space). A key is accepted when it lies under {@code incoming/}, has no
 * {@code .}/{@code ..} segment, no empty segment, no backslash, no control, format (bidi
 * overrides, zero-width), private-use, unassigned or replacement characters, at most
 * {@link #MAX_KEY_BYTES} UTF-8 bytes, and a file name of at most {@link #MAX_FILE_NAME_CHARS}
 * characters with a video extension. File names are kept NFC-normalised for display; the key
 * itself is never rewritten (it is how the object is read).
 */
public final class KeyRules {
    public static final int MAX_KEY_BYTES = 1024;
    public static final int MAX_FILE_NAME_CHARS = 255;
    public static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "m4v", "mov", "mkv", "webm", "avi");

    private KeyRules() {
    }

    /** A verdict: the NFC file name when accepted, else the reason. */
    public record Verdict(String fileName, String rejection) {
        public boolean accepted() {
            return rejection == null;
        }

        static Verdict reject(String reason) {
            return new Verdict(null, reason);
        }
    }

    /** Decodes a key as S3 writes it into event notifications; null when it is not valid encoding. */
    public static String decodeEventKey(String raw) {
        if (raw == null) {
            return null;
        }
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static Verdict checkKey(String key) {
        if (key == null || key.isEmpty()) {
            return Verdict.reject("the object key is empty");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            return Verdict.reject("the object key is longer than " + MAX_KEY_BYTES + " bytes");
        }
        if (!key.startsWith(JobsConfig.DROP_PREFIX)) {
            return Verdict.reject("videos must be uploaded under '" + JobsConfig.DROP_PREFIX + "'; key '"
                    + printable(key) + "' is outside it");
        }
        String chars = badCharacters(key);
        if (chars != null) {
            return Verdict.reject("the object key contains " + chars + "; rename the file using plain characters");
        }
        if (key.indexOf('\\') >= 0) {
            return Verdict.reject("the object key contains a backslash; use '/' between folders");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return Verdict.reject("the object key contains a '" + segment + "' path segment (path traversal is not allowed)");
            }
        }
        if (key.contains("//")) {
            return Verdict.reject("the object key contains an empty folder name ('//')");
        }
        String name = key.substring(key.lastIndexOf('/') + 1);
        return checkFileName(name);
    }

    /** Rules for a bare file name (no folders), as POST /jobs receives it. */
    public static Verdict checkFileName(String name) {
        if (name == null || name.isEmpty()) {
            return Verdict.reject("the file name is empty");
        }
        String chars = badCharacters(name);
        if (chars != null) {
            return Verdict.reject("the file name contains " + chars + "; rename the file using plain characters");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return Verdict.reject("the file name must not contain '/' or '\\'");
        }
        if (name.equals(".") || name.equals("..") || name.startsWith(".")) {
            return Verdict.reject("the file name must not start with '.'");
        }
        String nfc = Normalizer.normalize(name, Normalizer.Form.NFC);
        if (nfc.length() > MAX_FILE_NAME_CHARS) {
            return Verdict.reject("the file name is longer than " + MAX_FILE_NAME_CHARS + " characters");
        }
        int dot = nfc.lastIndexOf('.');
        String ext = dot < 0 ? "" : nfc.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (!VIDEO_EXTENSIONS.contains(ext)) {
            return Verdict.reject("the file name must end in a video extension (" + String.join(", ",
                    VIDEO_EXTENSIONS.stream().sorted().map(e -> "." + e).toList()) + "), got '" + printable(nfc) + "'");
        }
        return new Verdict(nfc, null);
    }

    /** Describes the first disallowed character, or null when there is none. */
    static String badCharacters(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            String what = switch (Character.getType(cp)) {
                case Character.CONTROL -> "a control character";
                case Character.FORMAT -> "an invisible formatting character (e.g. a bidi override or zero-width space)";
                case Character.PRIVATE_USE -> "a private-use character";
                case Character.SURROGATE -> "a broken UTF-16 surrogate";
                case Character.UNASSIGNED -> "an unassigned code point";
                case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "a line separator";
                default -> null;
            };
            if (what == null && (cp == 0xFFFD || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)) {
                what = "a replacement or non-character (the name was not valid UTF-8)";
            }
            if (what != null) {
                return what + String.format(Locale.ROOT, " (U+%04X at position %d)", cp, i);
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    /** The string with anything unsafe to echo replaced by '?', cut to 200 characters. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(200).forEach(cp -> {
            int t = Character.getType(cp);
            boolean bad = t == Character.CONTROL || t == Character.FORMAT || t == Character.PRIVATE_USE
                    || t == Character.SURROGATE || t == Character.UNASSIGNED;
            sb.appendCodePoint(bad ? '?' : cp);
        });
        return sb.toString();
    }
}
