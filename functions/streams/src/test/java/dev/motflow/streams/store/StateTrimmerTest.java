package dev.motflow.streams.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.motflow.tracking.Detections;
import dev.motflow.tracking.Tracker;
import dev.motflow.tracking.TrackerConfig;
import dev.motflow.tracking.TrackerOutput;
import dev.motflow.tracking.TrackerStateCodec;

class StateTrimmerTest {
    static final int DIM = 128;

    /** Objects {@code k} live in frames k/150 - 1 and k/150 at a fixed random spot with a fixed embedding. */
    static Detections crowd(int frame, int perFrame) {
        Detections d = new Detections(DIM, perFrame);
        float[] e = new float[DIM];
        for (int k = frame * perFrame / 2; k < frame * perFrame / 2 + perFrame; k++) {
            SplittableRandom r = new SplittableRandom(k * 31L + 7);
            for (int i = 0; i < DIM; i++) {
                e[i] = (float) (r.nextDouble() - 0.5);
            }
            d.add(r.nextDouble(0, 4000), r.nextDouble(0, 3000), 24, 60, 0.9, e, 0);
        }
        return d;
    }

    @Test
    void theCodecIsStillFormatOne() {
        assertEquals(1, TrackerStateCodec.VERSION, "StateTrimmer reads format 1: teach it the new layout");
    }

    @Test
    void aStateUnderTheLimitIsReturnedAsIs() {
        Tracker t = new Tracker(TrackerConfig.jde(DIM));
        t.update(crowd(1, 10));
        byte[] state = TrackerStateCodec.encode(t);
        StateTrimmer.Result r = StateTrimmer.trim(state, state.length);
        assertSame(state, r.state());
        assertEquals(0, r.droppedLost());
    }

    @Test
    void dropsTheLongestLostTracksFirstAndTheTrimmedTrackerContinuesLikeTheFullOne() {
        Tracker full = new Tracker(TrackerConfig.jde(DIM));
        for (int f = 1; f <= 12; f++) {
            full.update(crowd(f, 300));
        }
        byte[] state = TrackerStateCodec.encode(full);
        assertTrue(full.lostCount() > 1000, "lost tracks: " + full.lostCount());
        int limit = 256 * 1024;
        assertTrue(state.length > 2 * limit, "untrimmed " + state.length);

        StateTrimmer.Result r = StateTrimmer.trim(state, limit);
        assertTrue(r.state().length <= limit, r.state().length + " bytes");
        assertTrue(r.state().length > limit - 1024, "fills the limit: " + r.state().length);
        Tracker trimmed = TrackerStateCodec.decode(r.state());
        assertEquals(full.trackedCount(), trimmed.trackedCount());
        assertEquals(full.lostCount() - r.droppedLost(), trimmed.lostCount());
        assertEquals(full.frameId(), trimmed.frameId());
        assertEquals(full.lastTrackId(), trimmed.lastTrackId());

        List<int[]> before = StateTrimmer.lostTracks(state);
        List<int[]> kept = StateTrimmer.lostTracks(r.state());
        int oldestKept = kept.stream().mapToInt(t -> t[1]).max().orElseThrow();
        java.util.Set<Integer> keptIds = new java.util.HashSet<>();
        kept.forEach(t -> keptIds.add(t[0]));
        int youngestDropped = before.stream().filter(t -> !keptIds.contains(t[0])).mapToInt(t -> t[1]).min().orElseThrow();
        assertTrue(oldestKept <= youngestDropped, "kept lost for up to " + oldestKept + " frames, dropped one lost for "
                + youngestDropped);

        // The next frame only continues tracked objects: both trackers give the same tracks.
        Detections next = crowd(13, 300);
        TrackerOutput a = full.update(next);
        int[] idsA = new int[a.size()];
        double[] boxesA = new double[a.size()];
        for (int i = 0; i < a.size(); i++) {
            idsA[i] = a.id(i);
            boxesA[i] = a.x(i) + a.y(i) * 1e-4;
        }
        TrackerOutput b = trimmed.update(next);
        int[] idsB = new int[b.size()];
        double[] boxesB = new double[b.size()];
        for (int i = 0; i < b.size(); i++) {
            idsB[i] = b.id(i);
            boxesB[i] = b.x(i) + b.y(i) * 1e-4;
        }
        assertArrayEquals(idsA, idsB);
        assertArrayEquals(boxesA, boxesB, 0.0);
    }

    @Test
    void keepsTheCarriedCameraShiftOfTheByteTrackDefault() {
        // Eight people in a row, the camera panning 20 px a frame from frame 11 (a shift is carried), and a
        // crowd of short-lived boxes far below them that leaves many lost tracks.
        Tracker full = new Tracker(TrackerConfig.byteTrack());
        for (int f = 1; f <= 14; f++) {
            full.update(pan(f, 300));
        }
        byte[] state = TrackerStateCodec.encode(full);
        int limit = 64 * 1024;
        assertTrue(state.length > 2 * limit, "untrimmed " + state.length);
        StateTrimmer.Result r = StateTrimmer.trim(state, limit);
        assertTrue(r.state().length <= limit && r.droppedLost() > 0, r.state().length + " bytes");
        byte[] shift = java.util.Arrays.copyOfRange(state, state.length - 20, state.length - 4);
        assertArrayEquals(shift, java.util.Arrays.copyOfRange(r.state(), r.state().length - 20, r.state().length - 4));
        assertTrue(java.nio.ByteBuffer.wrap(shift).order(java.nio.ByteOrder.LITTLE_ENDIAN).getDouble() > 0,
                "a shift is carried");
        Tracker trimmed = TrackerStateCodec.decode(r.state());
        assertEquals(full.trackedCount(), trimmed.trackedCount());
        for (int f = 15; f <= 17; f++) {
            TrackerOutput a = full.update(pan(f, 0));
            TrackerOutput b = trimmed.update(pan(f, 0));
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.id(i), b.id(i));
                assertEquals(a.x(i), b.x(i), 0.0, "frame " + f + ": the trimmed tracker moved its predictions alike");
            }
        }
    }

    /** {@link #keepsTheCarriedCameraShiftOfTheByteTrackDefault}'s frames: the row, then {@code crowd} boxes. */
    static Detections pan(int frame, int crowd) {
        Detections d = new Detections(0);
        double dx = frame >= 11 ? 20.0 * (frame - 10) : 0;
        for (int i = 0; i < 8; i++) {
            d.add(60 + 110 * i + dx, 200, 40, 100, 0.9);
        }
        for (int k = frame * crowd / 2; k < frame * crowd / 2 + crowd; k++) {
            SplittableRandom r = new SplittableRandom(k * 31L + 7);
            d.add(r.nextDouble(0, 4000), r.nextDouble(1000, 4000), 24, 60, 0.9);
        }
        return d;
    }

    @Test
    void refusesWhenTheTrackedTracksAloneDoNotFit() {
        Tracker t = new Tracker(TrackerConfig.jde(DIM));
        t.update(crowd(1, 100));
        byte[] state = TrackerStateCodec.encode(t);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StateTrimmer.trim(state, 10_000));
        assertTrue(e.getMessage().contains("100 tracked tracks"), e.getMessage());
    }
}
