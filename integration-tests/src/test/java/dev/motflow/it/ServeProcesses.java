package dev.motflow.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.testsupport.RepoPaths;

/**
 * {@code ./motflow serve} in child JVMs for the whole-stack kill -9 tests: start one on a data folder,
 * read its {@code stack.json}, list the children it recorded, and wait for them to die with it.
 * {@link #close()} stops every JVM started (and, if one hangs, its descendants).
 */
public final class ServeProcesses implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Process> started = new ArrayList<>();

    /**
     * Starts {@code serve} on {@code data} and {@code port} (0: any), its output in {@code out}; returns
     * once its {@code stack.json} names it, or fails after {@code waitSeconds}.
     */
    public Process start(Path data, int port, Path out, long waitSeconds) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                "-Dmotflow.repo.root=" + RepoPaths.root(), "dev.motflow.cli.Main", "serve", "--data-dir", data.toString(),
                "--port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        started.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), "serve exited: " + Files.readString(out));
            JsonNode s = stackFile(data);
            if (s != null && s.path("pid").asLong() == p.pid()) {
                return p;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the stack did not start within " + waitSeconds + " s");
    }

    /** How many JVMs were started (to name their output files). */
    public int count() {
        return started.size();
    }

    /** The stack's endpoints file, or null while there is none (or it is being written). */
    public static JsonNode stackFile(Path data) {
        try {
            return JSON.readTree(data.resolve("stack.json").toFile());
        } catch (IOException e) {
            return null;
        }
    }

    /** Pids the stack recorded for its children (node servers, Python). */
    public static Set<Long> childPids(Path data) throws IOException {
        Set<Long> pids = new TreeSet<>();
        Path dir = data.resolve("pids");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.forEach(f -> pids.add(Long.parseLong(f.getFileName().toString().replace(".json", ""))));
            }
        }
        return pids;
    }

    /** The children of a killed stack notice on their own (stdin closed, parent gone) within seconds. */
    public static void awaitGone(Set<Long> pids) throws InterruptedException {
        assertFalse(pids.isEmpty(), "the stack recorded its children");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Long> alive;
        do {
            alive = pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).toList();
            if (alive.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("children outlived the killed stack: " + alive);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }
}
