package dev.motflow.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the code of containers/ as local processes, the way the SageMaker image would run it:
 * {@code python -m motflow_ml.<train|process|synth>} with an /opt/ml-like folder
 * ({@code MOTFLOW_OPT_ML}), and {@code motflow_ml.serve} as a long-lived HTTP server on a loopback
 * port that is (re)started when the deployed model changes.
 */
final class Containers implements AutoCloseable {
    /**
     * Runs {@code python -c PARENT_WATCH <module> args} as {@code python -m <module> args} would, with a
     * thread that ends the child, and everything it started, once its parent is no longer the JVM that
     * started it (MOTFLOW_PARENT_PID): a kill -9 of the stack leaves no model server, processing or
     * training behind. The child leads its own process group so that one killpg reaches its workers.
     */
    static final String PARENT_WATCH = String.join("\n",
            "import os, runpy, signal, sys, threading, time",
            "parent = int(os.environ.get('MOTFLOW_PARENT_PID') or os.getppid())",
            "try:",
            "    os.setpgid(0, 0)",
            "except OSError:",
            "    pass",
            "def watch():",
            "    while True:",
            "        time.sleep(1)",
            "        if os.getppid() != parent:",
            "            try:",
            "                os.killpg(0, signal.SIGKILL)",
            "            finally:",
            "                os._exit(137)",
            "threading.Thread(target=watch, name='motflow-parent-watch', daemon=True).start()",
            "module = sys.argv[1]",
            "sys.argv = [module] + sys.argv[2:]",
            "runpy.run_module(module, run_name='__main__', alter_sys=True)");

    private final Path repoRoot;
    private final Path python;
    private final Path logDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Training and processing runs in progress: stopped with the stack (Ctrl-C must not leave them behind). */
    private final java.util.Set<Process> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Process server;
    private Path serverModel;
    private int serverPort;

    Containers(Path repoRoot, Path logDir) {
        this.repoRoot = repoRoot;
        this.python = repoRoot.resolve("containers/.venv/bin/python");
        this.logDir = logDir;
    }

    /** Fails with the set-up instruction when the Python environment is missing. */
    static void requireSetUp(Path repoRoot) {
        if (!Files.isExecutable(repoRoot.resolve("containers/.venv/bin/python"))) {
            throw new LocalStackException("containers/.venv is missing (the model code's Python environment): run ./motflow setup");
        }
    }

    /** The result of one container run. */
    record Run(int exitCode, Path log, String lastLines) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Runs {@code python -m <module> args} with {@code optMl} as /opt/ml and waits; every output
     * line goes to {@code log} and to {@code lines} (may be null).
     */
    Run run(String module, List<String> args, Path optMl, Path log, Map<String, String> env, Consumer<String> lines) {
        requireSetUp(repoRoot);
        List<String> cmd = new ArrayList<>(List.of(python.toString(), "-u", "-c", PARENT_WATCH, module));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repoRoot.resolve("containers").toFile()).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", repoRoot.resolve("containers").toString());
        if (optMl != null) {
            pb.environment().put("MOTFLOW_OPT_ML", optMl.toString());
        }
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors())));
        pb.environment().putAll(env);
        pb.environment().put("MOTFLOW_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
        Process p = null;
        try {
            Files.createDirectories(log.getParent());
            p = pb.start();
            running.add(p);
            ChildPids.record(dataDir(), p, module);
            java.util.ArrayDeque<String> tail = new java.util.ArrayDeque<>();
            try (var out = Files.newBufferedWriter(log);
                 var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    tail.addLast(line);
                    if (tail.size() > 8) {
                        tail.removeFirst();
                    }
                    if (lines != null) {
                        lines.accept(line);
                    }
                }
            }
            int rc = p.waitFor();
            return new Run(rc, log, String.join("\n", tail));
        } catch (IOException e) {
            throw new LocalStackException("cannot run " + module + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            ChildProcess.stop(p);
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while running " + module);
        } finally {
            if (p != null) {
                running.remove(p);
                ChildPids.forget(dataDir(), p);
                if (p.isAlive()) {
                    ChildProcess.stop(p);
                }
            }
        }
    }

    // ---- the endpoint container ---------------------------------------------------------------

    /** The model the endpoint serves from now on (the server restarts on the next call). */
    synchronized void deploy(Path modelDir) {
        if (modelDir.equals(serverModel)) {
            return;
        }
        ChildProcess.stop(server);
        server = null;
        serverModel = modelDir;
    }

    synchronized Path deployedModel() {
        return serverModel;
    }

    /** The serving container's base URL, started (and waited for: GET /ping 200) if needed. */
    synchronized URI endpoint() {
        if (serverModel == null) {
            throw new LocalStackException("no model is deployed: run ./motflow demo (trains one), ./motflow retrain DATASET_DIR, "
                    + "or pass --model DIR (a folder with model.pth + config.json)");
        }
        if (server != null && server.isAlive()) {
            return URI.create("http://127.0.0.1:" + serverPort);
        }
        requireSetUp(repoRoot);
        serverPort = freePort();
        List<String> cmd = List.of(python.toString(), "-u", "-c", PARENT_WATCH, "motflow_ml.serve", "--host", "127.0.0.1",
                "--port", Integer.toString(serverPort), "--model-dir", serverModel.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repoRoot.resolve("containers").toFile()).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", repoRoot.resolve("containers").toString());
        pb.environment().put("MOTFLOW_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
        try {
            Files.createDirectories(logDir);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve("serve.log").toFile()));
            server = pb.start();
            ChildPids.record(dataDir(), server, "motflow_ml.serve");
        } catch (IOException e) {
            throw new LocalStackException("cannot start the model server: " + e.getMessage(), e);
        }
        URI base = URI.create("http://127.0.0.1:" + serverPort);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new LocalStackException("the model server exited (" + server.exitValue() + "); see " + logDir.resolve("serve.log"));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/ping")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return base;
                }
                last = r.body();
            } catch (IOException notYet) {
                // still importing torch
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted while the model server started");
            }
            sleep(250);
        }
        ChildProcess.stop(server);
        throw new LocalStackException("the model server did not become ready within 3 minutes (" + last + "); see "
                + logDir.resolve("serve.log"));
    }

    /** The data folder: the logs live in its {@code logs/}. */
    private Path dataDir() {
        return logDir.getParent();
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Process p : List.copyOf(running)) {
            ChildProcess.stop(p);
        }
        synchronized (this) {
            ChildProcess.stop(server);
            server = null;
        }
    }
}
