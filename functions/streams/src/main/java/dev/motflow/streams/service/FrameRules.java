package dev.motflow.streams.service;

import java.util.regex.Pattern;

/** What a frame request must satisfy before anything is called. */
public final class FrameRules {
    /** 1-128 characters, letters, digits, '.', '_', '-', starting with a letter or digit. */
    public static final Pattern STREAM_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    public static final String JPEG = "image/jpeg";
    public static final String PNG = "image/png";

    private FrameRules() {
    }

    public static String requireStreamId(String streamId) {
        if (streamId == null || streamId.isEmpty()) {
            throw StreamException.badRequest("InvalidStreamId", "the stream id is missing");
        }
        if (!STREAM_ID.matcher(streamId).matches()) {
            throw StreamException.badRequest("InvalidStreamId", "stream id '" + printable(streamId)
                    + "' is invalid: use 1-128 characters of letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        return streamId;
    }

    /** The frame's media type from its first bytes (JPEG {@code FF D8 FF}, PNG {@code 89 50 4E 47 0D 0A 1A 0A}). */
    public static String sniffImage(byte[] image, int maxBytes) {
        if (image == null || image.length == 0) {
            throw StreamException.badRequest("EmptyBody", "the request has no body: send the frame as a JPEG or PNG image");
        }
        if (image.length > maxBytes) {
            throw new StreamException(413, "FrameTooLarge", "the frame has " + image.length + " bytes, more than the limit of "
                    + maxBytes + " bytes (the API passes at most ~6 MB of base64-encoded event to the function)");
        }
        if (image.length >= 3 && (image[0] & 0xff) == 0xFF && (image[1] & 0xff) == 0xD8 && (image[2] & 0xff) == 0xFF) {
            return JPEG;
        }
        if (image.length >= 8 && (image[0] & 0xff) == 0x89 && image[1] == 'P' && image[2] == 'N' && image[3] == 'G'
                && image[4] == 0x0D && image[5] == 0x0A && image[6] == 0x1A && image[7] == 0x0A) {
            return PNG;
        }
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < Math.min(4, image.length); i++) {
            head.append(String.format("%02X", image[i] & 0xff));
        }
        throw StreamException.badRequest("UnsupportedImage", "the body is not a JPEG or PNG image (it starts with 0x" + head
                + "; JPEG starts with FFD8FF, PNG with 89504E47)");
    }

    /** A frame index: a decimal integer in [0, 2^53) (exact in JSON numbers everywhere). */
    public static long parseFrameIndex(String text, String source) {
        String t = text.trim();
        if (t.isEmpty() || t.length() > 16 || !t.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw StreamException.badRequest("InvalidFrameIndex", "the frame index from " + source + " must be a"
                    + " non-negative integer below 2^53, got '" + printable(t) + "'");
        }
        long v = Long.parseLong(t);
        if (v >= (1L << 53)) {
            throw StreamException.badRequest("InvalidFrameIndex", "the frame index from " + source + " must be below 2^53, got " + v);
        }
        return v;
    }

    /** For messages and logs: at most 64 characters, non-printable ones as '?'. */
    public static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(cp -> b.append(cp >= 0x20 && cp < 0x7f ? Character.toString(cp) : "?"));
        return b.toString();
    }
}
