package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import dev.motflow.cli.Main;
import org.junit.jupiter.api.io.TempDir;

/** The errors a user can act on say what to do, before anything heavy starts. */
class CommandErrorsTest {
    @TempDir
    Path dir;

    @Test
    void missingVideoIsNamed() {
        LocalStackException e = assertThrows(LocalStackException.class, () -> VideoTracking.checkVideo(dir.resolve("nope.mp4").toString()));
        assertTrue(e.getMessage().startsWith("no such file: "), e.getMessage());
    }

    @Test
    void unsupportedFormatListsTheSupportedOnes() throws Exception {
        Path gif = Files.writeString(dir.resolve("clip.gif"), "GIF89a");
        LocalStackException e = assertThrows(LocalStackException.class, () -> VideoTracking.checkVideo(gif.toString()));
        assertTrue(e.getMessage().contains("unsupported video format 'clip.gif'") && e.getMessage().contains("mp4"), e.getMessage());
        Path mov = Files.writeString(dir.resolve("clip.MOV"), "x");
        assertEquals(mov.toAbsolutePath(), VideoTracking.checkVideo(mov.toString()));
        assertEquals("video/quicktime", VideoTracking.contentType(mov));
    }

    @Test
    void apiPortInUseIsReportedBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            LocalStackException e = assertThrows(LocalStackException.class, () -> LocalStack.start(new LocalStack.Options(
                    RepoRoot.find(), dir.resolve("data"), taken.getLocalPort(), Map.of(), line -> { })));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is in use"), e.getMessage());
            assertTrue(e.getMessage().contains("--port"), e.getMessage());
        }
        assertTrue(!Files.exists(dir.resolve("data/stack.json")), "nothing was left running");
    }

    @Test
    void trackWithoutAnyModelSaysHowToGetOne() throws Exception {
        Path video = Files.write(dir.resolve("walk.mp4"), new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p'});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VideoTracking fresh = new VideoTracking(new CommandContext(RepoRoot.find(), dir.resolve("empty"), 0, 180,
                new PrintStream(out, true, StandardCharsets.UTF_8)));
        LocalStackException e = assertThrows(LocalStackException.class, () -> fresh.run(video.toString(), null, null, false));
        assertTrue(e.getMessage().startsWith("no model has been promoted yet"), e.getMessage());
        assertTrue(e.getMessage().contains("./motflow demo") && e.getMessage().contains("./motflow retrain")
                && e.getMessage().contains("--model DIR"), e.getMessage());
        LocalStackException notAModel = assertThrows(LocalStackException.class, () -> fresh.run(video.toString(), null, dir, false));
        assertTrue(notAModel.getMessage().contains("is not a model folder (needs model.pth and config.json"), notAModel.getMessage());
        assertTrue(!Files.exists(dir.resolve("empty/stack.json")), "the stack was stopped");
    }

    @Test
    void unknownCommandAndMissingArgumentsAreUsageErrorsWithExitCode2() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(new String[] {"fly", "--data-dir", dir.toString()}, console, errors));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("'fly'"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, Main.run(new String[] {"track", "--data-dir", dir.toString()}, console, errors));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("motflow track: Missing required parameter: 'VIDEO'"),
                err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, Main.run(new String[] {"jobs", "--port", "eighty"}, console, errors));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--port"), err.toString(StandardCharsets.UTF_8));
        assertTrue(!Files.exists(dir.resolve("stack.json")), "nothing started");
    }

    @Test
    void aFailureTheUserCanActOnIsOneLineWithExitCode1() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(new String[] {"track", dir.resolve("nope.mp4").toString(), "--data-dir", dir.resolve("data").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, rc);
        assertEquals("motflow track: no such file: " + dir.resolve("nope.mp4"), err.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void importModelChecksItsArgumentsBeforeAnythingRuns() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        String data = dir.resolve("data").toString();
        assertEquals(2, Main.run(new String[] {"import-model", "onnx", "m.onnx", "--data-dir", data}, console, errors));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("fairmot"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, Main.run(new String[] {"import-model", "fairmot", "--data-dir", data}, console, errors));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("CHECKPOINT"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(1, Main.run(new String[] {"import-model", "fairmot", dir.resolve("nope.pth").toString(), "--data-dir", data},
                console, errors));
        assertEquals("motflow import-model: no such checkpoint file: " + dir.resolve("nope.pth"),
                err.toString(StandardCharsets.UTF_8).strip());
        assertTrue(!Files.exists(dir.resolve("data/stack.json")), "nothing started");
    }

    @Test
    void helpListsEveryCommand() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[] {"help"}, console, console));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String command : List.of("eval", "track-dets", "demo", "track", "jobs", "job", "tracks", "retrain", "serve",
                "import-model", "bench", "synth", "test", "setup")) {
            assertTrue(help.contains("\n  " + command + " ") || help.contains("\n  " + command + ","), command + " in:\n" + help);
        }
        assertTrue(help.contains("Exit codes:") && help.contains("2   usage error"), help);
    }
}
