package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's video as browsers play it (H.264 in MP4), and the console URL it prints. Needs containers/.venv. */
class DemoVideoTest {
    @TempDir
    Path data;

    @Test
    void theSyntheticVideoIsReEncodedAsH264ForTheConsole() throws Exception {
        Path root = RepoRoot.find();
        assertTrue(Files.isExecutable(root.resolve("containers/.venv/bin/python")), "containers/.venv is missing: run ./motflow setup");
        CommandContext ctx = new CommandContext(root, data, 0, 60, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Path dir = data.resolve("video");
        Demo.synth(ctx, dir, 1, 8, 7, false);
        Path mp4 = data.resolve("v.mp4");
        assertTrue(Demo.encodeVideo(ctx, dir.resolve("SYN-0007-01"), mp4, "avc1"), "this OpenCV writes H.264");
        String head = new String(Files.readAllBytes(mp4), StandardCharsets.ISO_8859_1);
        assertEquals("ftyp", head.substring(4, 8), "an MP4 file");
        assertTrue(head.contains("avc1") && !head.contains("mp4v"), "H.264 video, not MPEG-4 part 2");
        assertFalse(Demo.encodeVideo(ctx, dir.resolve("SYN-0007-01"), data.resolve("x.mp4"), "XXXX"), "an unknown codec is refused");
        assertEquals("http://127.0.0.1:8470/#/jobs/0123456789abcdef0123456789abcdef",
                Demo.consoleJobUrl(8470, "0123456789abcdef0123456789abcdef"));
    }
}
