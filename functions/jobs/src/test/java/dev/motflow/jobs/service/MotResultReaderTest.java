package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.motflow.jobs.model.TrackSummary;
import dev.motflow.testsupport.RepoPaths;

class MotResultReaderTest {
    private final MotResultReader reader = new MotResultReader();

    @Test
    void summarisesARealResultFile() throws Exception {
        Path file = RepoPaths.sharedTestData().resolve("mot15/TUD-Campus/result-cem.txt");
        List<String> lines = Files.readAllLines(file);
        Set<String> ids = new HashSet<>();
        Set<String> frames = new HashSet<>();
        for (String l : lines) {
            String[] c = l.split(",");
            ids.add(c[1]);
            frames.add(c[0]);
        }
        MotResultReader.Result r;
        try (InputStream in = Files.newInputStream(file)) {
            r = reader.read(in, "result-cem.txt");
        }
        assertEquals(ids.size(), r.tracks().size());
        assertEquals(frames.size(), r.frames());
        assertEquals(lines.size(), r.boxes());
        int total = 0;
        for (TrackSummary t : r.tracks()) {
            total += t.frameCount();
            assertTrue(t.trajectory().size() <= TrackSummary.MAX_TRAJECTORY);
            assertEquals(t.firstFrame(), t.trajectory().get(0).frame());
            assertEquals(t.lastFrame(), t.trajectory().get(t.trajectory().size() - 1).frame());
            assertNull(t.meanScore(), "result-cem has score -1 everywhere");
        }
        assertEquals(lines.size(), total);
    }

    @Test
    void samplesLongTracksToABoundedTrajectory() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int f = 1; f <= 1000; f++) {
            sb.append(f).append(",7,").append(f).append(",10,20,40,0.5,-1,-1,-1\n");
        }
        MotResultReader.Result r = read(sb.toString());
        TrackSummary t = r.tracks().get(0);
        assertEquals(1000, t.frameCount());
        assertEquals(TrackSummary.MAX_TRAJECTORY, t.trajectory().size());
        assertEquals(1, t.trajectory().get(0).frame());
        assertEquals(1000, t.trajectory().get(31).frame());
        assertEquals(0.5, t.meanScore(), 1e-9);
    }

    @Test
    void rejectsMalformedResultsNamingTheLine() {
        assertInvalid("1,2,3,4,5,6\nx,1,2,3,4,5\n", "line 2");
        assertInvalid("1,-1,3,4,5,6,0.9\n", "negative");
        assertInvalid("1,3,3,4,0,6\n", "not positive");
        assertInvalid("1,3,3,4,5,6\n1,3,3,4,5,6\n", "second box in frame 1");
        assertInvalid("0,3,3,4,5,6\n", "line 1");
        assertInvalid("1,2,3\n", "line 1");
    }

    @Test
    void emptyResultHasNoTracks() throws Exception {
        MotResultReader.Result r = read("\n\n");
        assertEquals(0, r.tracks().size());
        assertEquals(0, r.boxes());
    }

    private MotResultReader.Result read(String text) throws Exception {
        return reader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t.txt");
    }

    private void assertInvalid(String text, String fragment) {
        MotResultReader.InvalidResultException e = assertThrows(MotResultReader.InvalidResultException.class, () -> read(text));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
