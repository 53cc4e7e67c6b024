package dev.motflow.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrackerTest {
    private final Detections boxes = new Detections(0);

    /** Runs one frame like {@link #step} and returns, per detection, the id of the output track that took it (0: none). */
    private int[] stepDets(Tracker t, double[]... dets) {
        boxes.clear();
        for (double[] d : dets) {
            boxes.add(d[0], d[1], d[2], d[3], d[4]);
        }
        TrackerOutput out = t.update(boxes);
        int[] ids = new int[out.detectionCount()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = out.trackIdForDetection(i);
        }
        return ids;
    }

    /** Runs one frame of box-only detections given as {x, y, w, h, score} and returns the output ids. */
    private int[] step(Tracker t, double[]... dets) {
        boxes.clear();
        for (double[] d : dets) {
            boxes.add(d[0], d[1], d[2], d[3], d[4]);
        }
        TrackerOutput out = t.update(boxes);
        int[] ids = new int[out.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = out.id(i);
        }
        return ids;
    }

    private static double[] box(double x, double score) {
        return new double[] {x, 100, 50, 120, score};
    }

    @Test
    void firstFrameTracksAreConfirmedAtOnceAndKeepTheirIds() {
        Tracker t = new Tracker(TrackerConfig.byteTrack());
        assertArrayEquals(new int[] {1, 2}, step(t, box(100, 0.9), box(400, 0.9)));
        for (int f = 1; f < 40; f++) {
            assertArrayEquals(new int[] {1, 2}, step(t, box(100 + 2 * f, 0.9), box(400 - 3 * f, 0.9)), "frame " + f);
        }
        TrackerOutput out = t.update(boxes);
        assertEquals(41, out.frameId());
        assertEquals(2, t.lastTrackId());
    }

    @Test
    void laterTracksNeedASecondMatchAndUnmatchedOnesAreDroppedWithTheirId() {
        Tracker t = new Tracker(TrackerConfig.byteTrackLegacy());
        step(t, box(100, 0.9));
        assertArrayEquals(new int[] {1}, step(t, box(100, 0.9), box(600, 0.9)), "new track is unconfirmed");
        assertArrayEquals(new int[] {1, 2}, step(t, box(100, 0.9), box(601, 0.9)), "confirmed by its second match");
        // An unconfirmed track that is not matched in the next frame is removed; its id is not reused.
        step(t, box(100, 0.9), box(601, 0.9), box(1000, 0.9));
        assertArrayEquals(new int[] {1, 2}, step(t, box(100, 0.9), box(601, 0.9)));
        assertArrayEquals(new int[] {1, 2}, step(t, box(100, 0.9), box(601, 0.9), box(1000, 0.9)));
        assertArrayEquals(new int[] {1, 2, 4}, step(t, box(100, 0.9), box(601, 0.9), box(1000, 0.9)));
    }

    @Test
    void theDefaultGivesANewTrackTwoFramesToBeConfirmedScaledByFrameRate() {
        Tracker t = new Tracker(TrackerConfig.byteTrack());
        step(t, box(100, 0.9));
        assertArrayEquals(new int[] {1, 0}, stepDets(t, box(100, 0.9), box(600, 0.9)), "new track 2 is unconfirmed");
        step(t, box(100, 0.9)); // missed once: kept, still unconfirmed
        assertArrayEquals(new int[] {1, 2}, stepDets(t, box(100, 0.9), box(601, 0.9)), "confirmed by a match 2 frames on");
        // Missed twice: removed, the next box starts id 4.
        step(t, box(100, 0.9), box(1000, 0.9));
        step(t, box(100, 0.9));
        step(t, box(100, 0.9));
        assertArrayEquals(new int[] {1, 0}, stepDets(t, box(100, 0.9), box(1000, 0.9)));
        assertArrayEquals(new int[] {1, 4}, stepDets(t, box(100, 0.9), box(1000, 0.9)));
        // At 60 fps the window is 4 frames: 3 misses in a row are still within it.
        t = new Tracker(TrackerConfig.byteTrack().withFrameRate(60));
        step(t, box(100, 0.9));
        step(t, box(100, 0.9), box(600, 0.9));
        for (int k = 0; k < 3; k++) {
            step(t, box(100, 0.9));
        }
        assertArrayEquals(new int[] {1, 2}, stepDets(t, box(100, 0.9), box(600, 0.9)));
    }

    @Test
    void lowScoreBoxesFindAgainRecentlyLostTracksOnlyWithTheDefault() {
        for (TrackerConfig config : new TrackerConfig[] {TrackerConfig.byteTrack(), TrackerConfig.byteTrackLegacy()}) {
            Tracker t = new Tracker(config);
            for (int f = 0; f < 5; f++) {
                step(t, box(100 + 2 * f, 0.9));
            }
            step(t);
            step(t); // lost for 2 frames
            int[] ids = stepDets(t, box(114, 0.3));
            boolean refound = config.lowScoreRefindFrames() > 0;
            assertArrayEquals(new int[] {refound ? 1 : 0}, ids, config.toString());
            assertEquals(refound ? 0 : 1, t.lostCount());
        }
        // Lost for longer than the refind window (30 frames at 30 fps, kept for 30 + 1): not found by a low box.
        TrackerConfig shortWindow = TrackerConfig.byteTrack().withLowScoreRefindBuffer(3);
        Tracker t = new Tracker(shortWindow);
        step(t, box(100, 0.9));
        step(t, box(100, 0.9));
        for (int f = 0; f < 4; f++) {
            step(t);
        }
        assertArrayEquals(new int[] {0}, stepDets(t, box(100, 0.3)), "4 frames since the last match > 3");
        assertArrayEquals(new int[] {1}, stepDets(t, box(100, 0.9)), "a high-score box still finds it");
    }

    @Test
    void lostTracksComeBackWithinTheBufferScaledByFrameRate() {
        for (int fps : new int[] {30, 15}) {
            int buffer = (int) (fps / 30.0 * 30);
            // Gone for exactly `buffer` frames: found again with the same id (followed over 5 frames first, so
            // not a short track).
            Tracker t = new Tracker(TrackerConfig.byteTrack().withFrameRate(fps));
            for (int f = 0; f < 6; f++) {
                step(t, box(100, 0.9));
            }
            // Reported at its prediction in the first missed frame only (settled: reportMissedFrame).
            for (int f = 0; f < buffer; f++) {
                assertArrayEquals(f == 0 ? new int[] {1} : new int[0], step(t));
            }
            assertEquals(1, t.lostCount());
            assertArrayEquals(new int[] {1}, step(t, box(100, 0.9)), fps + " fps");
            // Gone for longer than the buffer (plus the reference's extra frame on the lost list): a new id.
            t = new Tracker(TrackerConfig.byteTrack().withFrameRate(fps));
            for (int f = 0; f < 6; f++) {
                step(t, box(100, 0.9));
            }
            for (int f = 0; f < buffer + 2; f++) {
                step(t);
            }
            assertEquals(0, t.lostCount());
            assertArrayEquals(new int[0], step(t, box(100, 0.9)));
            assertArrayEquals(new int[] {2}, step(t, box(100, 0.9)));
        }
    }

    @Test
    void aShortTrackIsKeptOnlyTheShortBufferOnceLost() {
        for (int fps : new int[] {30, 15}) {
            int shortBuffer = (int) Math.floor(fps / 30.0 * 10 + 0.5); // motflow's durations round half up
            int span = (int) Math.floor(fps / 30.0 * 5 + 0.5); // 2.5 -> 3 at 15 fps
            // Followed over span - 1 frames (short), gone for exactly the short buffer: found again.
            Tracker t = new Tracker(TrackerConfig.byteTrack().withFrameRate(fps));
            for (int f = 0; f < span; f++) {
                step(t, box(100, 0.9));
            }
            for (int f = 0; f < shortBuffer; f++) {
                step(t);
            }
            assertArrayEquals(new int[] {1}, step(t, box(100, 0.9)), fps + " fps, within the short buffer");
            // Gone one frame longer (plus the reference's extra frame on the lost list): removed, a new id.
            t = new Tracker(TrackerConfig.byteTrack().withFrameRate(fps));
            for (int f = 0; f < span; f++) {
                step(t, box(100, 0.9));
            }
            for (int f = 0; f < shortBuffer + 2; f++) {
                step(t);
            }
            assertEquals(0, t.lostCount(), fps + " fps");
            assertArrayEquals(new int[0], step(t, box(100, 0.9)));
            assertArrayEquals(new int[] {2}, step(t, box(100, 0.9)));
            // Followed over span frames: not short, kept the full buffer.
            t = new Tracker(TrackerConfig.byteTrack().withFrameRate(fps));
            for (int f = 0; f <= span; f++) {
                step(t, box(100, 0.9));
            }
            for (int f = 0; f < shortBuffer + 2; f++) {
                step(t);
            }
            assertEquals(1, t.lostCount(), fps + " fps");
            assertArrayEquals(new int[] {1}, step(t, box(100, 0.9)));
            // Off: a short track is kept the full buffer too.
            t = new Tracker(TrackerConfig.byteTrack().withFrameRate(fps).withShortTrackLostBuffer(0));
            step(t, box(100, 0.9));
            step(t, box(100, 0.9));
            for (int f = 0; f < shortBuffer + 2; f++) {
                step(t);
            }
            assertArrayEquals(new int[] {1}, step(t, box(100, 0.9)), fps + " fps, short-track buffer off");
        }
    }

    @Test
    void aBoxLyingInsideABoxATrackTookStartsNoTrack() {
        double[] person = {100, 100, 60, 150, 0.9};
        double[] partial = {110, 115, 36, 80, 0.8}; // wholly inside the person's box: a second box on them
        double[] behind = {130, 90, 60, 150, 0.9}; // half inside: someone standing behind them
        Tracker t = new Tracker(TrackerConfig.byteTrack());
        assertArrayEquals(new int[] {1}, stepDets(t, person));
        for (int f = 0; f < 5; f++) {
            assertArrayEquals(new int[] {1, 0}, stepDets(t, person, partial), "frame " + (f + 2));
        }
        assertArrayEquals(new int[] {1, 0}, stepDets(t, person, behind), "a new track, not confirmed yet");
        assertArrayEquals(new int[] {1, 2}, stepDets(t, person, behind));
        // Off (the references' rule): the partial box starts a track, confirmed by its second box.
        Tracker off = new Tracker(TrackerConfig.byteTrack().withNestedBoxLimit(0));
        stepDets(off, person);
        assertArrayEquals(new int[] {1, 0}, stepDets(off, person, partial));
        assertArrayEquals(new int[] {1, 2}, stepDets(off, person, partial));
    }

    @Test
    void motflowsDurationsRoundHalfUpWhileTheReferenceBufferTruncates() {
        TrackerConfig at25 = TrackerConfig.byteTrack().withFrameRate(25);
        assertEquals(2, at25.unconfirmedFrames(), "2 frames at 30 fps (67 ms): 1.67 -> 2 at 25 fps, not 1");
        assertEquals(25, at25.lowScoreRefindFrames());
        assertEquals(8, at25.shortTrackLostFrames());
        assertEquals(4, at25.shortTrackSpanFrames());
        assertEquals(3, TrackerConfig.byteTrack().withFrameRate(15).shortTrackSpanFrames(), "2.5 rounds up");
        // The references' buffer, as ByteTrack computes it: int(29.97 / 30 * 30) = 29.
        assertEquals(29, TrackerConfig.byteTrackLegacy().withFrameRate(29.97).maxTimeLost());
        assertEquals(1, TrackerConfig.byteTrackLegacy().withFrameRate(25).unconfirmedFrames());
        // At 25 fps a new track missed once is still confirmed by its next box.
        Tracker t = new Tracker(at25);
        stepDets(t, box(100, 0.9));
        assertArrayEquals(new int[] {1, 0}, stepDets(t, box(100, 0.9), box(600, 0.9)));
        stepDets(t, box(100, 0.9));
        assertArrayEquals(new int[] {1, 2}, stepDets(t, box(100, 0.9), box(600, 0.9)));
    }

    @Test
    void nestedBoxLimitOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TrackerConfig.byteTrack().withNestedBoxLimit(1.5));
        assertThrows(IllegalArgumentException.class, () -> TrackerConfig.byteTrack().withNestedBoxLimit(-0.1));
        assertThrows(IllegalArgumentException.class, () -> TrackerConfig.byteTrack().withNestedBoxLimit(Double.NaN));
    }

    @Test
    void timedOutTrackCanStillBeMatchedOneFrameLaterAsInTheReference() {
        Tracker t = new Tracker(TrackerConfig.byteTrack());
        for (int f = 0; f < 6; f++) {
            step(t, box(100, 0.9)); // last match at frame 6, followed over 5 frames: not a short track
        }
        for (int f = 0; f < 30; f++) {
            step(t); // frames 7..36: frame 37 - 6 > 30 marks it removed at frame 37
        }
        step(t); // frame 37: marked removed, but still on the lost list
        assertEquals(1, t.lostCount());
        assertArrayEquals(new int[] {1}, step(t, box(100, 0.9)), "found again in the frame after its removal");
        // Having been on the removed list, it is dropped the next time it is lost.
        step(t);
        assertEquals(0, t.lostCount());
        assertEquals(0, t.trackedCount());
    }

    @Test
    void byteTrackLowScoreDetectionsKeepTracksButNeverStartThem() {
        Tracker t = new Tracker(TrackerConfig.byteTrack());
        step(t, box(100, 0.9));
        for (int f = 1; f <= 10; f++) {
            assertArrayEquals(new int[] {1}, step(t, box(100 + f, 0.3)), "low-score detection continues the track");
        }
        assertArrayEquals(new int[] {1}, step(t, box(111, 0.3), box(700, 0.3)));
        assertArrayEquals(new int[] {1}, step(t, box(112, 0.3), box(700, 0.3)), "a low-score box never starts a track");
        // Scores are compared as in ByteTrack: high is > 0.5, low is 0.1 < s < 0.5; with ByteTrack's margin a
        // new track needs >= 0.6, with motflow's (0) any high-score box starts one.
        Tracker u = new Tracker(TrackerConfig.byteTrackLegacy());
        step(u, box(100, 0.9));
        step(u, box(100, 0.9), box(400, 0.55));
        assertArrayEquals(new int[] {1}, step(u, box(100, 0.9), box(400, 0.55)), "0.55 is high but below 0.6");
        Tracker m = new Tracker(TrackerConfig.byteTrack());
        step(m, box(100, 0.9));
        step(m, box(100, 0.9), box(400, 0.55));
        assertArrayEquals(new int[] {1, 2}, step(m, box(100, 0.9), box(400, 0.55)), "margin 0: 0.55 starts a track");
        step(u, box(100, 0.5));
        assertEquals(1, u.lostCount(), "a score of exactly 0.5 is in neither set");
        // Below 0.1: dropped by ByteTrack's rules, a low-score box for motflow's default (floor 0), which
        // continues a track with it but never starts one.
        Tracker legacy = new Tracker(TrackerConfig.byteTrackLegacy());
        Tracker dflt = new Tracker(TrackerConfig.byteTrack());
        for (Tracker x : new Tracker[] {legacy, dflt}) {
            step(x, box(100, 0.9));
            step(x, box(100, 0.9));
        }
        assertArrayEquals(new int[0], step(legacy, box(101, 0.05)), "ByteTrack: 0.05 is below its floor of 0.1");
        assertArrayEquals(new int[] {1}, step(dflt, box(101, 0.05)), "motflow: 0.05 continues the track");
        assertArrayEquals(new int[] {1}, step(dflt, box(102, 0.05), box(700, 0.05)));
        assertArrayEquals(new int[] {1}, step(dflt, box(103, 0.05), box(700, 0.05)), "and never starts one");
        assertArrayEquals(new int[0], step(dflt, box(700, 0.0)), "a score of 0 is not above the floor");
        assertEquals(1, dflt.lostCount());
    }

    @Test
    void byteTrackMatchesByIouWithinTheThreshold() {
        Tracker t = new Tracker(TrackerConfig.byteTrack());
        step(t, box(100, 0.9));
        // 50 px wide box moved by 45 px: IoU distance > 0.8, so it cannot match and track 1 is lost.
        assertArrayEquals(new int[0], step(t, box(145, 0.9)));
        assertEquals(1, t.lostCount());
    }

    @Test
    void sameInputGivesTheSameOutput() {
        SyntheticScene scene = SyntheticScene.generate(42, 120, 25, 16, 0.1, 2, 0.2);
        for (TrackerConfig config : new TrackerConfig[] {TrackerConfig.byteTrack(), TrackerConfig.jde(16)}) {
            List<String> a = run(config, scene);
            List<String> b = run(config, scene);
            assertEquals(a, b);
            assertTrue(a.size() > 1000, "the scene produces tracks: " + a.size());
        }
    }

    @Test
    void synthesizedSceneIsTrackedWithFewIdentitySwitches() {
        SyntheticScene scene = SyntheticScene.generate(9, 150, 20, 16, 0.05, 1, 0.15);
        for (TrackerConfig config : new TrackerConfig[] {TrackerConfig.byteTrack(), TrackerConfig.jde(16)}) {
            Tracker t = new Tracker(config);
            Detections d = new Detections(config.embeddingDim());
            Map<Integer, Integer> idOfTruth = new HashMap<>();
            int switches = 0;
            int assigned = 0;
            for (int f = 1; f <= scene.frameCount(); f++) {
                scene.load(f, config.embeddingDim() > 0 ? d : d);
                TrackerOutput out = t.update(d);
                List<SyntheticScene.Det> dets = scene.frames.get(f - 1);
                for (int i = 0; i < dets.size(); i++) {
                    int id = out.trackIdForDetection(i);
                    int truth = dets.get(i).truth;
                    if (id == 0 || truth < 0) {
                        continue;
                    }
                    assigned++;
                    Integer prev = idOfTruth.put(truth, id);
                    if (prev != null && prev != id) {
                        switches++;
                    }
                }
            }
            assertTrue(assigned > 1500, config.policy() + " assigned " + assigned);
            assertTrue(switches <= 8, config.policy() + " identity switches: " + switches);
        }
    }

    private static List<String> run(TrackerConfig config, SyntheticScene scene) {
        Tracker t = new Tracker(config);
        Detections d = new Detections(config.embeddingDim());
        List<String> rows = new ArrayList<>();
        for (int f = 1; f <= scene.frameCount(); f++) {
            if (config.embeddingDim() > 0) {
                scene.load(f, d);
            } else {
                d.clear();
                for (SyntheticScene.Det x : scene.frames.get(f - 1)) {
                    d.add(x.x, x.y, x.w, x.h, x.score);
                }
            }
            TrackerOutput out = t.update(d);
            for (int i = 0; i < out.size(); i++) {
                rows.add(f + "," + out.id(i) + "," + out.x(i) + "," + out.y(i) + "," + out.w(i) + "," + out.h(i));
            }
        }
        return rows;
    }

    @Test
    void jdeKeepsIdentitiesThroughACrossingByAppearance() {
        int dim = 8;
        float[] a = new float[dim];
        float[] b = new float[dim];
        a[0] = 1;
        b[1] = 1;
        Tracker t = new Tracker(TrackerConfig.jde(dim));
        Detections d = new Detections(dim);
        // Two people walk towards each other at the same height and cross; detections arrive in swapped order.
        for (int f = 0; f < 60; f++) {
            d.clear();
            double xa = 100 + 8 * f;
            double xb = 580 - 8 * f;
            if (f % 2 == 0) {
                d.add(xa, 200, 50, 120, 0.9, a, 0);
                d.add(xb, 202, 50, 120, 0.9, b, 0);
            } else {
                d.add(xb, 202, 50, 120, 0.9, b, 0);
                d.add(xa, 200, 50, 120, 0.9, a, 0);
            }
            TrackerOutput out = t.update(d);
            int idOfA = out.trackIdForDetection(f % 2 == 0 ? 0 : 1);
            int idOfB = out.trackIdForDetection(f % 2 == 0 ? 1 : 0);
            assertEquals(1, idOfA, "frame " + (f + 1));
            assertEquals(2, idOfB, "frame " + (f + 1));
        }
    }

    @Test
    void jdeNeedsEmbeddingsAndDropsDetectionsAtOrBelowTheThreshold() {
        assertThrows(IllegalArgumentException.class, () -> TrackerConfig.jde(0));
        Tracker t = new Tracker(TrackerConfig.jde(4));
        assertThrows(IllegalArgumentException.class, () -> t.update(new Detections(0)));
        Detections d = new Detections(4);
        float[] e = {1, 0, 0, 0};
        d.add(100, 100, 50, 120, 0.4, e, 0);
        d.add(400, 100, 50, 120, 0.41, e, 0);
        TrackerOutput out = t.update(d);
        assertEquals(1, out.size());
        assertEquals(0, out.trackIdForDetection(0));
        assertEquals(1, out.trackIdForDetection(1));
    }

    @Test
    void jdeDoesNotReviveALostTrackWithAnotherAppearanceAndDropsTheNewerDuplicate() {
        int dim = 4;
        float[] a = {1, 0, 0, 0};
        float[] other = {0, 1, 0, 0};
        Tracker t = new Tracker(TrackerConfig.jde(dim));
        Detections d = new Detections(dim);
        for (int f = 0; f < 10; f++) {
            d.clear();
            d.add(100, 100, 50, 120, 0.9, a, 0);
            t.update(d);
        }
        d.clear();
        t.update(d); // track 1 is lost
        assertEquals(1, t.lostCount());
        d.clear();
        d.add(100, 100, 50, 120, 0.9, other, 0);
        TrackerOutput out = t.update(d);
        assertEquals(0, out.size(), "appearance too different: a new, unconfirmed track");
        assertEquals(2, t.lastTrackId());
        out = t.update(d);
        // Track 2 is confirmed but overlaps lost track 1, which has been tracked longer: track 2 goes.
        assertEquals(0, out.size());
        assertEquals(1, t.lostCount());
        assertEquals(0, t.trackedCount());
    }

    @Test
    void outputBoxesFollowTheDetections() {
        Tracker t = new Tracker(TrackerConfig.byteTrack());
        TrackerOutput out = null;
        for (int f = 0; f < 30; f++) {
            boxes.clear();
            boxes.add(100 + 5 * f, 50 + f, 40, 100, 0.8);
            out = t.update(boxes);
        }
        assertEquals(1, out.size());
        assertEquals(100 + 5 * 29, out.x(0), 1.0);
        assertEquals(50 + 29, out.y(0), 1.0);
        assertEquals(40, out.w(0), 0.5);
        assertEquals(100, out.h(0), 0.5);
        assertEquals(0.8, out.score(0), 1e-6);
        assertNotEquals(0, out.trackIdForDetection(0));
    }

    @Test
    void theDefaultKeepsTheWidthInTheStateAndOutputsItsBoxesInBothModes() {
        assertTrue(TrackerConfig.byteTrack().widthState(), "on in the appearance-free default");
        assertTrue(!TrackerConfig.byteTrackLegacy().widthState() && !TrackerConfig.jde(16).widthState()
                && !TrackerConfig.jdeLegacy(16).widthState(), "off in the references and the JDE policy");
        for (boolean width : new boolean[] {false, true}) {
            Tracker t = new Tracker(TrackerConfig.byteTrack().withWidthState(width));
            TrackerOutput out = null;
            for (int f = 0; f < 20; f++) {
                boxes.clear();
                boxes.add(100 + 3 * f, 50, 60 - f, 150 + f, 0.9);
                out = t.update(boxes);
            }
            assertEquals(1, out.size());
            Track track = t.lifecycle.tracked.get(0);
            assertEquals(width, track.widthState);
            // The third state component: the width itself, or the ratio w / h.
            double third = width ? 60 - 19 : (60.0 - 19) / (150 + 19);
            assertEquals(third, track.mean[2], width ? 1.0 : 0.01, "mean[2], width state " + width);
            assertEquals(100 + 3 * 19, out.x(0), 1.5, "x, width state " + width);
            assertEquals(60 - 19, out.w(0), 1.0, "w, width state " + width);
            assertEquals(150 + 19, out.h(0), 1.0, "h, width state " + width);
            assertEquals(out.x(0) + out.w(0) / 2, track.mean[0], 1e-4, "the box is centred on cx");
        }
    }

    @Test
    void aLostTrackStopsChangingItsWidthAsItsHeightWithTheWidthState() {
        Tracker t = new Tracker(TrackerConfig.byteTrack());
        for (int f = 0; f < 10; f++) {
            boxes.clear();
            boxes.add(100, 50, 80 - 4 * f, 150, 0.9);
            t.update(boxes);
        }
        Track track = t.lifecycle.tracked.get(0);
        assertTrue(track.mean[6] < -2, "the width velocity was learned: " + track.mean[6]);
        boxes.clear();
        t.update(boxes); // lost in this frame (after a prediction with its velocities)
        t.update(boxes); // predicted as lost: the width and height velocities are zeroed first
        assertEquals(1, t.lostCount());
        assertEquals(0f, track.mean[6], "vw");
        assertEquals(0f, track.mean[7], "vh");
        float w = track.mean[2];
        t.update(boxes);
        assertEquals(w, track.mean[2], "the width stays while lost");
    }

    @Test
    void jdeWithTheWidthStateGatesInWidthSpace() {
        // Not a default, but a valid configuration: the gate uses the same measurement as the filter.
        Tracker t = new Tracker(TrackerConfig.jde(4).withWidthState(true));
        Detections d = new Detections(4);
        float[] e = {1, 0, 0, 0};
        for (int f = 0; f < 15; f++) {
            d.clear();
            d.add(100 + 2 * f, 50, 60, 150, 0.9, e, 0);
            TrackerOutput out = t.update(d);
            assertEquals(1, out.size(), "frame " + f);
            assertEquals(1, out.id(0));
            assertEquals(60, out.w(0), 1.0);
        }
    }

    @Test
    void aSettledTrackThatMissesAFrameIsReportedAtItsPredictionInThatFrameOnly() {
        Tracker t = new Tracker(TrackerConfig.byteTrack());
        Tracker young = new Tracker(TrackerConfig.byteTrack());
        Tracker reference = new Tracker(TrackerConfig.byteTrack().withReportMissedFrame(false));
        Detections d = new Detections(0);
        // Walking right 6 px a frame: 6 boxes, 5 matches after its start (settled), then one frame without it.
        for (int f = 0; f < 6; f++) {
            d.clear();
            d.add(100 + 6 * f, 50, 40, 100, 0.9);
            t.update(d);
            reference.update(d);
            if (f < 5) {
                young.update(d); // 5 boxes: 4 matches after its start, not settled
            }
        }
        d.clear();
        TrackerOutput out = t.update(d);
        assertEquals(1, out.size());
        assertEquals(1, out.id(0));
        // At the box predicted for the missed frame: ahead of the last box (x 130) by the velocity learnt so far.
        assertTrue(out.x(0) > 133 && out.x(0) < 137, "predicted x " + out.x(0));
        assertEquals(100, out.h(0), 1.0);
        assertEquals(0, reference.update(d).size(), "the references report only matched tracks");
        assertEquals(0, young.update(d).size(), "a track matched fewer than 5 times in a row is not reported");
        assertEquals(0, t.update(d).size(), "nor in the frames after the first missed one");
        // Found again, it goes on with its id.
        d.add(100 + 6 * 8, 50, 40, 100, 0.9);
        out = t.update(d);
        assertEquals(1, out.size());
        assertEquals(1, out.id(0));
    }

    @Test
    void outputInvariantsHoldOnRandomScenes() {
        for (long seed = 1; seed <= 6; seed++) {
            SyntheticScene scene = SyntheticScene.generate(seed, 80, 18, 16, 0.2, 3, 0.3);
            for (TrackerConfig config : new TrackerConfig[] {TrackerConfig.byteTrack(), TrackerConfig.jde(16),
                TrackerConfig.byteTrack().withFuseScore(true).withFrameRate(10)}) {
                Tracker t = new Tracker(config);
                Detections d = new Detections(16);
                for (int f = 1; f <= scene.frameCount(); f++) {
                    scene.load(f, d);
                    TrackerOutput out = t.update(d);
                    java.util.Set<Integer> ids = new java.util.HashSet<>();
                    for (int i = 0; i < out.size(); i++) {
                        assertTrue(ids.add(out.id(i)), "an id is output once per frame");
                        assertTrue(out.id(i) >= 1 && out.id(i) <= t.lastTrackId());
                        assertTrue(out.w(i) > 0 && out.h(i) > 0);
                    }
                    java.util.Set<Integer> taken = new java.util.HashSet<>();
                    for (int i = 0; i < out.detectionCount(); i++) {
                        int id = out.trackIdForDetection(i);
                        if (id != 0) {
                            assertTrue(taken.add(id), "a track takes one detection per frame");
                            assertTrue(ids.contains(id), "detection ids name output tracks");
                        }
                    }
                    if (config.reportMissedFrame()) {
                        assertTrue(taken.size() <= ids.size(), "the others are settled tracks that missed the frame");
                    } else {
                        assertEquals(ids.size(), taken.size(), "every output track took a detection this frame");
                    }
                    assertTrue(t.trackedCount() + t.lostCount() <= t.lastTrackId());
                }
            }
        }
    }

    @Test
    void detectionsNormaliseEmbeddingsAndRejectEmptyBoxes() {
        Detections d = new Detections(3);
        d.add(0, 0, 10, 20, 0.5, new float[] {3, 4, 0}, 0);
        assertEquals(0.6f, d.embedding(0, 0), 1e-7);
        assertEquals(0.8f, d.embedding(0, 1), 1e-7);
        d.add(0, 0, 10, 20, 0.5, new float[] {0, 0, 0}, 0);
        assertEquals(0f, d.embedding(1, 2));
        assertThrows(IllegalArgumentException.class, () -> d.add(0, 0, 0, 20, 0.5, new float[3], 0));
        assertThrows(IllegalArgumentException.class, () -> d.add(0, 0, 10, 20, 0.5, new float[2], 0));
        for (int i = 0; i < 100; i++) {
            d.add(i, i, 10, 20, 0.5, new float[] {1, 0, 0}, 0);
        }
        assertEquals(102, d.size());
        d.clear();
        assertEquals(0, d.size());
    }

    @Test
    void jdeMemoryIsGivenInSecondsAndConvertedWithTheFrameRate() {
        assertEquals(40, TrackerConfig.jde(8).withFrameRate(10).maxTimeLost(), "4 s at 10 fps");
        assertEquals(62, TrackerConfig.jde(8).withFrameRate(25).withMaxLostSeconds(2.5).maxTimeLost());
        assertEquals(25, TrackerConfig.jde(8).withFrameRate(25).withReid(1, 0.25).reidAfterFrames(), "1 s at 25 fps");
        // FairMOT's memory (trackBuffer frames at 30 fps) without seconds; the appearance-free policy keeps it
        assertEquals(25, TrackerConfig.jdeLegacy(8).withFrameRate(25).maxTimeLost());
        assertEquals(25, TrackerConfig.jde(8).withFrameRate(25).withMaxLostSeconds(0).maxTimeLost());
        assertEquals(25, TrackerConfig.byteTrack().withFrameRate(25).maxTimeLost());
        assertEquals(false, TrackerConfig.jde(8).reidEnabled(), "off by default, as in FairMOT");
        assertEquals(false, TrackerConfig.jdeLegacy(8).reidEnabled());
        assertTrue(TrackerConfig.jde(8).withReid(1, 0.25).reidEnabled());
        assertThrows(IllegalArgumentException.class, () -> TrackerConfig.jde(8).withMaxLostSeconds(-1));
        assertThrows(IllegalArgumentException.class, () -> TrackerConfig.jde(8).withReid(-1, 0.2));
        assertThrows(IllegalArgumentException.class, () -> TrackerConfig.jde(8).withReid(1, 2.5));
        assertThrows(IllegalArgumentException.class, () -> TrackerConfig.jde(8).withMaxLostSeconds(Double.NaN));
    }

    /** Person seen 3 frames at x=100, lost 15 frames (1.5 s at 10 fps), then a box far away with {@code second}. */
    private static int idAfterLongGap(TrackerConfig config, float[] second) {
        Tracker t = new Tracker(config);
        Detections d = new Detections(4);
        float[] first = {1, 0, 0, 0};
        for (int f = 0; f < 3; f++) {
            d.clear();
            d.add(100, 100, 40, 100, 0.9, first, 0);
            t.update(d);
        }
        d.clear();
        for (int f = 0; f < 15; f++) {
            t.update(d);
        }
        d.add(700, 300, 40, 100, 0.9, second, 0);
        t.update(d);
        TrackerOutput out = t.update(d);
        assertEquals(1, out.size());
        return out.id(0);
    }

    @Test
    void longLostTracksAreMatchedByEmbeddingAloneUnderTheStricterLimit() {
        TrackerConfig config = TrackerConfig.jde(4).withFrameRate(10).withDetThresh(0.5).withReid(1, 0.25);
        float[] same = {1, 0.05f, 0, 0};
        float[] similar = {0.72f, 0.7f, 0, 0}; // cosine distance about 0.28
        assertEquals(1, idAfterLongGap(config, same), "far from where it was lost, found by its embedding");
        assertEquals(2, idAfterLongGap(config, similar), "a look-alike is not taken for it");
        assertEquals(1, idAfterLongGap(config.withReid(1, 0.3), similar));
        // Without re-identification (the default) the motion gate decides: 600 px away after 1.5 s is outside it.
        assertEquals(2, idAfterLongGap(config.withReid(0, 0), same));
    }
}
