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
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The errors a user can act on say what to do, before anything heavy starts. */
class CommandErrorsTest {
    @TempDir
    Path dir;

    @Test
    void missingVideoIsNamed() {
        LocalStackException e = assertThrows(LocalStackException.class, () -> Commands.checkVideo(dir.resolve("nope.mp4").toString()));
        assertTrue(e.getMessage().startsWith("no such file: "), e.getMessage());
    }

    @Test
    void unsupportedFormatListsTheSupportedOnes() throws Exception {
        Path gif = Files.writeString(dir.resolve("clip.gif"), "GIF89a");
        LocalStackException e = assertThrows(LocalStackException.class, () -> Commands.checkVideo(gif.toString()));
        assertTrue(e.getMessage().contains("unsupported video format 'clip.gif'") && e.getMessage().contains("mp4"), e.getMessage());
        Path mov = Files.writeString(dir.resolve("clip.MOV"), "x");
        assertEquals(mov.toAbsolutePath(), Commands.checkVideo(mov.toString()));
        assertEquals("video/quicktime", Commands.contentType(mov));
    }

    @Test
    void apiPortInUseIsReportedBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            LocalStackException e = assertThrows(LocalStackException.class, () -> LocalStack.start(new LocalStack.Options(
                    LocalMain.repoRoot(), dir.resolve("data"), taken.getLocalPort(), Map.of(), line -> { })));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is in use"), e.getMessage());
            assertTrue(e.getMessage().contains("--port"), e.getMessage());
        }
        assertTrue(!Files.exists(dir.resolve("data/stack.json")), "nothing was left running");
    }

    @Test
    void trackWithoutAnyModelSaysHowToGetOne() throws Exception {
        Path video = Files.write(dir.resolve("walk.mp4"), new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p'});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Commands fresh = new Commands(LocalMain.repoRoot(), dir.resolve("empty"), 0, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        LocalStackException e = assertThrows(LocalStackException.class, () -> fresh.track(video.toString()));
        assertTrue(e.getMessage().startsWith("no model has been promoted yet"), e.getMessage());
        assertTrue(e.getMessage().contains("./motflow demo") && e.getMessage().contains("./motflow retrain")
                && e.getMessage().contains("--model DIR"), e.getMessage());
        LocalStackException notAModel = assertThrows(LocalStackException.class, () -> new Commands(LocalMain.repoRoot(),
                dir.resolve("empty"), 0, Map.of("model", dir.toString()), new PrintStream(out, true, StandardCharsets.UTF_8))
                .track(video.toString()));
        assertTrue(notAModel.getMessage().contains("is not a model folder (needs model.pth and config.json"), notAModel.getMessage());
        assertTrue(!Files.exists(dir.resolve("empty/stack.json")), "the stack was stopped");
    }

    @Test
    void unknownCommandAndMissingArgumentsPrintUsage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
        LocalStackException e = assertThrows(LocalStackException.class,
                () -> LocalMain.run(new String[] {"fly", "--data-dir", dir.toString()}, console, false));
        assertTrue(e.getMessage().contains("unknown command 'fly'"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("track VIDEO"));
        LocalStackException missing = assertThrows(LocalStackException.class,
                () -> LocalMain.run(new String[] {"track", "--data-dir", dir.toString()}, console, false));
        assertEquals("usage: ./motflow track VIDEO", missing.getMessage());
    }
}
