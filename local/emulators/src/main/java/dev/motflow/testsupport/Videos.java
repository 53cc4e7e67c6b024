package dev.motflow.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Byte-exact small container files for tests (structure only; no decodable frames needed). */
public final class Videos {
    private Videos() {
    }

    /** An ISO BMFF file: ftyp (isom), moov with an mvhd, mdat with {@code payload} bytes. */
    public static byte[] mp4(int payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] ftyp = box("ftyp", concat("isom".getBytes(StandardCharsets.US_ASCII), new byte[] {0, 0, 2, 0},
                "isomiso2avc1mp41".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer mvhd = ByteBuffer.allocate(100);
        mvhd.putInt(0); // version + flags
        mvhd.putInt(0).putInt(0).putInt(1000).putInt(1000); // times, timescale, duration
        mvhd.putInt(0x00010000).putShort((short) 0x0100);
        byte[] moov = box("moov", box("mvhd", mvhd.array()));
        byte[] data = new byte[payload];
        for (int i = 0; i < payload; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        out.writeBytes(ftyp);
        out.writeBytes(moov);
        out.writeBytes(box("mdat", data));
        return out.toByteArray();
    }

    /** A Matroska/WebM file: EBML header with DocType, then a (tiny) Segment. */
    public static byte[] webm() {
        byte[] docType = concat(new byte[] {0x42, (byte) 0x82, (byte) 0x84}, "webm".getBytes(StandardCharsets.US_ASCII));
        byte[] header = concat(new byte[] {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3, (byte) (0x80 | docType.length)}, docType);
        byte[] segment = {0x18, 0x53, (byte) 0x80, 0x67, (byte) 0x84, 1, 2, 3, 4};
        return concat(header, segment);
    }

    /** An AVI file: RIFF header with a correct size and a little data. */
    public static byte[] avi(int payload) {
        ByteBuffer b = ByteBuffer.allocate(12 + payload).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + payload).put("AVI ".getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    public static byte[] box(String type, byte[] content) {
        ByteBuffer b = ByteBuffer.allocate(8 + content.length);
        b.putInt(8 + content.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(content);
        return b.array();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
