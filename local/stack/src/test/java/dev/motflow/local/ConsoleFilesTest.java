package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleFilesTest {
    @TempDir
    Path dir;

    @Test
    void servesTheConsoleFilesWithTheirTypesAndNothingElse() throws Exception {
        Path root = Files.createDirectories(dir.resolve("console"));
        Files.writeString(root.resolve("index.html"), "<!doctype html>");
        Files.createDirectories(root.resolve("js"));
        Files.writeString(root.resolve("js/app.js"), "export {}");
        Files.writeString(root.resolve(".hidden.js"), "x");
        Files.writeString(root.resolve("notes.txt"), "x");
        Files.writeString(dir.resolve("secret.js"), "outside");
        Files.createSymbolicLink(root.resolve("js/link.js"), dir.resolve("secret.js"));
        ConsoleFiles files = new ConsoleFiles(root);

        ConsoleFiles.File index = files.find("/", null).orElseThrow();
        assertArrayEquals("<!doctype html>".getBytes(StandardCharsets.UTF_8), index.body());
        assertEquals("text/html; charset=utf-8", index.headers().get("Content-Type"));
        assertEquals("nosniff", index.headers().get("X-Content-Type-Options"));
        assertTrue(index.headers().get("Content-Security-Policy").contains("script-src 'self'"));
        assertEquals("text/javascript; charset=utf-8", files.find("/js/app.js", null).orElseThrow().headers().get("Content-Type"));

        for (String refused : new String[] {"/../secret.js", "/js/../../secret.js", "/%2e%2e/secret.js", "/.hidden.js",
                "/notes.txt", "/js", "/js/", "/js/link.js", "//etc/passwd", "/missing.js", "relative.js", "/js\\app.js"}) {
            assertTrue(files.find(refused, null).isEmpty(), refused);
        }
    }

    @Test
    void anUnchangedFileIsNotSentAgain() throws Exception {
        Files.writeString(dir.resolve("index.html"), "x");
        ConsoleFiles files = new ConsoleFiles(dir);
        String lastModified = files.find("/index.html", null).orElseThrow().headers().get("Last-Modified");
        assertNull(files.find("/index.html", lastModified).orElseThrow().body(), "304 for the browser's fresh copy");
        assertEquals(1, files.find("/index.html", "Mon, 01 Jan 2001 00:00:00 GMT").orElseThrow().body().length);
    }
}
