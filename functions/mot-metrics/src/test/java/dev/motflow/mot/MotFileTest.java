package dev.motflow.mot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MotFileTest {
    @TempDir
    Path tmp;

    private static MotFormatException parseError(String text) {
        return assertThrows(MotFormatException.class, () -> MotFile.read(new StringReader(text), Path.of("x.txt")));
    }

    @Test
    void readsRealGroundTruthAndResultFiles() throws IOException {
        List<MotRow> gt = MotFile.read(TestData.file("mot15/TUD-Campus/gt.txt"));
        assertEquals(new MotRow(1, 1, 399, 182, 121, 229, 1, -1, -1, -1), gt.get(0));
        long lines = Files.readAllLines(TestData.file("mot15/TUD-Campus/gt.txt")).stream()
                .filter(l -> !l.isBlank()).count();
        assertEquals(lines, gt.size());

        List<MotRow> mot17 = MotFile.read(TestData.file("mot17-lift/gt/MOT17-02/gt.txt"));
        MotRow first = mot17.get(0); // 1,1,912,484,97,109,0,7,1 (9 columns)
        assertEquals(7, first.classId());
        assertEquals(1.0, first.visibility());
        assertEquals(0.0, first.conf());
        assertEquals(MotRow.UNUSED, first.c10());

        // MPNTrack writes ids as floats ("0.0"): integral values are accepted.
        List<MotRow> mot20 = MotFile.read(TestData.file("mot20-01/result-mpntrack.txt"));
        assertEquals(0, mot20.get(0).id());
        assertEquals(1, mot20.get(1).id());
    }

    @Test
    void sevenColumnDetectionsAndEmbeddingsBeyondTheTenthColumn() {
        List<MotRow> rows = MotFile.parse("69,-1,912.8,482.9,97.6,112.6,1\n"
                + "3,-1,10,20,30,40,0.9,-1,-1,-1,0.5,-0.25,1e-3\n");
        assertEquals(MotRow.UNUSED, rows.get(0).c8());
        assertFalse(rows.get(0).hasExtra());
        assertEquals(0.9, rows.get(1).conf());
        assertArrayEquals(new float[] {0.5f, -0.25f, 0.001f}, rows.get(1).extra());
    }

    @Test
    void whitespaceSeparatedAndCrLfLinesAreAccepted() {
        List<MotRow> rows = MotFile.parse("1 2 3.5 4 5 6 0.5 -1 -1 -1\r\n2\t2\t1\t1\t1\t1\r\n1, 3, 1, 2, 3, 4\n");
        assertEquals(new MotRow(1, 2, 3.5, 4, 5, 6, 0.5, -1, -1, -1), rows.get(0));
        assertEquals(2, rows.get(1).frame());
        assertEquals(3, rows.get(2).id());
        assertEquals(MotFile.parse("1,2,3,4,5,6,7\n"), MotFile.parse("1,2,3,4,5,6,7,\n")); // trailing comma
    }

    @Test
    void trailingBlankLinesAreFineButABlankLineInsideIsNot() throws IOException {
        assertEquals(2, MotFile.parse("1,1,1,1,1,1\n2,1,1,1,1,1\n\n  \n").size());
        MotFormatException e = parseError("1,1,1,1,1,1\n\n2,1,1,1,1,1\n");
        assertEquals(2, e.line());
    }

    @Test
    void malformedLinesNameFileAndLine() {
        MotFormatException e = parseError("1,1,1,1,1,1\n2,1,abc,1,1,1\n");
        assertEquals(2, e.line());
        assertEquals(Path.of("x.txt"), e.file());
        assertTrue(e.getMessage().startsWith("x.txt:2: "), e.getMessage());
        assertTrue(e.getMessage().contains("column 3"), e.getMessage());

        assertEquals(1, parseError("1,1,1,1,1\n").line());             // too few columns
        assertEquals(3, parseError("1,1,1,1,1,1\n1,1,1,1,1,1\n1,,1,1,1,1\n").line()); // empty field
        assertEquals(1, parseError("1.5,1,1,1,1,1\n").line());           // fractional frame
        assertEquals(1, parseError("0,1,1,1,1,1\n").line());             // frames are 1-based
        assertEquals(1, parseError("1,2.5,1,1,1,1\n").line());           // fractional id
        assertEquals(1, parseError("1,1,NaN,1,1,1\n").line());
        assertEquals(1, parseError("1,1,1,1,1,1,Infinity\n").line());
        assertEquals(1, parseError("1,1,1,1,1,1d\n").line());
        assertEquals(1, parseError("1,1,1,1,1,1,,\n").line());           // empty column before the trailing comma
    }

    @Test
    void missingFileIsAFormatErrorNamingTheFile() {
        Path missing = tmp.resolve("nope.txt");
        MotFormatException e = assertThrows(MotFormatException.class, () -> MotFile.read(missing));
        assertEquals(missing, e.file());
        assertEquals(0, e.line());
        assertTrue(e.getMessage().contains("nope.txt"));
    }

    @Test
    void writeThenReadRoundTripsExactly() throws IOException {
        Random rnd = new Random(7);
        List<MotRow> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            float[] emb = new float[i % 3 == 0 ? 128 : 0];
            for (int k = 0; k < emb.length; k++) {
                emb[k] = (float) rnd.nextGaussian() * (k == 0 ? 1e-9f : 1f);
            }
            rows.add(new MotRow(1 + i / 10, i % 7 - 1, rnd.nextDouble() * 1900, rnd.nextDouble() * 1e-7,
                    rnd.nextInt(300), 1e20 * rnd.nextDouble(), rnd.nextDouble(), -1, rnd.nextDouble(), -1, emb));
        }
        Path file = tmp.resolve("sub/out.txt");
        MotFile.write(file, rows);
        assertEquals(rows, MotFile.read(file));
        assertFalse(Files.readString(file).contains("E"), "numbers are written without exponent");
        assertEquals("1,-1,1.5,2,3,4,0.75,-1,-1,-1", MotFile.format(MotRow.detection(1, 1.5, 2, 3, 4, 0.75, null)));
        assertEquals("5,3,1,2,3,4,1,-1,-1,-1,0.5", MotFile.format(
                MotRow.detection(5, 1, 2, 3, 4, 1, new float[] {0.5f}).withId(3)));
    }

    @Test
    void groupsByFrameInOrder() {
        var frames = MotFile.byFrame(MotFile.parse("2,1,1,1,1,1\n1,5,1,1,1,1\n2,3,1,1,1,1\n"));
        assertEquals(List.of(1, 2), List.copyOf(frames.keySet()));
        assertEquals(List.of(1, 3), frames.get(2).stream().map(MotRow::id).toList());
    }
}
