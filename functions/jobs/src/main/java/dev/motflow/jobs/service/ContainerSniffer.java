package dev.motflow.jobs.service;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import dev.motflow.jobs.model.Container;

/**
 * Recognises the video container from an object's first bytes and checks its top-level
 * structure against the object's size, reading through {@link RangeReader} (ranged GETs):
 * <ul>
 * <li>MP4/MOV (ISO BMFF): the top-level boxes are walked; each must have a sane size that fits
 * the object, the first must be {@code ftyp} (or a classic QuickTime atom), and a {@code moov} (or
 * fragments) and {@code mdat} must be present: a file cut short or made of an {@code ftyp} header
 * alone is truncated.</li>
 * <li>Matroska/WebM: EBML magic {@code 1A45DFA3}, a DocType of {@code matroska} or {@code webm},
 * and data after the EBML header.</li>
 * <li>AVI: {@code RIFF<size>AVI } with the RIFF size fitting the object.</li>
 * </ul>
 * Anything else is described (text, an image, an archive, ...) so the rejection says what to fix.
 */
public final class ContainerSniffer {
    /** Bytes read from the start of an object in the first request. */
    public static final int HEAD_BYTES = 4096;
    /** Top-level MP4 boxes walked at most (each beyond the first read costs one ranged GET). */
    public static final int MAX_BOXES = 32;
    private static final Set<String> FIRST_BOXES = Set.of("ftyp", "moov", "mdat", "wide", "free", "skip", "pnot");

    /** Reads {@code length} bytes at {@code offset} (fewer at the end of the object). */
    @FunctionalInterface
    public interface RangeReader {
        byte[] read(long offset, int length);
    }

    /** The container when accepted, else the reason it was rejected. */
    public record Verdict(Container container, String rejection) {
        static Verdict ok(Container c) {
            return new Verdict(c, null);
        }

        static Verdict reject(String reason) {
            return new Verdict(null, reason);
        }

        public boolean accepted() {
            return container != null;
        }
    }

    public Verdict sniff(long size, RangeReader reader) {
        if (size <= 0) {
            return Verdict.reject("the file is empty (0 bytes); upload the video again");
        }
        byte[] head = reader.read(0, (int) Math.min(size, HEAD_BYTES));
        if (head.length >= 8 && FIRST_BOXES.contains(ascii(head, 4, 4))) {
            return walkMp4(size, head, reader);
        }
        if (head.length >= 4 && (head[0] & 0xff) == 0x1A && (head[1] & 0xff) == 0x45 && (head[2] & 0xff) == 0xDF
                && (head[3] & 0xff) == 0xA3) {
            return matroska(size, head);
        }
        if (head.length >= 12 && ascii(head, 0, 4).equals("RIFF") && ascii(head, 8, 4).equals("AVI ")) {
            long riff = (head[4] & 0xffL) | (head[5] & 0xffL) << 8 | (head[6] & 0xffL) << 16 | (head[7] & 0xffL) << 24;
            if (riff + 8 > size) {
                return Verdict.reject("the AVI file is truncated: its header declares " + (riff + 8)
                        + " bytes but the file has " + size + "; upload the complete file");
            }
            if (size < 12 + 8) {
                return Verdict.reject("the AVI file holds a header and no data; upload the complete file");
            }
            return Verdict.ok(Container.AVI);
        }
        return Verdict.reject(describeUnknown(head) + "; motflow accepts MP4/MOV, Matroska/WebM and AVI videos");
    }

    private Verdict walkMp4(long size, byte[] head, RangeReader reader) {
        long offset = 0;
        Set<String> seen = new HashSet<>();
        int boxes = 0;
        while (offset < size) {
            if (boxes == MAX_BOXES) {
                break;
            }
            if (size - offset < 8) {
                return Verdict.reject("the MP4 file is truncated: " + (size - offset)
                        + " stray bytes at offset " + offset + " where a box header should be; upload the complete file");
            }
            byte[] h = offset + 16 <= head.length ? java.util.Arrays.copyOfRange(head, (int) offset, (int) offset + 16)
                    : reader.read(offset, (int) Math.min(16, size - offset));
            if (h.length < 8) {
                return Verdict.reject("the MP4 file is truncated at offset " + offset + "; upload the complete file");
            }
            long boxSize = u32(h, 0);
            String type = ascii(h, 4, 4);
            if (!printableType(h)) {
                return Verdict.reject(boxes == 0 ? "the file is not a valid MP4/MOV: it does not start with a box header"
                        : "the MP4 file is corrupt: bytes at offset " + offset + " are not a box header");
            }
            if (boxes == 0 && !FIRST_BOXES.contains(type)) {
                return Verdict.reject("the file is not a valid MP4/MOV: it starts with a '" + type + "' box");
            }
            long headerSize = 8;
            if (boxSize == 1) {
                if (h.length < 16) {
                    return Verdict.reject("the MP4 file is truncated inside the header of box '" + type + "'");
                }
                boxSize = u32(h, 8) << 32 | u32(h, 12);
                headerSize = 16;
            } else if (boxSize == 0) {
                boxSize = size - offset;
            }
            if (boxSize < headerSize) {
                return Verdict.reject("the MP4 file is corrupt: box '" + type + "' at offset " + offset
                        + " declares " + boxSize + " bytes, less than its own header");
            }
            if (boxSize > size - offset) {
                return Verdict.reject("the MP4 file is truncated: box '" + type + "' at offset " + offset + " declares "
                        + boxSize + " bytes but only " + (size - offset) + " remain; upload the complete file");
            }
            seen.add(type);
            boxes++;
            offset += boxSize;
        }
        if (!seen.contains("moov") && !seen.contains("moof")) {
            return Verdict.reject("the MP4 file is incomplete: it has no 'moov' box (the movie header), as when a "
                    + "recording was interrupted; re-export or upload the complete file");
        }
        if (!seen.contains("mdat") && offset >= size) {
            return Verdict.reject("the MP4 file has no 'mdat' box: it holds no media data");
        }
        return Verdict.ok(Container.MP4);
    }

