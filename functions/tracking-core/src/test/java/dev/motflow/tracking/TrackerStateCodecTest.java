package dev.motflow.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class TrackerStateCodecTest {
    static final String GOLDEN = "tracker-state-v1.bin";
    static final String GOLDEN_EXPECTED = "tracker-state-v1.properties";

    private static String describe(TrackerOutput out) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < out.size(); i++) {
            sb.append(out.id(i)).append('@').append(out.x(i)).append(',').append(out.y(i)).append(',')
                    .append(out.w(i)).append(',').append(out.h(i)).append(',').append(out.score(i)).append(' ');
        }
        for (int i = 0; i < out.detectionCount(); i++) {
            sb.append('d').append(out.trackIdForDetection(i));
        }
        return sb.toString();
    }

    private static List<String> runFrom(Tracker t, SyntheticScene scene, int fromFrame, int dim) {
        Detections d = new Detections(dim);
        List<String> out = new ArrayList<>();
        for (int f = fromFrame; f <= scene.frameCount(); f++) {
            scene.load(f, d);
            out.add(describe(t.update(d)));
        }
        return out;
    }

    @Test
    void decodedStateContinuesExactlyLikeTheOriginal() {
        for (TrackerConfig config : new TrackerConfig[] {TrackerConfig.jde(16), TrackerConfig.jdeLegacy(16),
            TrackerConfig.jde(16).withMaxLostSeconds(0.5).withReid(0.2, 0.3).withFeatureMomentum(0.8),
            TrackerConfig.byteTrack().withFuseScore(true),
            TrackerConfig.byteTrackLegacy().withLowScoreRefindBuffer(7).withUnconfirmedBuffer(3),
            TrackerConfig.byteTrackLegacy().withRelativeAspectNoise(true),
            TrackerConfig.byteTrackLegacy().withLowScoreConfirm(true),
            TrackerConfig.byteTrack(), TrackerConfig.byteTrack().withWidthState(false),
            TrackerConfig.byteTrackLegacy().withWidthState(true), TrackerConfig.jde(16).withWidthState(true),
            TrackerConfig.byteTrack().withCameraShiftFromTracks(false),
            TrackerConfig.byteTrackLegacy().withCameraShiftFromTracks(true),
            TrackerConfig.byteTrack().withShortTrackLostBuffer(0),
            TrackerConfig.byteTrackLegacy().withShortTrackLostBuffer(4)}) {
            int dim = config.embeddingDim();
            SyntheticScene scene = SyntheticScene.generate(17, 90, 20, dim, 0.15, 2, 0.25);
            List<String> reference = runFrom(new Tracker(config), scene, 1, dim);
            for (int cut = 0; cut <= scene.frameCount(); cut += 11) {
                Tracker t = new Tracker(config);
                Detections d = new Detections(dim);
                for (int f = 1; f <= cut; f++) {
                    scene.load(f, d);
                    t.update(d);
                }
                byte[] bytes = TrackerStateCodec.encode(t);
                Tracker decoded = TrackerStateCodec.decode(bytes);
                assertArrayEquals(bytes, TrackerStateCodec.encode(decoded), "re-encoding is stable");
                assertEquals(config, decoded.config());
                assertEquals(t.frameId(), decoded.frameId());
                assertEquals(t.lastTrackId(), decoded.lastTrackId());
                List<String> continued = runFrom(decoded, scene, cut + 1, dim);
                assertEquals(reference.subList(cut, reference.size()), continued, config.policy() + " cut at " + cut);
            }
        }
    }

    @Test
    void encodingEveryFrameAsAStatelessHandlerWouldGivesTheSameTracks() {
        TrackerConfig config = TrackerConfig.jde(32);
        SyntheticScene scene = SyntheticScene.generate(23, 80, 15, 32, 0.1, 1, 0.2);
        List<String> reference = runFrom(new Tracker(config), scene, 1, 32);
        byte[] state = TrackerStateCodec.encode(new Tracker(config));
        Detections d = new Detections(32);
        for (int f = 1; f <= scene.frameCount(); f++) {
            Tracker t = TrackerStateCodec.decode(state);
            scene.load(f, d);
            assertEquals(reference.get(f - 1), describe(t.update(d)), "frame " + f);
            state = TrackerStateCodec.encode(t);
        }
    }

    /** A tracker with {@code n} confirmed tracks carrying {@code dim}-d embeddings. */
    static Tracker withLiveTracks(int n, int dim, long seed) {
        Random rnd = new Random(seed);
        Tracker t = new Tracker(TrackerConfig.jde(dim));
        Detections d = new Detections(dim);
        float[][] emb = new float[n][];
        for (int i = 0; i < n; i++) {
            emb[i] = SyntheticScene.randomUnit(rnd, dim);
        }
        for (int f = 0; f < 5; f++) {
            d.clear();
            for (int i = 0; i < n; i++) {
                d.add(50 + (i % 10) * 120 + f * 2, 50 + (i / 10) * 140 + f, 50, 120, 0.9, emb[i], 0);
            }
            t.update(d);
        }
        return t;
    }

    @Test
    void theWidthStateIsAppendedOnlyWhenOnAndStatesWithoutItKeepTheAspectFilter() {
        // Without the width state, the layout is the one written before it existed (17 parameters for the
        // previous ByteTrack default, 13 for the references); with it, 21.
        TrackerConfig noShift = TrackerConfig.byteTrack().withCameraShiftFromTracks(false).withShortTrackLostBuffer(0)
                .withNestedBoxLimit(0).withRematchAfterShift(false).withReportMissedFrame(false);
        assertEquals(17, noShift.withWidthState(false).realParams().length);
        assertEquals(13, TrackerConfig.byteTrackLegacy().realParams().length);
        assertEquals(21, noShift.realParams().length);
        assertEquals(21, TrackerConfig.byteTrackLegacy().withWidthState(true).realParams().length);
        assertEquals(1.0, noShift.realParams()[20]);
        SyntheticScene scene = SyntheticScene.generate(5, 40, 8, 0, 0.1, 2, 0.2);
        for (boolean width : new boolean[] {false, true}) {
            Tracker t = new Tracker(noShift.withWidthState(width));
            Detections d = new Detections(0);
            for (int f = 1; f <= 20; f++) {
                scene.load(f, d);
                t.update(d);
            }
            byte[] bytes = TrackerStateCodec.encode(t);
            // version, policy, track buffer, embedding dim, flags: one byte each here; then the parameter count.
            assertEquals(width ? 21 : 17, bytes[5], "parameters written, width state " + width);
            Tracker decoded = TrackerStateCodec.decode(bytes);
            assertEquals(width, decoded.config().widthState());
            assertTrue(decoded.config().relativeAspectNoise());
            assertEquals(t.lifecycle.tracked.size(), decoded.lifecycle.tracked.size());
            for (int k = 0; k < decoded.lifecycle.tracked.size(); k++) {
                Track a = t.lifecycle.tracked.get(k);
                Track b = decoded.lifecycle.tracked.get(k);
                assertEquals(width, b.widthState, "a decoded track reads its box in the state's layout");
                assertEquals(a.w(), b.w());
                assertEquals(a.x(), b.x());
            }
        }
    }

    @Test
    void theCameraShiftIsAppendedOnlyWhenOnAndCarriedAcrossTheState() {
        // Off: the layout of the width-state default (21 parameters, nothing after the tracks); on: 22, and the
        // carried shift (two float64) after the tracks.
        TrackerConfig noShortBuffer = TrackerConfig.byteTrack().withShortTrackLostBuffer(0).withNestedBoxLimit(0)
                .withRematchAfterShift(false).withReportMissedFrame(false);
        assertEquals(22, noShortBuffer.realParams().length);
        assertEquals(22, TrackerConfig.byteTrackLegacy().withCameraShiftFromTracks(true).realParams().length);
        assertEquals(1.0, noShortBuffer.realParams()[21]);
        Detections d = new Detections(0);
        for (boolean on : new boolean[] {false, true}) {
            TrackerConfig config = noShortBuffer.withCameraShiftFromTracks(on);
            Tracker t = new Tracker(config);
            Tracker other = new Tracker(config.withCameraShiftFromTracks(!on));
            for (int f = 1; f <= 13; f++) {
                CameraShiftTest.panning(f, d);
                t.update(d);
                other.update(d);
            }
            byte[] bytes = TrackerStateCodec.encode(t);
            assertEquals(on ? 22 : 21, bytes[5], "parameters written, camera shift " + on);
            int withoutShift = TrackerStateCodec.encode(on ? other : t).length;
            assertEquals(on ? withoutShift + 8 + 16 : withoutShift, bytes.length,
                    "the parameter and 16 bytes of carried shift only when on");
            Tracker decoded = TrackerStateCodec.decode(bytes);
            assertEquals(config, decoded.config());
            if (on) {
                assertTrue(t.lifecycle.cameraDx > 0, "mid-pan: a shift is carried " + t.lifecycle.cameraDx);
            }
            assertEquals(t.lifecycle.cameraDx, decoded.lifecycle.cameraDx);
            assertEquals(t.lifecycle.cameraDy, decoded.lifecycle.cameraDy);
            assertArrayEquals(bytes, TrackerStateCodec.encode(decoded), "re-encoding is stable");
            // Cut mid-pan, with person 0 about to be missed: the decoded tracker continues exactly.
            for (int f = 14; f <= 24; f++) {
                CameraShiftTest.panning(f, d);
                assertEquals(describe(t.update(d)), describe(decoded.update(d)), "frame " + f + ", camera shift " + on);
            }
        }
    }

    @Test
    void theShortTrackBufferIsAppendedOnlyWhenOnAndStatesWithoutItKeepEveryLostTrackTheFullBuffer() {
        // On: a 23rd parameter; off: the camera-shift default's 22, byte for byte.
        TrackerConfig shortTrackDefault = TrackerConfig.byteTrack().withNestedBoxLimit(0).withRematchAfterShift(false)
                .withReportMissedFrame(false);
        assertEquals(23, shortTrackDefault.realParams().length);
        assertEquals(10.0, shortTrackDefault.realParams()[22]);
        assertEquals(23, TrackerConfig.byteTrackLegacy().withShortTrackLostBuffer(4).realParams().length);
        SyntheticScene scene = SyntheticScene.generate(9, 40, 8, 0, 0.15, 2, 0.2);
        Tracker on = new Tracker(shortTrackDefault);
        Tracker off = new Tracker(shortTrackDefault.withShortTrackLostBuffer(0));
        Detections d = new Detections(0);
        for (int f = 1; f <= 20; f++) {
            scene.load(f, d);
            on.update(d);
            off.update(d);
        }
        byte[] withBuffer = TrackerStateCodec.encode(on);
        byte[] without = TrackerStateCodec.encode(off);
        assertEquals(23, withBuffer[5], "parameters written with the short-track buffer");
        assertEquals(22, without[5], "parameters written without it");
        assertEquals(10, TrackerStateCodec.decode(withBuffer).config().shortTrackLostBuffer());
        // A state written before the setting existed (22 parameters) goes on without it.
        assertEquals(0, TrackerStateCodec.decode(without).config().shortTrackLostBuffer());
    }

    @Test
    void theNestedBoxLimitIsAppendedOnlyWhenOnAndStatesWithoutItLetEveryBoxStartATrack() {
        // On: a 24th parameter; off: the short-track default's 23, byte for byte.
        TrackerConfig nestedDefault = TrackerConfig.byteTrack().withRematchAfterShift(false).withReportMissedFrame(false);
        assertEquals(24, nestedDefault.realParams().length);
        assertEquals(0.9, nestedDefault.realParams()[23]);
        assertEquals(24, TrackerConfig.byteTrackLegacy().withNestedBoxLimit(0.5).realParams().length);
        SyntheticScene scene = SyntheticScene.generate(9, 40, 8, 0, 0.15, 2, 0.2);
        Tracker on = new Tracker(nestedDefault);
        Tracker off = new Tracker(nestedDefault.withNestedBoxLimit(0));
        Detections d = new Detections(0);
        for (int f = 1; f <= 20; f++) {
            scene.load(f, d);
            on.update(d);
            off.update(d);
        }
        byte[] withLimit = TrackerStateCodec.encode(on);
        byte[] without = TrackerStateCodec.encode(off);
        assertEquals(24, withLimit[5], "parameters written with the nested-box limit");
        assertEquals(23, without[5], "parameters written without it");
        assertEquals(0.9, TrackerStateCodec.decode(withLimit).config().nestedBoxLimit());
        assertEquals(nestedDefault, TrackerStateCodec.decode(withLimit).config());
        // A state written before the setting existed (23 parameters) goes on without it.
        assertEquals(0, TrackerStateCodec.decode(without).config().nestedBoxLimit());
    }

    @Test
    void theRematchIsAppendedOnlyWhenOnAndStatesWithoutItGoOnWithoutIt() {
        // On (the default): a 25th parameter, 1; off: the nested-box default's 24, byte for byte.
        TrackerConfig rematchDefault = TrackerConfig.byteTrack().withReportMissedFrame(false);
        assertEquals(25, rematchDefault.realParams().length);
        assertEquals(1.0, rematchDefault.realParams()[24]);
        Tracker on = new Tracker(rematchDefault);
        Tracker off = new Tracker(rematchDefault.withRematchAfterShift(false));
        Detections d = new Detections(0);
        for (int f = 1; f <= 12; f++) {
            CameraShiftTest.turning(f, d);
            on.update(d);
            off.update(d);
        }
        byte[] with = TrackerStateCodec.encode(on);
        byte[] without = TrackerStateCodec.encode(off);
        assertEquals(25, with[5]);
        assertEquals(24, without[5]);
        Tracker decoded = TrackerStateCodec.decode(with);
        assertEquals(rematchDefault, decoded.config());
        assertFalse(TrackerStateCodec.decode(without).config().rematchAfterShift());
        // The decoded tracker goes on exactly as the one that was encoded.
        for (int f = 13; f <= 20; f++) {
            CameraShiftTest.turning(f, d);
            assertArrayEquals(CameraShiftTest.ids(on.update(d)), CameraShiftTest.ids(decoded.update(d)), "frame " + f);
        }
    }

    @Test
    void theMissedFrameReportIsAppendedOnlyWhenOnAndStatesWithoutItReportOnlyMatchedTracks() {
        // On (the default): a 26th parameter, 1; off: the rematch default's 25, byte for byte.
        assertEquals(26, TrackerConfig.byteTrack().realParams().length);
        assertEquals(1.0, TrackerConfig.byteTrack().realParams()[25]);
        assertEquals(26, TrackerConfig.byteTrackLegacy().withReportMissedFrame(true).realParams().length);
        Tracker on = new Tracker(TrackerConfig.byteTrack());
        Tracker off = new Tracker(TrackerConfig.byteTrack().withReportMissedFrame(false));
        Detections d = new Detections(0);
        for (int f = 1; f <= 8; f++) {
            d.clear();
            d.add(100 + 4 * f, 50, 40, 100, 0.9);
            on.update(d);
            off.update(d);
        }
        byte[] with = TrackerStateCodec.encode(on);
        byte[] without = TrackerStateCodec.encode(off);
        assertEquals(26, with[5]);
        assertEquals(25, without[5]);
        Tracker decoded = TrackerStateCodec.decode(with);
        assertEquals(TrackerConfig.byteTrack(), decoded.config());
        assertFalse(TrackerStateCodec.decode(without).config().reportMissedFrame());
        // The decoded tracker reports the missed frame as the one that was encoded does; the old layout does not.
        d.clear();
        assertEquals(1, on.update(d).size());
        assertEquals(1, decoded.update(d).size());
        assertEquals(0, TrackerStateCodec.decode(without).update(d).size());
    }

    @Test
    void fiftyTracksWith128dEmbeddingsAreFarBelowTheDynamoDbItemLimit() {
        Tracker t = withLiveTracks(50, 128, 1);
        assertEquals(50, t.trackedCount());
        byte[] bytes = TrackerStateCodec.encode(t);
        System.out.println("tracker state, 50 tracks x 128-d: " + bytes.length + " bytes");
        // Per track: ~8 bytes of header, 4 score, 32 mean, 144 covariance, 256 embedding.
        assertTrue(bytes.length < 50 * 460 + 200, "size " + bytes.length);
        assertTrue(bytes.length < 400 * 1024 / 10, "well under DynamoDB's 400 KB item limit: " + bytes.length);
        assertEquals(50, TrackerStateCodec.decode(bytes).trackedCount());
    }

    @Test
    void corruptTruncatedOrNewerStatesAreRefused() {
        byte[] bytes = TrackerStateCodec.encode(withLiveTracks(3, 8, 2));
        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x10;
        assertThrows(StateFormatException.class, () -> TrackerStateCodec.decode(flipped));
        assertThrows(StateFormatException.class,
                () -> TrackerStateCodec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 7)));
        assertThrows(StateFormatException.class, () -> TrackerStateCodec.decode(new byte[2]));
        byte[] newer = bytes.clone();
        newer[0] = (byte) (TrackerStateCodec.VERSION + 1);
        CRC32C crc = new CRC32C();
        crc.update(newer, 0, newer.length - 4);
        int c = (int) crc.getValue();
        for (int k = 0; k < 4; k++) {
            newer[newer.length - 4 + k] = (byte) (c >>> (8 * k));
        }
        StateFormatException e = assertThrows(StateFormatException.class, () -> TrackerStateCodec.decode(newer));
        assertTrue(e.getMessage().contains("version"), e.getMessage());
    }

    /** The scene behind the golden state: JDE, 16-d embeddings, stopped after frame 40. */
    static Tracker goldenTracker() {
        SyntheticScene scene = SyntheticScene.generate(2026, 40, 12, 16, 0.15, 1, 0.2);
        // Written before the memory in seconds: FairMOT's configuration was then jde(16)'s.
        Tracker t = new Tracker(TrackerConfig.jdeLegacy(16).withFrameRate(25));
        Detections d = new Detections(16);
        for (int f = 1; f <= scene.frameCount(); f++) {
            scene.load(f, d);
            t.update(d);
        }
        return t;
    }

    /**
     * Forward-compatibility contract: a state written by format version 1 (committed bytes) must
     * stay decodable by every later version, with the same meaning. Regenerate only by running this
     * class with {@code -Dmotflow.writeGolden=true} while {@code VERSION} is 1, never after.
     */
    @Test
    void committedVersion1StateStaysDecodable() throws IOException {
        if (Boolean.getBoolean("motflow.writeGolden")) {
            Tracker t = goldenTracker();
            Path dir = TestPaths.repoRoot().resolve("functions/tracking-core/src/test/resources/dev/motflow/tracking");
            Files.write(dir.resolve(GOLDEN), TrackerStateCodec.encode(t));
            Properties p = new Properties();
            p.setProperty("frameId", Integer.toString(t.frameId()));
            p.setProperty("lastTrackId", Integer.toString(t.lastTrackId()));
            p.setProperty("tracked", Integer.toString(t.trackedCount()));
            p.setProperty("lost", Integer.toString(t.lostCount()));
            p.setProperty("config", t.config().toString());
            try (var w = Files.newBufferedWriter(dir.resolve(GOLDEN_EXPECTED))) {
                p.store(w, "expected contents of " + GOLDEN + " (format version 1)");
            }
        }
        byte[] golden;
        Properties expected = new Properties();
        try (InputStream in = getClass().getResourceAsStream(GOLDEN);
             InputStream props = getClass().getResourceAsStream(GOLDEN_EXPECTED)) {
            assertTrue(in != null && props != null, "golden state resources are committed");
            golden = in.readAllBytes();
            expected.load(props);
        }
        assertEquals(1, golden[0], "the golden state is format version 1");
        Tracker t = TrackerStateCodec.decode(golden);
        assertEquals(Integer.parseInt(expected.getProperty("frameId")), t.frameId());
        assertEquals(Integer.parseInt(expected.getProperty("lastTrackId")), t.lastTrackId());
        assertEquals(Integer.parseInt(expected.getProperty("tracked")), t.trackedCount());
        assertEquals(Integer.parseInt(expected.getProperty("lost")), t.lostCount());
        // Version 1 had no lowScoreRefindBuffer / unconfirmedBuffer / relativeAspectNoise / lowScoreConfirm: it
        // continues with the reference rules.
        String v1Config = expected.getProperty("config");
        // Nor the memory in seconds and the re-identification: it keeps FairMOT's memory, without re-id.
        assertEquals(v1Config.substring(0, v1Config.length() - 1) + ", lowScoreRefindBuffer=0, unconfirmedBuffer=1, "
                + "relativeAspectNoise=false, lowScoreConfirm=false, "
                + "maxLostSeconds=0.0, reidAfterSeconds=0.0, reidThresh=0.0, widthState=false, "
                + "cameraShiftFromTracks=false, shortTrackLostBuffer=0, nestedBoxLimit=0.0, rematchAfterShift=false, "
                + "reportMissedFrame=false]",
                t.config().toString());
        assertEquals(25, t.config().maxTimeLost(), "int(25 / 30 * 30) frames, as when it was written");
        assertEquals(false, t.config().reidEnabled());
        assertEquals(25.0, t.config().frameRate());
        // It continues: an unchanged scene keeps its confirmed ids, a new object gets the next id.
        Detections d = new Detections(16);
        TrackerOutput out = t.update(d);
        assertEquals(t.frameId(), out.frameId());
        if (TrackerStateCodec.VERSION == 1) {
            assertArrayEquals(golden, TrackerStateCodec.encode(TrackerStateCodec.decode(golden)),
                    "version 1 still writes the same layout");
        }
    }
}
