package dev.motflow.streams.store;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

import dev.motflow.tracking.TrackerStateCodec;

/**
 * Keeps an encoded tracker state under a size limit by dropping lost tracks, the longest-lost first
 * (they are the closest to timing out and the least likely to be found again). Tracked tracks are
 * never dropped: the stream's detection cap keeps them within the limit.
 *
 * <p>Works on the bytes of {@link TrackerStateCodec} format version 1 as that class documents it
 * (header, tracked tracks, lost tracks, with the camera shift from the tracks the carried shift, CRC-32C),
 * so the tracker needs no trimming API. A state of
 * another version is refused; {@code StateTrimmerTest} fails when the codec moves on, as a reminder.
 */
public final class StateTrimmer {
    private static final int FORMAT = 1;
    /** score + Kalman mean (8) + covariance upper triangle (36), all float32. */
    private static final int FIXED_FLOATS_BYTES = 4 * (1 + 8 + 36);
    /** The real parameter that flags the camera shift from the tracks (0-based), and its trailer: two float64. */
    private static final int CAMERA_SHIFT_PARAM = 21;
    private static final int CAMERA_SHIFT_BYTES = 16;

    private StateTrimmer() {
    }

    /** What a trim did. */
    public record Result(byte[] state, int droppedLost) {
    }

    /**
     * @return {@code state} itself when it fits, else a re-encoded state without enough lost tracks
     * @throws IllegalStateException when the tracked tracks alone exceed {@code maxBytes}, or the
     *     format is not version 1
     */
    public static Result trim(byte[] state, int maxBytes) {
        if (state.length <= maxBytes) {
            return new Result(state, 0);
        }
        Cursor c = new Cursor(state);
        int version = c.varint();
        if (version != FORMAT || TrackerStateCodec.VERSION != FORMAT) {
            throw new IllegalStateException("cannot trim a tracker state of format " + version + " (this code knows "
                    + FORMAT + ", the codec writes " + TrackerStateCodec.VERSION + ")");
        }
        c.skip(1); // policy
        c.varint(); // track buffer
        int dim = c.varint();
        c.skip(1); // flags
        int params = c.varint();
        int trailer = cameraShiftOn(state, c.pos, params) ? CAMERA_SHIFT_BYTES : 0;
        c.skip(8L * params);
        c.varint(); // frame id
        c.varint(); // last track id
        int headerEnd = c.pos;
        int tracked = c.varint();
        int lost = c.varint();
        int tracksStart = c.pos;
        for (int i = 0; i < tracked; i++) {
            skipTrack(c, dim);
        }
        int trackedEnd = c.pos;
        List<int[]> lostTracks = new ArrayList<>(lost); // {start, end, framesSinceMatch, index}
        for (int i = 0; i < lost; i++) {
            int start = c.pos;
            c.varint(); // id
            c.skip(1); // flags
            int sinceMatch = c.varint();
            c.pos = start;
            skipTrack(c, dim);
            lostTracks.add(new int[] {start, c.pos, sinceMatch, i});
        }
        int trailerStart = c.pos;
        if (trailerStart != state.length - 4 - trailer) {
            throw new IllegalStateException("tracker state layout not understood ("
                    + (state.length - 4 - trailer - trailerStart) + " bytes left over)");
        }
        int fixed = headerEnd + 10 + (trackedEnd - tracksStart) + trailer + 4;
        if (fixed > maxBytes) {
            throw new IllegalStateException(tracked + " tracked tracks need " + fixed + " bytes, over the state limit of "
                    + maxBytes);
        }
        List<int[]> byAge = new ArrayList<>(lostTracks);
        byAge.sort(Comparator.<int[]>comparingInt(t -> t[2]).thenComparingInt(t -> t[3]));
        boolean[] keep = new boolean[lost];
        int budget = maxBytes - fixed;
        for (int[] t : byAge) {
            int len = t[1] - t[0];
            if (len > budget) {
                break; // keep the most recently lost ones only: no skipping ahead to smaller, older tracks
            }
            budget -= len;
            keep[t[3]] = true;
        }
        int kept = 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream(maxBytes);
        out.write(state, 0, headerEnd);
        writeVarint(out, tracked);
        for (boolean k : keep) {
            kept += k ? 1 : 0;
        }
        writeVarint(out, kept);
        out.write(state, tracksStart, trackedEnd - tracksStart);
        for (int[] t : lostTracks) {
            if (keep[t[3]]) {
                out.write(state, t[0], t[1] - t[0]);
            }
        }
        out.write(state, trailerStart, trailer); // the carried camera shift, unchanged
        CRC32C crc = new CRC32C();
        byte[] body = out.toByteArray();
        crc.update(body, 0, body.length);
        int v = (int) crc.getValue();
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
        return new Result(out.toByteArray(), lost - kept);
    }

    /** The lost tracks of a format-1 state as {id, frames since their last match}, in stored order. */
    public static List<int[]> lostTracks(byte[] state) {
        Cursor c = new Cursor(state);
        if (c.varint() != FORMAT) {
            throw new IllegalStateException("not a format " + FORMAT + " tracker state");
        }
        c.skip(1);
        c.varint();
        int dim = c.varint();
        c.skip(1);
        c.skip(8L * c.varint());
        c.varint();
        c.varint();
        int tracked = c.varint();
        int lost = c.varint();
        for (int i = 0; i < tracked; i++) {
            skipTrack(c, dim);
        }
        List<int[]> out = new ArrayList<>(lost);
        for (int i = 0; i < lost; i++) {
            int start = c.pos;
            int id = c.varint();
            c.skip(1);
            int since = c.varint();
            c.pos = start;
            skipTrack(c, dim);
            out.add(new int[] {id, since});
        }
        return out;
    }

    /** Whether the real parameters at {@code at} (float64 little-endian) have the camera-shift flag on. */
    private static boolean cameraShiftOn(byte[] state, int at, int params) {
        if (params <= CAMERA_SHIFT_PARAM) {
            return false;
        }
        int p = at + 8 * CAMERA_SHIFT_PARAM;
        if (p + 8 > state.length - 4) {
            throw new IllegalStateException("tracker state truncated at byte " + p);
        }
        long bits = 0;
        for (int k = 7; k >= 0; k--) {
            bits = bits << 8 | (state[p + k] & 0xff);
        }
        return Double.longBitsToDouble(bits) != 0;
    }

    private static void skipTrack(Cursor c, int dim) {
        c.varint(); // id
        c.skip(1); // state flags
        c.varint(); // frames since last match
        c.varint(); // frames since start
        c.varint(); // tracklet length
        c.skip(FIXED_FLOATS_BYTES + 2L * dim);
    }

    private static void writeVarint(ByteArrayOutputStream out, int v) {
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    private static final class Cursor {
        final byte[] buf;
        int pos;

        Cursor(byte[] buf) {
            this.buf = buf;
        }

        void skip(long n) {
            if (pos + n > buf.length - 4) {
                throw new IllegalStateException("tracker state truncated at byte " + pos);
            }
            pos += (int) n;
        }

        int varint() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                if (pos >= buf.length - 4) {
                    throw new IllegalStateException("tracker state truncated at byte " + pos);
                }
                int b = buf[pos++] & 0xff;
                v |= (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalStateException("bad varint before byte " + pos);
        }
    }
}
