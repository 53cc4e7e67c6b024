package dev.motflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.motflow.mot.MotFile;
import dev.motflow.mot.MotRow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackDetsCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "track-dets";
        System.arraycopy(args, 0, full, 1, args.length);
        return Main.run(full, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Two people walking apart for 20 frames; with {@code dim > 0} each carries a constant embedding. */
    private Path writeDets(String name, int dim) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int f = 1; f <= 20; f++) {
            sb.append(f).append(",-1,").append(100 + 3 * f).append(",50,40,100,0.9,-1,-1,-1");
            for (int k = 0; k < dim; k++) {
                sb.append(',').append(k == 0 ? "1" : "0");
            }
            sb.append('\n');
            sb.append(f).append(",-1,").append(500 - 4 * f).append(",60,45,110,0.8,-1,-1,-1");
            for (int k = 0; k < dim; k++) {
                sb.append(',').append(k == 1 ? "1" : "0");
            }
            sb.append('\n');
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sb.toString());
        return p;
    }

    @Test
    void writesAMotChallengeResultWithStableIds() throws Exception {
        Path det = writeDets("det.txt", 0);
        Path result = dir.resolve("out/result.txt");
        assertEquals(0, run("--det", det.toString(), "--out", result.toString()), errText());
        List<MotRow> rows = MotFile.read(result);
        assertEquals(40, rows.size());
        Set<Integer> ids = new HashSet<>();
        for (MotRow r : rows) {
            ids.add(r.id());
            assertEquals(-1.0, r.c8());
            assertTrue(r.conf() == 0.9 || r.conf() == 0.8, "score column carries the detection score: " + r.conf());
        }
        assertEquals(Set.of(1, 2), ids);
        MotRow last = rows.get(rows.size() - 2);
        assertEquals(20, last.frame());
        assertEquals(160, last.x(), 1.0);
        assertTrue(Files.readString(result).startsWith("1,1,"));
        assertTrue(errText().contains("bytetrack"), errText());
    }

    @Test
    void jdePolicyUsesEmbeddingsAndSaysWhenTheyAreMissing() throws Exception {
        Path withEmb = writeDets("emb.txt", 8);
        Path result = dir.resolve("jde.txt");
        assertEquals(0, run("--det", withEmb.toString(), "--policy", "jde", "--out", result.toString()), errText());
        List<MotRow> rows = MotFile.read(result);
        assertEquals(40, rows.size());
        assertTrue(errText().contains("jde"), errText());

        Path plain = writeDets("plain.txt", 0);
        err.reset();
        assertEquals(2, run("--det", plain.toString(), "--policy", "jde", "--out", dir.resolve("x.txt").toString()));
        String msg = errText().strip();
        assertTrue(msg.contains(plain + ":1:") && msg.contains("embeddings"), msg);
        assertEquals(1, msg.lines().count(), "one line: " + msg);
        assertFalse(Files.exists(dir.resolve("x.txt")));
    }

    @Test
    void badInputIsOneLineNamingFileAndLineWithExitCode2() throws Exception {
        Path missing = dir.resolve("nope.txt");
        assertEquals(2, run("--det", missing.toString(), "--out", dir.resolve("o.txt").toString()));
        assertTrue(errText().contains(missing.toString()), errText());
        assertEquals(1, errText().strip().lines().count());

        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "1,-1,10,10,20,40,0.9,-1,-1,-1\n2,-1,10,ten,20,40,0.9,-1,-1,-1\n");
        err.reset();
        assertEquals(2, run("--det", bad.toString(), "--out", dir.resolve("o.txt").toString()));
        assertTrue(errText().contains(bad + ":2:"), errText());
        assertEquals(1, errText().strip().lines().count());

        Path zero = dir.resolve("zero.txt");
        Files.writeString(zero, "1,-1,10,10,20,40,0.9,-1,-1,-1\n1,-1,10,10,0,40,0.9,-1,-1,-1\n");
        err.reset();
        assertEquals(2, run("--det", zero.toString(), "--out", dir.resolve("o.txt").toString()));
        assertTrue(errText().contains(zero + ":2:"), errText());

        Path mixed = dir.resolve("mixed.txt");
        Files.writeString(mixed, "1,-1,10,10,20,40,0.9,-1,-1,-1,1,0\n1,-1,50,10,20,40,0.9,-1,-1,-1,1,0,0\n");
        err.reset();
        assertEquals(2, run("--det", mixed.toString(), "--policy", "jde", "--out", dir.resolve("o.txt").toString()));
        assertTrue(errText().contains(mixed + ":2:"), errText());

        err.reset();
        assertEquals(2, run("--det", bad.toString()));
        assertTrue(errText().contains("--out"), errText());
        err.reset();
        assertEquals(2, run("--det", bad.toString(), "--out", "o.txt", "--policy", "sort"));
        assertTrue(errText().contains("sort"), errText());
        err.reset();
        assertEquals(2, run("--det", bad.toString(), "--out", "o.txt", "--fps", "zero"));
    }

    @Test
    void frameRateComesFromSeqinfoNextToTheDetFileUnlessGiven() throws Exception {
        Path seq = dir.resolve("SEQ");
        Files.createDirectories(seq.resolve("det"));
        Files.writeString(seq.resolve("seqinfo.ini"), "[Sequence]\nname=SEQ\nframeRate=15\nseqLength=40\n");
        Path det = seq.resolve("det/det.txt");
        // A track seen on frames 1-6 (not a short track), then gone for 20 frames, then back: kept at 30 fps
        // (buffer 30), removed at 15 fps (buffer 15), so the id tells which frame rate was used.
        StringBuilder sb = new StringBuilder();
        for (int f : new int[] {1, 2, 3, 4, 5, 6, 27, 28}) {
            sb.append(f).append(",-1,100,50,40,100,0.9,-1,-1,-1\n");
        }
        Files.writeString(det, sb.toString());
        Path result = dir.resolve("r15.txt");
        assertEquals(0, run("--det", det.toString(), "--out", result.toString()), errText());
        assertTrue(errText().contains("15.00 fps"), errText());
        List<MotRow> rows = MotFile.read(result);
        assertEquals(2, rows.get(rows.size() - 1).id(), "removed after 15 frames: a new id");

        err.reset();
        Path result30 = dir.resolve("r30.txt");
        assertEquals(0, run("--det", det.toString(), "--fps", "30", "--out", result30.toString()), errText());
        rows = MotFile.read(result30);
        assertEquals(1, rows.get(rows.size() - 1).id(), "kept for 30 frames: the same id");
    }

    @Test
    void minScoreDropsDetectionsBeforeTracking() throws Exception {
        Path det = writeDets("det.txt", 0);
        Path result = dir.resolve("r.txt");
        assertEquals(0, run("--det", det.toString(), "--min-score", "0.85", "--out", result.toString()), errText());
        List<MotRow> rows = MotFile.read(result);
        assertEquals(20, rows.size());
        for (MotRow r : rows) {
            assertEquals(1, r.id());
        }
    }

    @Test
    void rowsNeedNotBeSortedByFrame() throws Exception {
        Path sorted = writeDets("sorted.txt", 0);
        List<String> lines = Files.readAllLines(sorted);
        // Reverse the frame order but keep the two rows of each frame in file order (the published
        // MOT17 FRCNN det files interleave frames like this).
        List<String> shuffled = new java.util.ArrayList<>();
        for (int i = lines.size() - 2; i >= 0; i -= 2) {
            shuffled.add(lines.get(i));
            shuffled.add(lines.get(i + 1));
        }
        Path unsorted = dir.resolve("unsorted.txt");
        Files.write(unsorted, shuffled);
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("b.txt");
        assertEquals(0, run("--det", sorted.toString(), "--out", a.toString()), errText());
        assertEquals(0, run("--det", unsorted.toString(), "--out", b.toString()), errText());
        assertEquals(Files.readString(a), Files.readString(b));
        assertEquals(40, MotFile.read(b).size());
    }

    @Test
    void aMissingFrameRateIsReportedWithTheValueUsed() throws Exception {
        Path seq = dir.resolve("SEQ");
        Files.createDirectories(seq);
        Files.writeString(seq.resolve("seqinfo.ini"), "[Sequence]\nname=SEQ\nseqLength=20\n");
        Files.writeString(seq.resolve("det.txt"), "1,-1,100,50,40,100,0.9,-1,-1,-1\n2,-1,101,50,40,100,0.9,-1,-1,-1\n");
        assertEquals(0, run("--det", seq.resolve("det.txt").toString(), "--out", dir.resolve("r.txt").toString()), errText());
        assertTrue(errText().contains("warning: seqinfo.ini has no frameRate, using 30 fps"), errText());
        assertTrue(errText().contains("30.00 fps"), errText());

        err.reset();
        Path alone = writeDets("alone.txt", 0);
        assertEquals(0, run("--det", alone.toString(), "--out", dir.resolve("r2.txt").toString()), errText());
        assertTrue(errText().contains("warning: no seqinfo.ini"), errText());

        err.reset();
        assertEquals(0, run("--det", seq.resolve("det.txt").toString(), "--fps", "25",
                "--out", dir.resolve("r3.txt").toString()), errText());
        assertFalse(errText().contains("warning"), errText());
        assertTrue(errText().contains("25.00 fps"), errText());
    }
}
