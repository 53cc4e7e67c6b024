package dev.motflow.tracking;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Compact, versioned binary encoding of a whole {@link Tracker}: everything needed to continue
 * tracking (the configuration, frame counter, id counter and every tracked, unconfirmed and lost
 * track with its Kalman state, smoothed embedding and lifecycle fields). Decoding and continuing
 * gives exactly the ids and boxes that the never-encoded tracker gives, because the tracker holds its
 * state at the encoded precision.
 *
 * <p>Layout of version 1 (integers are unsigned LEB128 varints; floats little-endian):
 * <pre>
 *   varint  format version (1)
 *   byte    policy code ({@link Policy#code()})
 *   varint  trackBuffer
 *   varint  embeddingDim (0 without embeddings)
 *   byte    flags: bit 0 fuseScore
 *   varint  P, the number of real parameters, then P float64 in the order of
 *           frameRate, detThresh, embeddingMatchThresh, motionLambda, featureMomentum, iouMatchThresh,
 *           trackThresh, lowThresh, matchThresh, lowMatchThresh, newTrackMargin, unconfirmedThresh,
 *           duplicateThresh, then (P = 15) lowScoreRefindBuffer, unconfirmedBuffer, then (P = 17)
 *           relativeAspectNoise, lowScoreConfirm (1 or 0), then (P = 20) maxLostSeconds, reidAfterSeconds,
 *           reidThresh, then (P = 21) widthState (1 or 0), then (P = 22) cameraShiftFromTracks (1 or 0), then
 *           (P = 23) shortTrackLostBuffer, then (P = 24) nestedBoxLimit, then (P = 25) rematchAfterShift (1 or 0),
 *           then (P = 26) reportMissedFrame (1 or 0);
 *           each only when it or a later one differs from its reference value (0, 1; 0, 0; 0, 0, 0; 0; 0; 0; 0;
 *           0; 0), so such
 *           states keep their first layout
 *   varint  frame id (frames processed)
 *   varint  last track id handed out
 *   varint  T tracked tracks, varint L lost tracks, then T + L tracks, each:
 *     varint  track id
 *     byte    bits 0-1 state (1 tracked, 2 lost, 3 removed), bit 2 confirmed, bit 3 once removed
 *     varint  frames since its last match (frame id - end frame)
 *     varint  frames since its start (frame id - start frame)
 *     varint  tracklet length
 *     float32 score
 *     8  float32  Kalman mean (cx, cy, a, h, vcx, vcy, va, vh); with widthState (cx, cy, w, h, vcx, vcy, vw, vh)
 *     36 float32  Kalman covariance, upper triangle row by row (it is symmetric)
 *     embeddingDim float16  smoothed embedding
 *   only with cameraShiftFromTracks: float64 dx, float64 dy, the camera shift carried to the next frame
 *   uint32  CRC-32C of every byte before it (little-endian)
 * </pre>
 * Compatibility contract: every later version decodes every earlier one (new fields are appended
 * or guarded by the version; readers take the real parameters they know and give the ones a state
 * lacks their reference values, so a state written before a parameter existed continues with the
 * reference rules, and a reader older than a parameter ignores it). A state from a newer version than
 * the reader is refused, never misread.
 *
 * <p>Rollout: a reader older than widthState would ignore that parameter and read the width as an aspect
 * ratio, so readers that know it must be deployed before any writer of width states (motflow's ByteTrack
 * default since the width state). States without it decode with the aspect-ratio filter, unchanged.
 * Likewise a reader older than cameraShiftFromTracks refuses such states (the carried shift after the tracks is
 * trailing bytes to it), so readers that know it go out before writers that set it (motflow's ByteTrack default
 * since the camera shift); states without it decode without a shift, unchanged. A reader older than
 * shortTrackLostBuffer ignores it and keeps every lost track the full buffer (no rollout order needed); one older
 * than nestedBoxLimit ignores that and lets nested boxes start tracks (likewise), and one older than
 * rematchAfterShift goes on without the rematch (likewise), and one older than reportMissedFrame reports only the
 * tracks matched in a frame (likewise).
 */
public final class TrackerStateCodec {
    /** The version this code writes. */
    public static final int VERSION = 1;
    private static final int REAL_PARAMS_V1 = 13;

    private TrackerStateCodec() {
    }

    /** Encodes {@code tracker}; the array is exactly as long as the encoding. */
    public static byte[] encode(Tracker tracker) {
        TrackerConfig c = tracker.config();
        int dim = c.embeddingDim();
        int perTrack = 5 + 1 + 5 + 5 + 5 + 4 + 4 * (KalmanFilter.STATE + KalmanFilter.COV) + 2 * dim;
        TrackLifecycle state = tracker.lifecycle;
        int tracks = state.tracked.size() + state.lost.size();
        Writer w = new Writer(80 + 8 * REAL_PARAMS_V1 + tracks * perTrack);
        w.varint(VERSION);
        w.u8(c.policy().code());
        w.varint(c.trackBuffer());
        w.varint(dim);
        w.u8(c.fuseScore() ? 1 : 0);
        double[] params = c.realParams();
        w.varint(params.length);
        for (double p : params) {
            w.f64(p);
        }
        w.varint(state.frameId);
        w.varint(state.lastId);
        w.varint(state.tracked.size());
        w.varint(state.lost.size());
        for (Track t : state.tracked) {
            writeTrack(w, t, state.frameId);
        }
        for (Track t : state.lost) {
            writeTrack(w, t, state.frameId);
        }
        if (c.cameraShiftFromTracks()) {
            w.f64(state.cameraDx);
            w.f64(state.cameraDy);
        }
        CRC32C crc = new CRC32C();
        crc.update(w.buf, 0, w.pos);
        w.u32((int) crc.getValue());
        return Arrays.copyOf(w.buf, w.pos);
    }

    private static void writeTrack(Writer w, Track t, int frameId) {
        w.varint(t.id);
        w.u8(t.state | (t.activated ? 4 : 0) | (t.everRemoved ? 8 : 0));
        w.varint(frameId - t.frameId);
        w.varint(frameId - t.startFrame);
        w.varint(t.trackletLen);
        w.f32(t.score);
        for (float v : t.mean) {
            w.f32(v);
        }
        for (float v : t.cov) {
            w.f32(v);
        }
        if (t.feature != null) {
            for (float v : t.feature) {
                w.u16(Float.floatToFloat16(v));
            }
        }
    }

    /** Decodes a state written by this or any earlier version. */
    public static Tracker decode(byte[] data) {
        if (data == null || data.length < 5) {
            throw new StateFormatException("tracker state too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length - 4);
        Reader r = new Reader(data, data.length - 4);
        int stored = (data[data.length - 4] & 0xff) | (data[data.length - 3] & 0xff) << 8
                | (data[data.length - 2] & 0xff) << 16 | (data[data.length - 1] & 0xff) << 24;
        if (stored != (int) crc.getValue()) {
            throw new StateFormatException("tracker state checksum mismatch (corrupted or truncated)");
        }
        int version = r.varint();
        if (version < 1 || version > VERSION) {
            throw new StateFormatException("tracker state version " + version + " is not supported (this reader knows 1.."
                    + VERSION + ")");
        }
        Policy policy;
        try {
            policy = Policy.fromCode(r.u8());
        } catch (IllegalArgumentException e) {
            throw new StateFormatException(e.getMessage());
        }
        int trackBuffer = r.varint();
        int dim = r.varint();
        int flags = r.u8();
        int count = r.varint();
        if (count < REAL_PARAMS_V1 || count > 1024) {
            throw new StateFormatException("tracker state has " + count + " parameters, expected at least " + REAL_PARAMS_V1);
        }
        double[] params = new double[count];
        for (int i = 0; i < count; i++) {
            params[i] = r.f64();
        }
        TrackerConfig config;
        try {
            config = TrackerConfig.fromParams(policy, trackBuffer, dim, (flags & 1) != 0, params);
        } catch (IllegalArgumentException e) {
            throw new StateFormatException("tracker state has an invalid configuration: " + e.getMessage());
        }
        int frameId = r.varint();
        int lastId = r.varint();
        int nTracked = r.varint();
        int nLost = r.varint();
        ArrayList<Track> tracked = new ArrayList<>(nTracked);
        ArrayList<Track> lost = new ArrayList<>(nLost);
        for (int i = 0; i < nTracked + nLost; i++) {
            Track t = readTrack(r, frameId, config.embeddingDim(), config.widthState());
            (i < nTracked ? tracked : lost).add(t);
        }
        double cameraDx = 0;
        double cameraDy = 0;
        if (config.cameraShiftFromTracks()) {
            cameraDx = r.f64();
            cameraDy = r.f64();
            if (!Double.isFinite(cameraDx) || !Double.isFinite(cameraDy)) {
                throw new StateFormatException("tracker state has a non-finite camera shift");
            }
        }
        if (r.pos != r.end) {
            throw new StateFormatException("tracker state has " + (r.end - r.pos) + " unexpected trailing bytes");
        }
        Tracker tracker = Tracker.restore(config, frameId, lastId, tracked, lost);
        tracker.lifecycle.cameraDx = cameraDx;
        tracker.lifecycle.cameraDy = cameraDy;
        return tracker;
    }

    private static Track readTrack(Reader r, int frameId, int dim, boolean widthState) {
        Track t = new Track(dim, widthState);
        t.id = r.varint();
        int flags = r.u8();
        t.state = flags & 3;
        if (t.state == 0) {
            throw new StateFormatException("track " + t.id + " has no state");
        }
        t.activated = (flags & 4) != 0;
        t.everRemoved = (flags & 8) != 0;
        t.frameId = frameId - r.varint();
        t.startFrame = frameId - r.varint();
        t.trackletLen = r.varint();
        t.score = r.f32();
        for (int k = 0; k < KalmanFilter.STATE; k++) {
            t.mean[k] = r.f32();
        }
        for (int k = 0; k < KalmanFilter.COV; k++) {
            t.cov[k] = r.f32();
        }
        if (dim > 0) {
            for (int k = 0; k < dim; k++) {
                t.feature[k] = Float.float16ToFloat((short) r.u16());
            }
            t.quantizeFeature();
        }
        t.alive = true;
        return t;
    }

    private static final class Writer {
        byte[] buf;
        int pos;

        Writer(int capacity) {
            buf = new byte[capacity];
        }

        void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[pos++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            buf[pos++] = (byte) v;
            buf[pos++] = (byte) (v >>> 8);
        }

        void u32(int v) {
            ensure(4);
            buf[pos++] = (byte) v;
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) (v >>> 16);
            buf[pos++] = (byte) (v >>> 24);
        }

        void f32(float v) {
            u32(Float.floatToRawIntBits(v));
        }

        void f64(double v) {
            long b = Double.doubleToRawLongBits(v);
            u32((int) b);
            u32((int) (b >>> 32));
        }

        void varint(int v) {
            if (v < 0) {
                throw new IllegalStateException("negative varint " + v);
            }
            ensure(5);
            while ((v & ~0x7f) != 0) {
                buf[pos++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }
    }

    private static final class Reader {
        final byte[] buf;
        final int end;
        int pos;

        Reader(byte[] buf, int end) {
            this.buf = buf;
            this.end = end;
        }

        private void need(int n) {
            if (pos + n > end) {
                throw new StateFormatException("tracker state truncated at byte " + pos);
            }
        }

        int u8() {
            need(1);
            return buf[pos++] & 0xff;
        }

        int u16() {
            need(2);
            int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8;
            pos += 2;
            return v;
        }

        int u32() {
            need(4);
            int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16
                    | (buf[pos + 3] & 0xff) << 24;
            pos += 4;
            return v;
        }

        float f32() {
            return Float.intBitsToFloat(u32());
        }

        double f64() {
            long lo = u32() & 0xffffffffL;
            long hi = u32() & 0xffffffffL;
            return Double.longBitsToDouble(lo | hi << 32);
        }

        int varint() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = u8();
                v |= (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    if (v < 0) {
                        break;
                    }
                    return v;
                }
            }
            throw new StateFormatException("bad varint before byte " + pos);
        }
    }
}
