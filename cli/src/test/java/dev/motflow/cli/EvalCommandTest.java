package dev.motflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] full = new String[args.length + 1];
        full[0] = "eval";
        System.arraycopy(args, 0, full, 1, args.length);
        int code = Main.run(full, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path testdata(String relative) {
        String prop = System.getProperty("motflow.repo.root");
        Path root = prop != null && Files.isDirectory(Paths.get(prop, ".ci")) ? Paths.get(prop) : null;
        if (root == null) {
            root = Paths.get("").toAbsolutePath();
            while (!Files.isDirectory(root.resolve(".ci"))) {
                root = root.getParent();
            }
        }
        return root.resolve("../shared/testdata").resolve(relative).normalize();
    }

    /** Minimal reader for the command's JSON: {"row": {"key": number|null, ...}, ...}. */
    private static Map<String, Map<String, Double>> parseJson(String json) {
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        Matcher row = Pattern.compile("\"([^\"]+)\": \\{([^}]*)}").matcher(json);
        while (row.find()) {
            Map<String, Double> values = new LinkedHashMap<>();
            Matcher kv = Pattern.compile("\"([a-z_0-9]+)\": ([^,]+)").matcher(row.group(2));
            while (kv.find()) {
                values.put(kv.group(1), kv.group(2).equals("null") ? Double.NaN : Double.parseDouble(kv.group(2)));
            }
            rows.put(row.group(1), values);
        }
        return rows;
    }

    @Test
    void jsonOfTudCampusHasThePublishedValuesUnderPyMotmetricsNames() {
        Run r = run("--gt", testdata("mot15/TUD-Campus/gt.txt").toString(),
                "--result", testdata("mot15/TUD-Campus/result-cem.txt").toString(), "--format", "json",
                "--compat", "py-motmetrics");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().trim().startsWith("{") && r.out().trim().endsWith("}"));
        Map<String, Map<String, Double>> rows = parseJson(r.out());
        assertEquals(List.of("result-cem", "overall"), new ArrayList<>(rows.keySet()));
        Map<String, Double> m = rows.get("result-cem");
        assertEquals(List.of("idf1", "idp", "idr", "recall", "precision", "num_unique_objects", "mostly_tracked",
                "partially_tracked", "mostly_lost", "num_false_positives", "num_misses", "num_switches",
                "num_fragmentations", "mota", "motp", "hota", "deta", "assa", "loca"), new ArrayList<>(m.keySet()));
        assertEquals(0.557659, m.get("idf1"), 1e-4);
        assertEquals(0.526462, m.get("mota"), 1e-4);
        assertEquals(0.277201, m.get("motp"), 1e-4);
        assertEquals(150, m.get("num_misses"));
        assertEquals(7, m.get("num_switches"));
        assertEquals(0.3914, m.get("hota"), 1e-4);
        assertTrue(r.out().contains("\"num_misses\": 150,"), "counts are JSON integers");
        assertEquals(m, rows.get("overall"));
    }

    private static final Map<String, Double> EXPECTED_TRACKEVAL = values("idf1", 0.7393707169700096,
            "mostly_tracked", 41.0, "partially_tracked", 20.0, "mostly_lost", 22.0, "num_false_positives", 298.0,
            "num_misses", 13986.0, "num_switches", 38.0, "num_fragmentations", 41.0, "mota", 0.6988455958113422,
            "motp", 0.1059316503815031);
    private static final Map<String, Double> EXPECTED_PY_MOTMETRICS = values("idf1", 0.7393707169700096,
            "mostly_tracked", 42.0, "partially_tracked", 19.0, "mostly_lost", 22.0, "num_false_positives", 299.0,
            "num_misses", 13987.0, "num_switches", 40.0, "num_fragmentations", 57.0, "mota", 0.6987614862165401,
            "motp", 0.10757254770696338);

    private static Map<String, Double> values(Object... keyValue) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValue.length; i += 2) {
            m.put((String) keyValue[i], (Double) keyValue[i + 1]);
        }
        return m;
    }

    @Test
    void theDefaultGivesTrackEvalsOfficialNumbersAndCompatPyMotmetrics() {
        // MOT17-04-DPM (Lif_T): TrackEval's CLEAR / Identity and py-motmetrics' differ in MT/PT, FP/FN,
        // switches and fragmentations (values from the tools, as in mot-metrics' reference-values*.tsv).
        Path gt = testdata("mot17-lift/gt/MOT17-04/gt.txt");
        Path result = testdata("mot17-lift/results/MOT17-04-DPM.txt");
        Run official = run("--gt", gt.toString(), "--result", result.toString(), "--benchmark", "MOT17",
                "--format", "json");
        Run compat = run("--gt", gt.toString(), "--result", result.toString(), "--benchmark", "MOT17",
                "--format", "json", "--compat", "py-motmetrics");
        assertEquals(0, official.code(), official.err());
        assertEquals(0, compat.code(), compat.err());
        Map<String, Double> te = parseJson(official.out()).get("MOT17-04-DPM");
        Map<String, Double> mm = parseJson(compat.out()).get("MOT17-04-DPM");
        EXPECTED_TRACKEVAL.forEach((k, v) -> assertEquals(v, te.get(k), 1e-9, "trackeval " + k));
        EXPECTED_PY_MOTMETRICS.forEach((k, v) -> assertEquals(v, mm.get(k), 1e-9, "py-motmetrics " + k));
        assertEquals(te.get("hota"), mm.get("hota"), "HOTA is TrackEval's in both");

        Run bad = run("--gt", gt.toString(), "--result", result.toString(), "--compat", "motchallenge");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("trackeval or py-motmetrics"), bad.err());
    }

    @Test
    void severalPairsGiveOneRowEachInOrderAndACombinedRow() {
        Run r = run("--format", "json",
                "--gt", testdata("mot15/TUD-Stadtmitte/gt.txt").toString(),
                "--result", testdata("mot15/TUD-Stadtmitte/result-cem.txt").toString(),
                "--gt", testdata("mot15/TUD-Campus/gt.txt").toString(),
                "--result", testdata("mot15/TUD-Campus/result-cem.txt").toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Map<String, Double>> rows = parseJson(r.out());
        // Both results are called result-cem.txt: the second name is made unique.
        assertEquals(List.of("result-cem", "result-cem#2", "overall"), new ArrayList<>(rows.keySet()));
        for (String count : List.of("num_unique_objects", "num_false_positives", "num_misses", "num_switches",
                "num_fragmentations", "mostly_tracked")) {
            assertEquals(rows.get("result-cem").get(count) + rows.get("result-cem#2").get(count),
                    rows.get("overall").get(count), count);
        }
        double mota = rows.get("overall").get("mota");
        assertTrue(mota > Math.min(rows.get("result-cem").get("mota"), rows.get("result-cem#2").get("mota")));
        assertTrue(mota < Math.max(rows.get("result-cem").get("mota"), rows.get("result-cem#2").get("mota")));
    }

    @Test
    void tableIsTheDefaultFormat() {
        Run r = run("--gt", testdata("mot15/TUD-Campus/gt.txt").toString(),
                "--result", testdata("mot15/TUD-Campus/result-cem.txt").toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.out());
        assertTrue(lines[0].contains("IDF1") && lines[0].contains("MOTA") && lines[0].contains("HOTA"), lines[0]);
        // MOTP as the leaderboard shows it: mean IoU in percent (1 - 0.277201)
        assertTrue(lines[1].startsWith("result-cem") && lines[1].contains("55.8%") && lines[1].contains("72.3%"),
                lines[1]);
        assertTrue(lines[2].startsWith("overall"));
        Run compat = run("--gt", testdata("mot15/TUD-Campus/gt.txt").toString(),
                "--result", testdata("mot15/TUD-Campus/result-cem.txt").toString(), "--compat", "py-motmetrics");
        assertTrue(compat.out().split("\n")[1].contains("0.277"), "py-motmetrics' MOTP is a distance: " + compat.out());
    }

    @Test
    void mot17RulesApplyWithTheBenchmarkFlag() {
        Path gt = testdata("mot17-lift/gt/MOT17-09/gt.txt");
        Path result = testdata("mot17-lift/results/MOT17-09-SDP.txt");
        Map<String, Double> mot17 = parseJson(run("--gt", gt.toString(), "--result", result.toString(),
                "--benchmark", "MOT17", "--format", "json", "--compat", "py-motmetrics").out()).get("MOT17-09-SDP");
        // As MOT15 with py-motmetrics' loader every ground-truth row (occluders, static people, conf 0)
        // would be a target (TrackEval's MOT15 rules still drop conf-0 rows, which here are all the others).
        Map<String, Double> asMot15 = parseJson(run("--gt", gt.toString(), "--result", result.toString(),
                "--benchmark", "mot15", "--format", "json", "--compat", "py-motmetrics").out()).get("MOT17-09-SDP");
        assertTrue(mot17.get("mota") > 0.7, mot17.toString());
        assertTrue(asMot15.get("num_misses") > mot17.get("num_misses") + 1000, asMot15.toString());
    }

    @Test
    void aMalformedLineIsOneErrorLineNamingFileAndLineWithExitCode2() throws IOException {
        Path gt = tmp.resolve("gt.txt");
        Files.writeString(gt, "1,1,10,10,20,40,1,-1,-1,-1\n2,1,10,10,20,forty,1,-1,-1,-1\n");
        Path res = tmp.resolve("res.txt");
        Files.writeString(res, "1,1,10,10,20,40,1,-1,-1,-1\n");
        Run r = run("--gt", gt.toString(), "--result", res.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(gt + ":2:"), r.err());
        assertTrue(r.out().isEmpty());
    }

    @Test
    void aRepeatedIdInOneFrameIsRejectedWithItsLine() throws IOException {
        Path gt = tmp.resolve("gt.txt");
        Files.writeString(gt, "1,1,10,10,20,40,1,-1,-1,-1\n");
        Path res = tmp.resolve("res.txt");
        Files.writeString(res, "1,4,10,10,20,40,1,-1,-1,-1\n1,5,50,10,20,40,1,-1,-1,-1\n1,4,90,10,20,40,1,-1,-1,-1\n");
        Run r = run("--gt", gt.toString(), "--result", res.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(res + ":3:") && r.err().contains("line 1"), r.err());
    }

    @Test
    void missingFilesAndBadOptionsExitWith2() {
        Path missing = tmp.resolve("missing.txt");
        Run r = run("--gt", missing.toString(), "--result", testdata("mot15/TUD-Campus/result-cem.txt").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing.txt"), r.err());
        assertEquals(1, r.err().strip().lines().count());

        assertEquals(2, run("--gt", "a.txt", "--result", "b.txt", "--frobnicate", "x").code());
        assertEquals(2, run("--gt", "a.txt").code());
        assertEquals(2, run("--gt", "a.txt", "--result").code());
        assertEquals(2, run("--gt", "a.txt", "--result", "b.txt", "--benchmark", "MOT99").code());
        assertEquals(2, run("--gt", "a.txt", "--result", "b.txt", "--format", "xml").code());
        assertEquals(2, run().code());
        Run help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("usage: motflow eval"));
    }
}