    private static Verdict matroska(long size, byte[] head) {
        if (head.length < 5) {
            return Verdict.reject("the Matroska/WebM file is truncated inside its EBML header");
        }
        int lenBytes = vintLength(head[4] & 0xff);
        if (lenBytes == 0 || 4 + lenBytes > head.length) {
            return Verdict.reject("the Matroska/WebM file has a corrupt EBML header");
        }
        long headerSize = head[4] & (0xff >> lenBytes);
        for (int i = 1; i < lenBytes; i++) {
            headerSize = headerSize << 8 | (head[4 + i] & 0xff);
        }
        long headerEnd = 4L + lenBytes + headerSize;
        if (headerEnd > head.length) {
            return Verdict.reject(headerEnd > size ? "the Matroska/WebM file is truncated inside its EBML header"
                    : "the Matroska/WebM EBML header is implausibly large (" + headerSize + " bytes)");
        }
        String docType = null;
        for (int i = 4 + lenBytes; i + 2 < headerEnd; i++) {
            if ((head[i] & 0xff) == 0x42 && (head[i + 1] & 0xff) == 0x82) {
                int l = vintLength(head[i + 2] & 0xff);
                if (l == 1) {
                    int n = head[i + 2] & 0x7f;
                    if (i + 3 + n <= headerEnd) {
                        docType = new String(head, i + 3, n, StandardCharsets.US_ASCII).replace("\0", "");
                    }
                }
                break;
            }
        }
        if (docType == null || !(docType.equals("matroska") || docType.equals("webm"))) {
            return Verdict.reject("the EBML file is not a video: its DocType is "
                    + (docType == null ? "missing" : "'" + docType + "'") + " (expected matroska or webm)");
        }
        if (headerEnd >= size) {
            return Verdict.reject("the " + docType + " file holds only its EBML header and no segment; upload the complete file");
        }
        return Verdict.ok(Container.MATROSKA);
    }

    private static int vintLength(int first) {
        for (int i = 0; i < 8; i++) {
            if ((first & (0x80 >> i)) != 0) {
                return i + 1;
            }
        }
        return 0;
    }

    static String describeUnknown(byte[] head) {
        if (startsWith(head, 0x89, 'P', 'N', 'G')) {
            return "the file is a PNG image, not a video";
        }
        if (startsWith(head, 0xFF, 0xD8, 0xFF)) {
            return "the file is a JPEG image, not a video";
        }
        if (startsWith(head, 'G', 'I', 'F', '8')) {
            return "the file is a GIF image, not a video";
        }
        if (startsWith(head, '%', 'P', 'D', 'F')) {
            return "the file is a PDF document, not a video";
        }
        if (startsWith(head, 'P', 'K', 3, 4)) {
            return "the file is a ZIP archive, not a video";
        }
        if (looksLikeText(head)) {
            String start = new String(head, 0, Math.min(head.length, 24), StandardCharsets.UTF_8)
                    .replaceAll("[\\p{Cntrl}]", " ").strip();
            return "the file is text, not a video (it starts with \"" + KeyRules.printable(start) + "\")";
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) {
            hex.append(String.format(Locale.ROOT, "%02x ", head[i] & 0xff));
        }
        return "the file's first bytes (" + hex.toString().strip() + ") match no supported video container";
    }

    private static boolean looksLikeText(byte[] head) {
        int n = Math.min(head.length, 512);
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            int b = head[i] & 0xff;
            if (b < 0x09 || (b > 0x0d && b < 0x20) || b == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean printableType(byte[] h) {
        for (int i = 4; i < 8; i++) {
            int b = h[i] & 0xff;
            if (b < 0x20 || b > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) << 24 | (b[at + 1] & 0xffL) << 16 | (b[at + 2] & 0xffL) << 8 | (b[at + 3] & 0xffL);
    }

    private static String ascii(byte[] b, int at, int len) {
        return new String(b, at, len, StandardCharsets.ISO_8859_1);
    }
}
