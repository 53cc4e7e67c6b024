package dev.motflow.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Pid files of the stack's child processes ({@code <data>/pids/<pid>.json}: the child's pid and start
 * time, the JVM that started it). The children stop with the JVM on their own (node servers when
 * their stdin closes, Python children when their parent changes: {@link Containers#PARENT_WATCH});
 * these files are the last line: a stack starting on the folder stops any child left by a JVM that
 * is gone (pid and start time must both match, so a reused pid is never hit).
 */
final class ChildPids {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChildPids() {
    }

    static Path dir(Path dataDir) {
        return dataDir.resolve("pids");
    }

    static void record(Path dataDir, Process p, String what) {
        ProcessHandle h = p.toHandle();
        var o = JSON.createObjectNode().put("pid", h.pid()).put("what", what)
                .put("parent", ProcessHandle.current().pid())
                .put("started", h.info().startInstant().map(Instant::toString).orElse(""));
        try {
            Files.createDirectories(dir(dataDir));
            Files.writeString(dir(dataDir).resolve(h.pid() + ".json"), o.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // best effort: the child still stops with the JVM by itself
        }
    }

    static void forget(Path dataDir, Process p) {
        try {
            Files.deleteIfExists(dir(dataDir).resolve(p.pid() + ".json"));
        } catch (IOException e) {
            // a stale file names a dead or different process, which stopStale skips
        }
    }

    /** Stops the children of JVMs that are gone; returns how many were still running. */
    static int stopStale(Path dataDir, Consumer<String> log) {
        Path dir = dir(dataDir);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int stopped = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).toList();
        } catch (IOException e) {
            return 0;
        }
        for (Path f : files) {
            try {
                JsonNode o = JSON.readTree(f.toFile());
                long parent = o.path("parent").asLong();
                if (parent != ProcessHandle.current().pid() && ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false)) {
                    continue; // another live JVM's child
                }
                Optional<ProcessHandle> h = ProcessHandle.of(o.path("pid").asLong());
                String started = h.flatMap(x -> x.info().startInstant()).map(Instant::toString).orElse(null);
                if (h.isPresent() && h.get().isAlive() && o.path("started").asText().equals(started)) {
                    h.get().descendants().forEach(ProcessHandle::destroyForcibly);
                    h.get().destroyForcibly();
                    stopped++;
                    log.accept("stopped " + o.path("what").asText() + " (pid " + h.get().pid() + ") left by an earlier run");
                }
                Files.deleteIfExists(f);
            } catch (IOException | RuntimeException e) {
                // unreadable: leave it, it names nothing we can check
            }
        }
        return stopped;
    }
}
