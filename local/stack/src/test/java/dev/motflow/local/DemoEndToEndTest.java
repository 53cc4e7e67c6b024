package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.metrics.MotMetrics;

/**
 * The path of {@code ./motflow demo}, end to end, with tiny sizes: synthetic data -> labelled/
 * upload -> S3 event -> retraining trigger -> the real ASL (validate, train with motflow_ml.train,
 * evaluate with motflow_ml.process, score, gate, deploy) -> POST /jobs, presigned PUT -> S3 event ->
 * ingest -> InvokeEndpointAsync -> serving container -> SNS notification -> completion -> API ->
 * metrics, at the demo's own settings, with a quality floor; then import-model. Needs containers/.venv: without
 * it the test fails and says how to get it.
 */
class DemoEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @Test
    void demoTrainsPromotesTracksAndScores() throws Exception {
        Path root = RepoRoot.find();
        assertTrue(Files.isExecutable(root.resolve("containers/.venv/bin/python")),
                "containers/.venv is missing: run ./motflow setup (the demo runs the model code from containers/ in it)");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new Tee(captured, System.out), true, StandardCharsets.UTF_8);
        Path results = data.resolve("out");
        // The demo's own settings (./motflow demo: 60 frames per sequence, 4 training epochs), so that the quality
        // floor below is the one a user of the demo gets. The demo's 600 s cap on training is lifted: on a loaded
        // machine it stops training after fewer epochs (a weaker model), and the floor must not depend on timing.
        Demo.Result r = new Demo(new CommandContext(root, data.resolve("state"), 0, 3600, out)).run(60, results);

        String console = captured.toString(StandardCharsets.UTF_8);
        assertEquals("SUCCEEDED", r.runStatus(), console);
        assertTrue(console.contains("PROMOTED"), "the first model of a fresh data folder is promoted:\n" + console);
        assertTrue(console.contains("Train > EvaluateCandidate > ScoreCandidate"), "the real ASL ran its states:\n" + console);
        assertNotNull(r.tracked(), console);
        assertEquals("SUCCEEDED", r.tracked().status(), console);
        assertNotNull(r.metrics(), console);

        // what the job wrote is what the API serves: same tracks in the MOT file and in GET /jobs/{id}/tracks
        Path dir = results.resolve(r.tracked().jobId());
        Set<Integer> ids = new HashSet<>();
        for (String line : Files.readAllLines(dir.resolve("tracks.txt"))) {
            if (!line.isBlank()) {
                String[] f = line.split(",");
                assertEquals(10, f.length, "MOTChallenge result line: " + line);
                ids.add(Integer.parseInt(f[1].trim()));
            }
        }
        JsonNode tracks = JSON.readTree(dir.resolve("tracks.json").toFile());
        assertEquals(ids.size(), tracks.path("tracks").size());
        assertEquals(ids.size(), r.tracked().trackCount());
        JsonNode job = JSON.readTree(dir.resolve("job.json").toFile());
        assertEquals(r.tracked().jobId(), job.path("jobId").asText());
        List<String> history = job.path("history").findValuesAsText("status");
        assertTrue(history.containsAll(List.of("RECEIVED", "RUNNING", "SUCCEEDED")), history.toString());

        // The demo's model finds and follows the synthetic figures. Its quality is a lottery of the tiny CPU training
        // (4 epochs x 60 steps): on this 2-core machine and in CI (the same figures to the last digit) seed 0 gives
        // 7 tracks, MOTA -0.103, IDF1 0.286, HOTA 0.299 on the demo's H.264 video; training seeds 1 and 2 gave MOTA
        // 0.06 / 0.09, IDF1 0.44 / 0.45 on the generator's video, and an earlier machine seed 0 MOTA 0.072, IDF1 0.412.
        // The floors sit below that spread, and still fail for a model that finds nothing (IDF1 = HOTA = 0) or mostly
        // false positives (MOTA well below 0).
        assertTrue(ids.size() >= 1, "the demo's model tracks at least one figure:\n" + console);
        MotMetrics m = r.metrics();
        assertTrue(m.idf1() >= 0.2, "IDF1 " + m.idf1() + " below the demo's floor 0.2: " + m);
        assertTrue(m.hota() >= 0.2, "HOTA " + m.hota() + " below the demo's floor 0.2: " + m);
        assertTrue(m.mota() >= -0.25, "MOTA " + m.mota() + " below the demo's floor -0.25: " + m);
        assertEquals(List.of("start the local stack", "make synthetic data (" + Demo.LABELLED_SEQUENCES + " labelled sequences + 1 video)",
                "retraining run (validate, train, evaluate, gate, deploy)", "track the video (upload, async inference, completion)",
                "metrics (mot-metrics, Java)"), List.copyOf(r.phases().keySet()));

        // the data folder persists across restarts: a new stack sees the promoted model and the job
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        JobQueries later = new JobQueries(new CommandContext(root, data.resolve("state"), 0, 180,
                new PrintStream(again, true, StandardCharsets.UTF_8)));
        assertEquals(0, later.job(r.tracked().jobId()));
        assertTrue(again.toString(StandardCharsets.UTF_8).contains("\"SUCCEEDED\""), again.toString(StandardCharsets.UTF_8));

        // the processing-job route (incoming/batch/ -> CreateProcessingJob -> EventBridge event) with the restored model:
        // same video, same model, so the same tracks, plus the annotated video
        Path annotated = data.resolve("annotated");
        VideoTracking batch = new VideoTracking(new CommandContext(root, data.resolve("state"), 0, 180, out));
        assertEquals(0, batch.run(data.resolve("state/demo/video/SYN-0007-01.mp4").toString(), annotated, null, true),
                captured.toString(StandardCharsets.UTF_8));
        try (var jobs = Files.list(annotated)) {
            Path jobDir = jobs.findFirst().orElseThrow();
            assertTrue(Files.size(jobDir.resolve("annotated.mp4")) > 0);
            assertEquals("PROCESSING_JOB", JSON.readTree(jobDir.resolve("job.json").toFile()).path("route").asText());
            assertEquals(ids.size(), JSON.readTree(jobDir.resolve("tracks.json").toFile()).path("tracks").size());
        }

        // import-model: a model folder from an importer (here a stand-in for motflow_ml.import_fairmot that copies the
        // demo's trained model) becomes production version 2 through the registry and the deploy path, and the next
        // stack's processing jobs mount it
        Path trained;
        try (var models = Files.list(data.resolve("state/sagemaker/models"))) {
            trained = models.filter(folder -> Files.isRegularFile(folder.resolve("model.pth"))).findFirst().orElseThrow();
        }
        Path importer = Files.createDirectories(data.resolve("importer"));
        Files.writeString(importer.resolve("copy_importer.py"), """
                import shutil, sys
                checkpoint, out = sys.argv[1], sys.argv[sys.argv.index("--out") + 1]
                shutil.copytree(open(checkpoint).read().strip(), out)
                print("copied the model folder named in", checkpoint)
                """);
        Path checkpoint = Files.writeString(data.resolve("checkpoint.pth"), trained.toString());
        CommandContext ctx = new CommandContext(root, data.resolve("state"), 0, 180, out);
        ModelImport modelImport = new ModelImport(ctx, "copy_importer",
                Map.of("PYTHONPATH", importer + ":" + root.resolve("containers")));
        assertEquals(0, modelImport.run(checkpoint, "fairmot-test"), captured.toString(StandardCharsets.UTF_8));
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("model fairmot-test is production version 2 of motflow-tracker: "
                + "s3://motflow-artifacts/imported/fairmot-test/model.tar.gz"), captured.toString(StandardCharsets.UTF_8));
        Path afterImport = data.resolve("after-import");
        assertEquals(0, new VideoTracking(ctx).run(data.resolve("state/demo/video/SYN-0007-01.mp4").toString(), afterImport, null, true));
        try (var jobs = Files.list(afterImport)) {
            JsonNode model = JSON.readTree(jobs.findFirst().orElseThrow().resolve("job.json").toFile()).path("sagemaker").path("model");
            assertEquals(2, model.path("version").asInt(), model.toString());
            assertEquals("s3://motflow-artifacts/imported/fairmot-test/model.tar.gz", model.path("s3Uri").asText(), model.toString());
        }
        LocalStackException badName = assertThrows(LocalStackException.class, () -> modelImport.run(checkpoint, "bad/name"));
        assertTrue(badName.getMessage().startsWith("--version 'bad/name' must be"), badName.getMessage());
    }

    /** Writes to two streams (the test reads one, the build log shows the other). */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
