package dev.motflow.local;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.testsupport.SageMakerStub;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * CreateProcessingJob, locally: inputs downloaded into an /opt/ml-style folder, the container's
 * entry point run as a process ({@code process} -> {@code motflow_ml.process --annotate}, or an explicit
 * {@code python3 -m motflow_ml.<module>}), outputs uploaded, the job's status set in the emulator and
 * the EventBridge "SageMaker Processing Job State Change" event emitted.
 */
final class ProcessingJobRunner {
    private final S3Client s3;
    private final Containers containers;
    private final SageMakerStub stub;
    private final Path processingDir;
    private final Executor executor;
    private final Consumer<String> progress;
    private final Supplier<Consumer<Map<String, Object>>> events;
    private final Map<String, CompletableFuture<String>> runs = new ConcurrentHashMap<>();

    ProcessingJobRunner(S3Client s3, Containers containers, SageMakerStub stub, Path processingDir, Executor executor,
                        Consumer<String> progress, Supplier<Consumer<Map<String, Object>>> events) {
        this.s3 = s3;
        this.containers = containers;
        this.stub = stub;
        this.processingDir = processingDir;
        this.executor = executor;
        this.progress = progress;
        this.events = events;
    }

    /** Starts the job the emulator accepted (once per name). */
    void start(String name) {
        ObjectNode job = stub.processingJob(name);
        runs.computeIfAbsent(name, n -> CompletableFuture.supplyAsync(() -> run(job), executor));
    }

    /** Waits for a job: null when it completed, else the failure reason. */
    String await(String name) {
        CompletableFuture<String> run = runs.get(name);
        return run == null ? "processing job " + name + " was never started locally" : run.join();
    }

    private String run(ObjectNode job) {
        String name = job.path("ProcessingJobName").asText();
        long started = System.currentTimeMillis();
        String failure;
        try {
            failure = execute(name, job);
        } catch (RuntimeException e) {
            failure = "local processing failed: " + e.getMessage();
        }
        String status = failure == null ? "Completed" : "Failed";
        stub.setProcessingJobStatus(name, status, failure);
        events.get().accept(stateChangeEvent(job, status, failure, started));
        return failure;
    }

    /** The EventBridge event SageMaker sends when a processing job ends. */
    private static Map<String, Object> stateChangeEvent(JsonNode job, String status, String failure, long started) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("ProcessingJobName", job.path("ProcessingJobName").asText());
        detail.put("ProcessingJobArn", job.path("ProcessingJobArn").asText());
        detail.put("ProcessingJobStatus", status);
        detail.put("ProcessingStartTime", started);
        detail.put("ProcessingEndTime", System.currentTimeMillis());
        if (failure != null) {
            detail.put("FailureReason", failure);
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "SageMaker Processing Job State Change");
        event.put("source", "aws.sagemaker");
        event.put("account", "000000000000");
        event.put("time", Instant.now().toString());
        event.put("region", "us-east-1");
        event.put("resources", List.of(job.path("ProcessingJobArn").asText()));
        event.put("detail", detail);
        return event;
    }

    private String execute(String name, JsonNode job) {
        Path opt = processingDir.resolve(name);
        S3Files.deleteTree(opt);
        Path modelInput = null;
        for (JsonNode in : job.path("ProcessingInputs")) {
            JsonNode s3in = in.path("S3Input");
            Path local = OptMlFolder.local(opt, s3in.path("LocalPath").asText());
            LocalRetry.run("processing job " + name + ": downloading " + s3in.path("S3Uri").asText(), progress,
                    () -> OptMlFolder.download(s3, OptMlFolder.dataType(s3in), s3in.path("S3Uri").asText(), local));
            if (s3in.path("LocalPath").asText().equals("/opt/ml/processing/model")) {
                modelInput = local;
            }
        }
        List<String> entry = new ArrayList<>();
        job.path("AppSpecification").path("ContainerEntrypoint").forEach(n -> entry.add(n.asText()));
        List<String> arguments = new ArrayList<>();
        job.path("AppSpecification").path("ContainerArguments").forEach(n -> arguments.add(n.asText()));
        Path model = modelInput != null ? modelInput : containers.deployedModel();
        if (model == null) {
            return "no model: the processing job has no model input and no model is deployed (run ./motflow demo or retrain)";
        }
        List<String> args = new ArrayList<>();
        String module;
        if (entry.equals(List.of("process"))) {
            module = "motflow_ml.process";
            args.addAll(List.of("--input", OptMlFolder.local(opt, "/opt/ml/processing/input").toString(),
                    "--output", OptMlFolder.local(opt, "/opt/ml/processing/output").toString(),
                    "--model-dir", model.toString(), "--annotate"));
        } else if (entry.size() == 3 && entry.get(1).equals("-m") && entry.get(2).startsWith("motflow_ml.")) {
            // An explicit entry point such as the retraining workflow's `python3 -m motflow_ml.evaluate`:
            // that module with its arguments, /opt/ml paths mapped into the job's folder.
            module = entry.get(2);
        } else {
            return "the local stack cannot run entry point " + entry + " (known: [process], [python3, -m, motflow_ml.*])";
        }
        for (String a : arguments) {
            args.add(a.startsWith("/opt/ml/") ? OptMlFolder.local(opt, a).toString() : a);
        }
        progress.accept("processing job " + name + ": running " + module);
        Containers.Run run = containers.run(module, args, opt, opt.resolve("process.log"), Map.of(),
                line -> progress.accept("  [" + name + "] " + line));
        if (!run.ok()) {
            return OptMlFolder.failureOf(opt, run);
        }
        for (JsonNode out : job.path("ProcessingOutputConfig").path("Outputs")) {
            String to = out.path("S3Output").path("S3Uri").asText();
            LocalRetry.run("processing job " + name + ": uploading to " + to, progress,
                    () -> S3Files.uploadDir(s3, OptMlFolder.local(opt, out.path("S3Output").path("LocalPath").asText()), to));
        }
        return null;
    }
}
