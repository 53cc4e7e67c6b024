package dev.motflow.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replays every shared vector in {@code test-vectors/association/} through this implementation and
 * checks the ids (exactly) and output boxes (to the written 2 decimals). With
 * {@code -Dmotflow.writeVectors=true} it first regenerates them from {@link AssociationVectors}.
 */
class AssociationVectorsTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    static Path dir() {
        return TestPaths.repoRoot().resolve("test-vectors/association");
    }

    @BeforeAll
    static void regenerateWhenAsked() throws IOException {
        if (Boolean.getBoolean("motflow.writeVectors")) {
            for (AssociationVectors.Scenario s : AssociationVectors.scenarios()) {
                AssociationVectors.write(s, dir().resolve(s.name + ".json"));
            }
        }
    }

    /** The vector files; fails (never skips) when the folder is missing or holds none. */
    static List<Path> vectorFiles() throws IOException {
        Path dir = dir();
        if (!Files.isDirectory(dir)) {
            fail("shared association vectors missing: no folder " + dir + " (restore test-vectors/association "
                    + "from git, or regenerate with -Dmotflow.writeVectors=true)");
        }
        List<Path> found;
        try (Stream<Path> files = Files.list(dir)) {
            found = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        if (found.isEmpty()) {
            fail("shared association vectors missing: no *.json in " + dir);
        }
        return found;
    }

    /** One named vector; fails (never skips) with its path when it is missing. */
    static Path vectorFile(String name) {
        Path file = dir().resolve(name + ".json");
        if (!Files.isRegularFile(file)) {
            fail("shared association vector missing: " + file + " (restore it from git, or regenerate with "
                    + "-Dmotflow.writeVectors=true)");
        }
        return file;
    }

    @Test
    void everyScenarioHasAVectorAndNothingElseIsThere() throws IOException {
        List<String> names = new ArrayList<>();
        for (Path p : vectorFiles()) {
            String f = p.getFileName().toString();
            names.add(f.substring(0, f.length() - 5));
        }
        List<String> expected = new ArrayList<>();
        for (AssociationVectors.Scenario s : AssociationVectors.scenarios()) {
            vectorFile(s.name);
            expected.add(s.name);
        }
        expected.sort(null);
        assertEquals(expected, names, "vector files in " + dir() + " other than the scenarios");
        long total = 0;
        for (Path p : vectorFiles()) {
            total += Files.size(p);
        }
        assertTrue(total < 600_000, "vectors stay small: " + total + " bytes");
    }

    /** Result of replaying one vector: per policy, per frame, the detection ids. */
    static Map<String, List<int[]>> replay(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        assertEquals(AssociationVectors.SCHEMA, root.get("schema").asText(), file.toString());
        double fps = root.get("frame_rate").asDouble();
        int dim = root.get("embedding_dim").asInt();
        JsonNode pb = root.get("policies").get("bytetrack");
        JsonNode pj = root.get("policies").get("jde");
        TrackerConfig byteConfig = new TrackerConfig(Policy.BYTETRACK, fps, pb.get("track_buffer").asInt(), 0,
                0.4, 0.4, 0.98, 0.9, 0.5, d(pb, "track_thresh"), d(pb, "low_thresh"), d(pb, "match_thresh"),
                d(pb, "low_match_thresh"), d(pb, "new_track_thresh") - d(pb, "track_thresh"),
                pb.get("fuse_score").asBoolean(), d(pb, "unconfirmed_match_thresh"), d(pb, "duplicate_iou_distance"),
                pb.get("low_score_refind_buffer").asInt(), pb.get("unconfirmed_buffer").asInt(),
                pb.get("relative_aspect_noise").asBoolean(), pb.get("low_score_confirm").asBoolean(), 0, 0, 0,
                pb.get("width_state").asBoolean(), pb.get("camera_shift_from_tracks").asBoolean(),
                pb.get("short_track_lost_buffer").asInt(), d(pb, "nested_box_limit"),
                pb.get("rematch_after_shift").asBoolean(), pb.path("report_missed_frame").asBoolean(false));
        TrackerConfig jdeConfig = new TrackerConfig(Policy.JDE, fps, pj.get("track_buffer").asInt(), dim,
                d(pj, "det_thresh"), d(pj, "embedding_match_thresh"), d(pj, "motion_lambda"),
                d(pj, "feature_momentum"), d(pj, "iou_match_thresh"), 0.5, 0.1, 0.8, 0.5, 0.1, false,
                d(pj, "unconfirmed_match_thresh"), d(pj, "duplicate_iou_distance"), 0, 1, false, false,
                d(pj, "max_lost_seconds"), d(pj, "reid_after_seconds"), d(pj, "reid_thresh"), false, false, 0, 0, false,
                pj.path("report_missed_frame").asBoolean(false));
        assertEquals(byteConfig.maxTimeLost(), pb.get("max_time_lost").asInt());
        assertEquals(byteConfig.lowScoreRefindFrames(), pb.get("low_score_refind_frames").asInt());
        assertEquals(byteConfig.unconfirmedFrames(), pb.get("unconfirmed_frames").asInt());
        assertEquals(jdeConfig.maxTimeLost(), pj.get("max_time_lost").asInt());
        assertEquals(jdeConfig.reidAfterFrames(), pj.get("reid_after_frames").asInt());
        Tracker bt = new Tracker(byteConfig);
        Tracker jde = new Tracker(jdeConfig);
        Detections boxes = new Detections(0);
        Detections withEmb = new Detections(dim);
        Map<String, List<int[]>> ids = new TreeMap<>();
        ids.put("bytetrack", new ArrayList<>());
        ids.put("jde", new ArrayList<>());
        float[] emb = new float[dim];
        int frameNo = 0;
        for (JsonNode frame : root.get("frames")) {
            frameNo++;
            assertEquals(frameNo, frame.get("frame").asInt());
            boxes.clear();
            withEmb.clear();
            JsonNode dets = frame.get("detections");
            JsonNode embs = frame.get("embeddings");
            assertEquals(dets.size(), embs.size());
            for (int i = 0; i < dets.size(); i++) {
                JsonNode d = dets.get(i);
                for (int k = 0; k < dim; k++) {
                    emb[k] = embs.get(i).get(k).decimalValue().floatValue();
                }
                double x = d.get(0).doubleValue();
                double y = d.get(1).doubleValue();
                double w = d.get(2).doubleValue();
                double h = d.get(3).doubleValue();
                double score = d.get(4).doubleValue();
                boxes.add(x, y, w, h, score);
                withEmb.add(x, y, w, h, score, emb, 0);
            }
            String where = file.getFileName() + " frame " + frameNo;
            ids.get("bytetrack").add(check(bt.update(boxes), frame.get("expected").get("bytetrack"), where + " bytetrack"));
            ids.get("jde").add(check(jde.update(withEmb), frame.get("expected").get("jde"), where + " jde"));
        }
        return ids;
    }

    private static double d(JsonNode n, String field) {
        return n.get(field).decimalValue().doubleValue();
    }

    private static int[] check(TrackerOutput out, JsonNode expected, String where) {
        JsonNode ids = expected.get("detection_track_ids");
        int[] got = new int[out.detectionCount()];
        int[] want = new int[ids.size()];
        for (int i = 0; i < got.length; i++) {
            got[i] = out.trackIdForDetection(i);
        }
        for (int i = 0; i < want.length; i++) {
            want[i] = ids.get(i).asInt();
        }
        assertArrayEquals(want, got, where + ": detection ids");
        JsonNode tracks = expected.get("tracks");
        assertEquals(tracks.size(), out.size(), where + ": output tracks");
        for (int i = 0; i < out.size(); i++) {
            JsonNode t = tracks.get(i);
            assertEquals(t.get(0).asInt(), out.id(i), where + ": track order/id");
            assertEquals(t.get(1).doubleValue(), out.x(i), 0.0051, where + ": x of " + out.id(i));
            assertEquals(t.get(2).doubleValue(), out.y(i), 0.0051, where + ": y of " + out.id(i));
            assertEquals(t.get(3).doubleValue(), out.w(i), 0.0051, where + ": w of " + out.id(i));
            assertEquals(t.get(4).doubleValue(), out.h(i), 0.0051, where + ": h of " + out.id(i));
        }
        return got;
    }

    @Test
    void everyVectorReplaysWithTheSameIdsAndBoxes() throws IOException {
        List<Path> files = vectorFiles();
        assertTrue(files.size() >= 9, "vectors present: " + files);
        for (Path p : files) {
            replay(p);
        }
    }

    // ---- hand-checked expectations (see test-vectors/association/README.md) ----

    private static Map<String, List<int[]>> replayNamed(String name) throws IOException {
        return replay(vectorFile(name));
    }

    @Test
    void lifecycleBasicIsAsWorkedOutByHand() throws IOException {
        for (List<int[]> ids : replayNamed("lifecycle-basic").values()) {
            assertArrayEquals(new int[] {1, 2}, ids.get(0), "frame 1: confirmed at once");
            assertArrayEquals(new int[] {1, 2, 0}, ids.get(1), "frame 2: id 3 is unconfirmed, not output");
            assertArrayEquals(new int[] {1, 2, 3}, ids.get(2), "frame 3: id 3 confirmed");
            assertArrayEquals(new int[] {1, 2, 3, 0}, ids.get(3), "frame 4: id 4 unconfirmed");
            assertArrayEquals(new int[] {1, 2, 3, 0}, ids.get(4), "frame 5: id 4 dropped, the new box is id 5");
            assertArrayEquals(new int[] {1, 2, 3, 5}, ids.get(5), "frame 6: id 5 confirmed");
        }
    }

    @Test
    void lostAndRefoundAndTimeoutAreAsWorkedOutByHand() throws IOException {
        for (List<int[]> ids : replayNamed("lost-and-refound").values()) {
            assertArrayEquals(new int[] {1, 2}, ids.get(4), "frame 5");
            assertArrayEquals(new int[] {2}, ids.get(5), "frame 6: person 1 missed");
            assertArrayEquals(new int[] {1, 2}, ids.get(15), "frame 16: found again with id 1");
        }
        Map<String, List<int[]>> timeout = replayNamed("buffer-timeout");
        List<int[]> ids = timeout.get("bytetrack");
        assertArrayEquals(new int[] {1}, ids.get(2), "frame 3");
        assertArrayEquals(new int[] {0}, ids.get(16), "bytetrack frame 17: new unconfirmed track");
        assertArrayEquals(new int[] {2}, ids.get(17), "bytetrack frame 18: confirmed as id 2");
        assertArrayEquals(new int[] {1}, timeout.get("jde").get(16), "jde frame 17: kept 4 s (40 frames), found again");
    }

    @Test
    void longOcclusionIsReidentifiedByJdeOnlyAsWorkedOutByHand() throws IOException {
        Map<String, List<int[]>> reid = replayNamed("long-occlusion-reid");
        assertArrayEquals(new int[] {1, 2, 3}, reid.get("jde").get(9), "frame 10");
        assertArrayEquals(new int[] {2}, reid.get("jde").get(10), "frame 11: persons 1 and 3 gone");
        assertArrayEquals(new int[] {1, 2, 0}, reid.get("jde").get(70), "jde frame 71: id 1 back, person 4 new");
        assertArrayEquals(new int[] {1, 2, 4}, reid.get("jde").get(71), "jde frame 72: person 4 is id 4, not 3");
        assertArrayEquals(new int[] {0, 2, 0}, reid.get("bytetrack").get(70), "bytetrack frame 71: both new");
        assertArrayEquals(new int[] {4, 2, 5}, reid.get("bytetrack").get(71), "bytetrack frame 72: ids 4 and 5");
    }

    @Test
    void lowScoreAndDuplicateScenariosDifferBetweenPoliciesAsWorkedOutByHand() throws IOException {
        Map<String, List<int[]>> low = replayNamed("low-score-continuation");
        for (int f = 4; f <= 8; f++) {
            assertArrayEquals(new int[] {1, 0}, low.get("bytetrack").get(f - 1), "bytetrack frame " + f);
            assertArrayEquals(new int[] {0, 0}, low.get("jde").get(f - 1), "jde frame " + f);
        }
        assertArrayEquals(new int[] {1}, low.get("jde").get(8), "jde frame 9: found again");
        Map<String, List<int[]>> dup = replayNamed("duplicate-newer-removed");
        assertArrayEquals(new int[] {0}, dup.get("jde").get(11), "jde frame 12: new unconfirmed track 2");
        assertArrayEquals(new int[] {0}, dup.get("jde").get(12), "jde frame 13: track 2 dropped as duplicate");
        assertArrayEquals(new int[] {1}, dup.get("bytetrack").get(11), "bytetrack frame 12: track 1 found again");
        Map<String, List<int[]>> crossing = replayNamed("crossing");
        for (int f = 1; f <= 30; f++) {
            int[] ids = crossing.get("jde").get(f - 1);
            // Frame 1 lists person B first, so B is id 1 and A id 2; odd frames list B first.
            int[] expected = f % 2 == 0 ? new int[] {2, 1} : new int[] {1, 2};
            assertArrayEquals(expected, ids, "jde keeps identities through the crossing, frame " + f);
        }
    }

    @Test
    void lowScoreRefindAndLateConfirmationAreAsWorkedOutByHand() throws IOException {
        Map<String, List<int[]>> refind = replayNamed("low-score-refind");
        for (int f = 7; f <= 12; f++) {
            assertArrayEquals(new int[] {1}, refind.get("bytetrack").get(f - 1), "bytetrack frame " + f + ": found again by a 0.3 box");
            assertArrayEquals(new int[] {0}, refind.get("jde").get(f - 1), "jde frame " + f + ": 0.3 is below det_thresh");
        }
        Map<String, List<int[]>> late = replayNamed("late-confirmation");
        assertArrayEquals(new int[] {1, 0}, late.get("bytetrack").get(2), "frame 3: id 2 unconfirmed");
        assertArrayEquals(new int[] {1, 2}, late.get("bytetrack").get(4), "bytetrack frame 5: id 2 confirmed after a miss");
        assertArrayEquals(new int[] {1, 0}, late.get("jde").get(4), "jde frame 5: id 2 was removed, id 3 unconfirmed");
        assertArrayEquals(new int[] {1, 3}, late.get("jde").get(5), "jde frame 6: id 3 confirmed");
    }
}
