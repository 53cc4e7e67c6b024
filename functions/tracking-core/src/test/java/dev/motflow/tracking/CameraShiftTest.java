package dev.motflow.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The camera shift estimated from the tracks ({@link TrackerConfig#cameraShiftFromTracks()}). */
class CameraShiftTest {
    static final int OBJECTS = 8;
    static final int PAN_FROM = 11;
    static final double PAN = 20;
    static final int MISSED_FROM = 15;

    /**
     * A panning scene: 8 standing people, then from frame 11 the camera pans so that every box moves 20 px a
     * frame to the right; person 0 is missed in frames 15 and 16.
     */
    static void panning(int f, Detections d) {
        d.clear();
        double pan = f >= PAN_FROM ? PAN * (f - PAN_FROM + 1) : 0;
        for (int i = 0; i < OBJECTS; i++) {
            if (i == 0 && (f == MISSED_FROM || f == MISSED_FROM + 1)) {
                continue;
            }
            d.add(60 + 110 * i + pan, 200 + 150 * (i % 2), 40, 100, 0.9);
        }
    }

    /** Per frame, the id that took person 0's box (0 when missed) and the carried shift after the frame. */
    static List<double[]> run(TrackerConfig config) {
        Tracker t = new Tracker(config);
        Detections d = new Detections(0);
        List<double[]> rows = new ArrayList<>();
        for (int f = 1; f <= 24; f++) {
            panning(f, d);
            TrackerOutput out = t.update(d);
            boolean missed = f == MISSED_FROM || f == MISSED_FROM + 1;
            rows.add(new double[] {missed ? 0 : out.trackIdForDetection(0), t.lifecycle.cameraDx, t.lifecycle.cameraDy,
                t.lastTrackId()});
        }
        return rows;
    }

    @Test
    void aPanIsLearntAndATrackMissedTwoFramesIsFoundAgain() {
        List<double[]> on = run(TrackerConfig.byteTrack());
        for (int f = 1; f < PAN_FROM; f++) {
            assertEquals(0.0, on.get(f - 1)[1], "no shift before the pan, frame " + f);
        }
        // The first frame of the pan already gives the shift (every settled track agrees), carried halved.
        assertEquals(PAN / 2, on.get(PAN_FROM - 1)[1], 1e-3);
        for (int f = PAN_FROM; f <= 24; f++) {
            assertTrue(on.get(f - 1)[1] > 0, "the pan is followed, frame " + f + ": " + on.get(f - 1)[1]);
            assertEquals(0.0, on.get(f - 1)[2], "no vertical shift, frame " + f);
        }
        assertEquals(1.0, on.get(MISSED_FROM + 1)[0], "person 0 keeps id 1 after 2 missed frames");
        assertEquals(OBJECTS, on.get(23)[3], "no new ids");
        List<double[]> off = run(TrackerConfig.byteTrack().withCameraShiftFromTracks(false));
        assertNotEquals(1.0, off.get(MISSED_FROM + 1)[0], "without the shift the lagging prediction loses person 0");
    }

    /**
     * A sudden turn: six people close to the camera (boxes 120 x 240) and two far off (40 x 100) stand still for
     * 10 frames; from frame 11 every box moves 40 px a frame to the right. At frame 11 the close people's boxes
     * still overlap their predictions (IoU 0.5), the far ones' not at all.
     */
    static void turning(int f, Detections d) {
        d.clear();
        double turn = f >= PAN_FROM ? 40 * (f - PAN_FROM + 1) : 0;
        for (int i = 0; i < 6; i++) {
            d.add(60 + 150 * i + turn, 100, 120, 240, 0.9);
        }
        d.add(1000 + turn, 400, 40, 100, 0.9);
        d.add(1100 + turn, 420, 40, 100, 0.9);
    }

    @Test
    void aTurnFasterThanTheCarriedShiftIsCaughtByTheRematch() {
        Tracker on = new Tracker(TrackerConfig.byteTrack());
        Tracker off = new Tracker(TrackerConfig.byteTrack().withRematchAfterShift(false));
        Detections d = new Detections(0);
        int[] all = {1, 2, 3, 4, 5, 6, 7, 8};
        for (int f = 1; f <= 20; f++) {
            turning(f, d);
            int[] withRematch = ids(on.update(d));
            int[] without = ids(off.update(d));
            assertArrayEquals(all, withRematch, "every person keeps their id through the turn, frame " + f);
            if (f == PAN_FROM) {
                // The close people give the frame's shift (40 px, every one agreeing); moved by it, the far
                // people's predictions meet their boxes again. Without the rematch they are lost.
                assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 0, 0}, without);
            }
        }
        assertEquals(8, on.lastTrackId());
        assertTrue(off.lastTrackId() > 8, "without the rematch the far people get new ids: " + off.lastTrackId());
    }

    @Test
    void theRematchNeedsTheCameraShift() {
        assertTrue(TrackerConfig.byteTrack().rematchAfterShift());
        assertFalse(TrackerConfig.byteTrackLegacy().rematchAfterShift());
        // Without the camera shift there is no frame shift to move by: the setting does nothing.
        Tracker noShift = new Tracker(TrackerConfig.byteTrack().withCameraShiftFromTracks(false));
        Tracker neither = new Tracker(TrackerConfig.byteTrack().withCameraShiftFromTracks(false)
                .withRematchAfterShift(false));
        Detections d = new Detections(0);
        for (int f = 1; f <= 20; f++) {
            turning(f, d);
            assertArrayEquals(ids(neither.update(d)), ids(noShift.update(d)), "frame " + f);
        }
    }

    @Test
    void aStaticCameraGetsNoShiftThatMatters() {
        // People walking each their own way, with 1 px box jitter: the innovations agree on no pan. The gate
        // still passes now and then on noise (its standard error is the mean's, 1.25 times smaller than the
        // median's), giving sub-pixel shifts that change no association.
        Random rnd = new Random(3);
        double[][] start = new double[12][4];
        for (double[] s : start) {
            s[0] = 50 + rnd.nextDouble() * 800;
            s[1] = 100 + rnd.nextDouble() * 400;
            s[2] = rnd.nextDouble() * 6 - 3;
            s[3] = rnd.nextDouble() * 2 - 1;
        }
        Tracker on = new Tracker(TrackerConfig.byteTrack());
        Tracker off = new Tracker(TrackerConfig.byteTrack().withCameraShiftFromTracks(false));
        Detections d = new Detections(0);
        int shifted = 0;
        for (int f = 1; f <= 60; f++) {
            d.clear();
            for (double[] s : start) {
                d.add(s[0] + s[2] * f + rnd.nextGaussian(), s[1] + s[3] * f + rnd.nextGaussian(), 40, 100, 0.9);
            }
            assertArrayEquals(ids(off.update(d)), ids(on.update(d)), "the same ids as without the shift, frame " + f);
            assertTrue(Math.abs(on.lifecycle.cameraDx) < 1 && Math.abs(on.lifecycle.cameraDy) < 1,
                    "at most sub-pixel, frame " + f + ": " + on.lifecycle.cameraDx + ", " + on.lifecycle.cameraDy);
            shifted += on.lifecycle.cameraDx != 0 || on.lifecycle.cameraDy != 0 ? 1 : 0;
        }
        assertTrue(shifted <= 10, "the gate passes on noise only now and then: " + shifted + " of 60 frames");
        // Standing people seen exactly: every innovation is 0, so is the shift.
        Tracker still = new Tracker(TrackerConfig.byteTrack());
        for (int f = 1; f <= 30; f++) {
            panning(1, d);
            still.update(d);
            assertEquals(0.0, still.lifecycle.cameraDx);
            assertEquals(0.0, still.lifecycle.cameraDy);
        }
    }

    @Test
    void onOnlyInTheAppearanceFreeDefault() {
        assertTrue(TrackerConfig.byteTrack().cameraShiftFromTracks());
        assertFalse(TrackerConfig.byteTrackLegacy().cameraShiftFromTracks());
        assertFalse(TrackerConfig.jde(16).cameraShiftFromTracks());
        assertFalse(TrackerConfig.jdeLegacy(16).cameraShiftFromTracks());
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, ByteTrackAssociation.median(new double[] {4, 1, 3, 2}, 4));
        assertEquals(3.0, ByteTrackAssociation.median(new double[] {5, 1, 3, 2, 4}, 5));
        double[] v = {9, 1, 3, 7, 100};
        ByteTrackAssociation.median(v, 4);
        assertArrayEquals(new double[] {1, 3, 7, 9, 100}, v, "only the first n are used (sorted in place)");
    }

    static int[] ids(TrackerOutput out) {
        int[] ids = new int[out.detectionCount()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = out.trackIdForDetection(i);
        }
        return ids;
    }
}
