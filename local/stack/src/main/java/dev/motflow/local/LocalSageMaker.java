package dev.motflow.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.motflow.testsupport.SageMakerStub;
import dev.motflow.testsupport.sfn.SageMakerLifecycle;
import dev.motflow.testsupport.sfn.SageMakerLifecycle.TrainingOutcome;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The local SageMaker: a loopback server speaking the SageMaker and SageMaker Runtime wire
 * protocols (the handlers' real SDK clients and the ASL's SageMaker tasks point at it). Request
 * checking, recording and resource state (jobs, models, endpoint configs, endpoints) come from
 * test-support's {@link SageMakerStub} + {@link SageMakerLifecycle}, which sit behind it; the work
 * is done here with the code of containers/ as local processes:
 * <ul>
 *   <li>InvokeEndpoint: the request goes to the serving container ({@code motflow_ml.serve}) of the
 *     deployed model;</li>
 *   <li>InvokeEndpointAsync: reads the input object from local S3, posts it to the serving
 *     container, writes the answer to the output location, then sends SageMaker's SNS-shaped
 *     success or error notification to {@code asyncNotifications};</li>
 *   <li>CreateProcessingJob: runs {@code motflow_ml.process} with an /opt/ml folder under the data
 *     folder, uploads the outputs, then emits the EventBridge "SageMaker Processing Job State
 *     Change" event to {@code processingEvents};</li>
 *   <li>CreateTrainingJob: runs {@code motflow_ml.train} (small CPU settings merged over the
 *     request's hyperparameters) and uploads {@code model.tar.gz};</li>
 *   <li>an endpoint that becomes InService with a new config switches the serving container to
 *     that config's model.</li>
 * </ul>
 * Every endpoint name is served by the one deployed model (locally there is one model at a time).
 */
public final class LocalSageMaker implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ASYNC_PATH = Pattern.compile("^/endpoints/([^/]+)/async-invocations$");
    private static final Pattern INVOKE_PATH = Pattern.compile("^/endpoints/([^/]+)/invocations$");
    private static final Set<String> HOP_HEADERS = Set.of("host", "content-length", "connection", "transfer-encoding",
            "expect", "upgrade", "keep-alive");

    private final SageMakerStub stub = SageMakerStub.start();
    private final SageMakerLifecycle lifecycle = new SageMakerLifecycle(stub);
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final S3Client s3;
    private final Containers containers;
    private final Path workDir;
    private final Path modelsDir;
    private final Map<String, String> trainingOverrides;
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-sagemaker-job");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, CompletableFuture<String>> processingRuns = new ConcurrentHashMap<>();
    private final Map<String, String> modelDataByModel = new ConcurrentHashMap<>();
    private final Map<String, String> modelByConfig = new ConcurrentHashMap<>();
    private volatile String servedConfig;
    private volatile Consumer<String> asyncNotifications = n -> { };
    private volatile Consumer<Map<String, Object>> processingEvents = e -> { };
    private volatile Consumer<String> progress = line -> { };

    LocalSageMaker(S3Client s3, Containers containers, Path workDir, Map<String, String> trainingOverrides, String asyncOutputPrefix) {
        this.s3 = s3;
        this.containers = containers;
        this.workDir = workDir;
        this.modelsDir = workDir.resolve("models");
        this.trainingOverrides = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(trainingOverrides));
        stub.asyncOutputPrefix(asyncOutputPrefix);
        lifecycle.trainingOutcome(this::train);
        lifecycle.onProcessingJob(job -> awaitProcessing(job.path("ProcessingJobName").asText()));
        try {
            server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new LocalStackException("cannot open the local SageMaker port: " + e.getMessage(), e);
        }
        server.createContext("/", this::serve);
        server.setExecutor(Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "local-sagemaker");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Where SNS-shaped async notifications (the envelope JSON, as an SQS body carries it) go. */
    void onAsyncNotification(Consumer<String> consumer) {
        this.asyncNotifications = consumer;
    }

    /** Where EventBridge-shaped processing job events go. */
    void onProcessingEvent(Consumer<Map<String, Object>> consumer) {
        this.processingEvents = consumer;
    }

    /** Progress lines of jobs (training epochs, processing), for the CLI. */
    void onProgress(Consumer<String> consumer) {
        this.progress = consumer;
    }

    SageMakerLifecycle lifecycle() {
        return lifecycle;
    }

    Containers containers() {
        return containers;
    }

    /** An endpoint in service before this process started (restored from the model registry). */
    void restoreEndpoint(String endpointName, String configName, String modelDataUrl) {
        String model = "restored-" + configName;
        lifecycle.existingEndpoint(endpointName, configName, model, modelDataUrl);
        modelDataByModel.put(model, modelDataUrl);
        modelByConfig.put(configName, model);
        deployConfig(configName);
    }

    // ---- HTTP front -----------------------------------------------------------------------------

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                serveUnchecked(ex);
            } catch (RuntimeException | IOException e) {
                // SageMaker's answer to its own failures: a retryable 500 (the workflow's Retry and the
                // ingest's backoff apply). Answered before the exchange closes, never a dropped connection.
                progress.accept("local SageMaker: " + ex.getRequestMethod() + " " + ex.getRequestURI() + " failed: " + e);
                byte[] err = JSON.createObjectNode().put("__type", "InternalFailure").put("message", String.valueOf(e.getMessage()))
                        .toString().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("x-amzn-ErrorType", "InternalFailure");
                ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
                ex.sendResponseHeaders(500, err.length);
                ex.getResponseBody().write(err);
            }
        }
    }

    private void serveUnchecked(HttpExchange ex) throws IOException {
        {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = ex.getRequestURI().getPath();
            Matcher async = ASYNC_PATH.matcher(path);
            Matcher invoke = INVOKE_PATH.matcher(path);
            if ("POST".equals(ex.getRequestMethod()) && invoke.matches()) {
                invoke(ex, body);
                return;
            }
            HttpResponse<byte[]> answer = forward(ex, body);
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            if ("POST".equals(ex.getRequestMethod()) && async.matches() && answer.statusCode() == 202) {
                startAsyncInference(async.group(1), ex, answer);
            } else if (target != null && answer.statusCode() == 200) {
                try {
                    afterControlPlane(target.substring(target.indexOf('.') + 1), JSON.readTree(body.length == 0 ? "{}".getBytes() : body),
                            JSON.readTree(answer.body()));
                } catch (RuntimeException e) {
                    // the operation itself succeeded; what the local stack does with it (e.g. deploying) is reported
                    progress.accept("local SageMaker: after " + target + ": " + e);
                }
            }
            answer.headers().map().forEach((k, v) -> {
                if (!HOP_HEADERS.contains(k.toLowerCase(Locale.ROOT)) && !k.startsWith(":")) {
                    v.forEach(x -> ex.getResponseHeaders().add(k, x));
                }
            });
            ex.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            if (answer.body().length > 0) {
                ex.getResponseBody().write(answer.body());
            }
        }
    }

    /** The request as it came, to the stub (checks, records, keeps state). */
    private HttpResponse<byte[]> forward(HttpExchange ex, byte[] body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(stub.endpoint().resolve(ex.getRequestURI().toString()))
                .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        ex.getRequestHeaders().forEach((k, v) -> {
            if (!HOP_HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
                v.forEach(x -> b.header(k, x));
            }
        });
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** InvokeEndpoint: straight to the serving container; its errors become SageMaker's 424 ModelError. */
    private void invoke(HttpExchange ex, byte[] body) throws IOException {
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        String accept = ex.getRequestHeaders().getFirst("Accept");
        HttpResponse<byte[]> r;
        try {
            r = callContainer(contentType, accept, body);
        } catch (LocalStackException e) {
            byte[] err = JSON.createObjectNode().put("message", e.getMessage()).toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("x-amzn-ErrorType", "ValidationError:http://internal.amazon.com/coral/com.amazon.sagemaker/");
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(400, err.length);
            ex.getResponseBody().write(err);
            return;
        }
        if (r.statusCode() / 100 == 2) {
            ex.getResponseHeaders().add("Content-Type", r.headers().firstValue("content-type").orElse("application/octet-stream"));
            ex.getResponseHeaders().add("x-Amzn-Invoked-Production-Variant", "AllTraffic");
            ex.sendResponseHeaders(200, r.body().length == 0 ? -1 : r.body().length);
            if (r.body().length > 0) {
                ex.getResponseBody().write(r.body());
            }
            return;
        }
        String message = new String(r.body(), StandardCharsets.UTF_8);
        byte[] err = JSON.createObjectNode().put("OriginalStatusCode", r.statusCode()).put("OriginalMessage", message)
                .put("message", "Received client error (" + r.statusCode() + ") from primary with message \"" + message + "\".")
                .toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("x-amzn-ErrorType", "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/");
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(424, err.length);
        ex.getResponseBody().write(err);
    }

    private HttpResponse<byte[]> callContainer(String contentType, String accept, byte[] body) {
        URI base = containers.endpoint();
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/invocations")).timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new LocalStackException("the model server did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted");
        }
    }

    // ---- asynchronous inference -----------------------------------------------------------------

    private void startAsyncInference(String endpointName, HttpExchange ex, HttpResponse<byte[]> answer) {
        String input = ex.getRequestHeaders().getFirst("X-Amzn-SageMaker-InputLocation");
        String contentType = ex.getRequestHeaders().getFirst("X-Amzn-SageMaker-Content-Type");
        String accept = ex.getRequestHeaders().getFirst("X-Amzn-SageMaker-Accept");
        String output = answer.headers().firstValue("X-Amzn-SageMaker-OutputLocation").orElseThrow();
        String failure = answer.headers().firstValue("X-Amzn-SageMaker-FailureLocation").orElseThrow();
        String inferenceId;
        try {
            inferenceId = JSON.readTree(answer.body()).path("InferenceId").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Instant received = Instant.now();
        background.submit(() -> {
            ObjectNode note = JSON.createObjectNode();
            note.put("awsRegion", "us-east-1").put("eventTime", "").put("receivedTime", received.toString())
                    .put("inferenceId", inferenceId).put("eventVersion", "1.0").put("eventSource", "aws:sagemaker")
                    .put("eventName", "InferenceResult");
            note.putObject("requestParameters").put("endpointName", endpointName).put("inputLocation", input)
                    .put("contentType", contentType == null ? "application/octet-stream" : contentType);
            try {
                String[] in = S3Files.parse(input);
                progress.accept("async inference " + inferenceId + ": running the model on " + input);
                byte[] video = s3.getObjectAsBytes(b -> b.bucket(in[0]).key(in[1])).asByteArray();
                HttpResponse<byte[]> r = callContainer(contentType, accept, video);
                if (r.statusCode() / 100 != 2) {
                    throw new LocalStackException("ClientError: Received client error (" + r.statusCode()
                            + ") from primary with message \"" + new String(r.body(), StandardCharsets.UTF_8) + "\"");
                }
                String[] out = S3Files.parse(output);
                s3.putObject(b -> b.bucket(out[0]).key(out[1]).contentType(r.headers().firstValue("content-type").orElse(accept)),
                        RequestBody.fromBytes(r.body()));
                note.put("invocationStatus", "Completed");
                note.putObject("responseParameters").put("contentType", accept).put("outputLocation", output);
            } catch (RuntimeException e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                try {
                    String[] f = S3Files.parse(failure);
                    s3.putObject(b -> b.bucket(f[0]).key(f[1]), RequestBody.fromString(reason));
                } catch (RuntimeException ignored) {
                    // the notification still says why
                }
                note.put("invocationStatus", "Failed").put("failureReason", reason);
                note.putObject("responseParameters").put("contentType", "text/plain").put("failureLocation", failure);
            }
            note.put("eventTime", Instant.now().toString());
            ObjectNode envelope = JSON.createObjectNode();
            boolean ok = "Completed".equals(note.path("invocationStatus").asText());
            envelope.put("Type", "Notification").put("MessageId", UUID.randomUUID().toString())
                    .put("TopicArn", "arn:aws:sns:us-east-1:000000000000:motflow-async-" + (ok ? "success" : "error"))
                    .put("Message", note.toString()).put("Timestamp", Instant.now().toString())
                    .put("SignatureVersion", "1").put("Signature", "local").put("SigningCertURL", "")
                    .put("UnsubscribeURL", "");
            asyncNotifications.accept(envelope.toString());
        });
    }

    // ---- control plane side effects -------------------------------------------------------------

    private void afterControlPlane(String op, JsonNode request, JsonNode response) {
        switch (op) {
            case "CreateProcessingJob" -> {
                String name = request.path("ProcessingJobName").asText();
                ObjectNode job = stub.processingJob(name);
                processingRuns.computeIfAbsent(name, n -> CompletableFuture.supplyAsync(() -> runProcessing(job), background));
            }
            case "CreateModel" -> modelDataByModel.put(request.path("ModelName").asText(),
                    request.path("PrimaryContainer").path("ModelDataUrl").asText());
            case "CreateEndpointConfig" -> modelByConfig.put(request.path("EndpointConfigName").asText(),
                    request.path("ProductionVariants").path(0).path("ModelName").asText());
            case "DescribeEndpoint" -> {
                String config = response.path("EndpointConfigName").asText(null);
                if ("InService".equals(response.path("EndpointStatus").asText()) && config != null && !config.equals(servedConfig)) {
                    deployConfig(config);
                }
            }
            default -> {
            }
        }
    }

    /** Points the serving container at the model of an endpoint config (extracting its model.tar.gz once). */
    private void deployConfig(String config) {
        String model = modelByConfig.get(config);
        String data = model == null ? null : modelDataByModel.get(model);
        if (data == null || data.isEmpty()) {
            return;
        }
        containers.deploy(modelDir(data));
        servedConfig = config;
        progress.accept("endpoint now serves " + data);
    }

    /** The local folder of a model artifact (s3://.../model.tar.gz), extracted on first use. */
    synchronized Path modelDir(String modelDataUrl) {
        String id = HexFormat.of().formatHex(sha256(modelDataUrl)).substring(0, 16);
        Path dir = modelsDir.resolve(id);
        if (Files.isRegularFile(dir.resolve("model.pth"))) {
            return dir;
        }
        try {
            Path tmp = Files.createDirectories(modelsDir).resolve(id + ".tar.gz");
            String[] bk = S3Files.parse(modelDataUrl);
            S3Files.download(s3, bk[0], bk[1], tmp);
            S3Files.untarGz(tmp, dir);
            Files.deleteIfExists(tmp);
            Files.writeString(dir.resolve("SOURCE"), modelDataUrl + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return dir;
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- processing jobs ------------------------------------------------------------------------

    private String awaitProcessing(String name) {
        CompletableFuture<String> run = processingRuns.get(name);
        return run == null ? "processing job " + name + " was never started locally" : run.join();
    }

    /** Runs one processing job; returns null when it completed, else the failure reason. */
    private String runProcessing(ObjectNode job) {
        String name = job.path("ProcessingJobName").asText();
        long started = System.currentTimeMillis();
        String failure;
        try {
            failure = executeProcessing(name, job);
        } catch (RuntimeException e) {
            failure = "local processing failed: " + e.getMessage();
        }
        String status = failure == null ? "Completed" : "Failed";
        stub.setProcessingJobStatus(name, status, failure);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("ProcessingJobName", name);
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
        processingEvents.accept(event);
        return failure;
    }

    private String executeProcessing(String name, JsonNode job) {
        Path opt = workDir.resolve("processing").resolve(name);
        S3Files.deleteTree(opt);
        Path modelInput = null;
        for (JsonNode in : job.path("ProcessingInputs")) {
            JsonNode s3in = in.path("S3Input");
            Path local = local(opt, s3in.path("LocalPath").asText());
            if ("ManifestFile".equals(s3in.path("S3DataType").asText())) {
                S3Files.downloadManifest(s3, s3in.path("S3Uri").asText(), local);
            } else {
                S3Files.downloadPrefix(s3, s3in.path("S3Uri").asText(), local);
            }
            if (s3in.path("LocalPath").asText().equals("/opt/ml/processing/model")) {
                modelInput = local;
            }
        }
        List<String> entry = new ArrayList<>();
        job.path("AppSpecification").path("ContainerEntrypoint").forEach(n -> entry.add(n.asText()));
        List<String> arguments = new ArrayList<>();
        job.path("AppSpecification").path("ContainerArguments").forEach(n -> arguments.add(n.asText()));
        JsonNode outputs = job.path("ProcessingOutputConfig").path("Outputs");
        Path model = modelInput != null ? modelInput : containers.deployedModel();
        if (model == null) {
            return "no model: the processing job has no model input and no model is deployed (run ./motflow demo or retrain)";
        }
        List<String> args = new ArrayList<>();
        String module;
        if (entry.equals(List.of("process"))) {
            module = "motflow_ml.process";
            args.addAll(List.of("--input", local(opt, "/opt/ml/processing/input").toString(),
                    "--output", local(opt, "/opt/ml/processing/output").toString(),
                    "--model-dir", model.toString(), "--annotate"));
            for (String a : arguments) {
                args.add(a.startsWith("/opt/ml/") ? local(opt, a).toString() : a);
            }
        } else if (entry.size() == 3 && entry.get(1).equals("-m") && entry.get(2).startsWith("motflow_ml.")) {
            // An explicit entry point such as the retraining workflow's `python3 -m motflow_ml.evaluate`:
            // run that module with its arguments, /opt/ml paths mapped into the job's folder.
            module = entry.get(2);
            for (String a : arguments) {
                args.add(a.startsWith("/opt/ml/") ? local(opt, a).toString() : a);
            }
        } else {
            return "the local stack cannot run entry point " + entry + " (known: [process], [python3, -m, motflow_ml.*])";
        }
        progress.accept("processing job " + name + ": running " + module);
        Containers.Run run = containers.run(module, args, opt, opt.resolve("process.log"), Map.of(),
                line -> progress.accept("  [" + name + "] " + line));
        if (!run.ok()) {
            return failureOf(opt, run);
        }
        for (JsonNode out : outputs) {
            S3Files.uploadDir(s3, local(opt, out.path("S3Output").path("LocalPath").asText()), out.path("S3Output").path("S3Uri").asText());
        }
        return null;
    }

    private static String failureOf(Path opt, Containers.Run run) {
        Path failure = opt.resolve("output/failure");
        try {
            if (Files.isRegularFile(failure)) {
                return Files.readString(failure).strip();
            }
        } catch (IOException ignored) {
            // fall back to the log
        }
        return "exit status " + run.exitCode() + ": " + run.lastLines() + " (log " + run.log() + ")";
    }

    /** /opt/ml/x/y -> <opt>/x/y. */
    private static Path local(Path opt, String containerPath) {
        String rel = containerPath.startsWith("/opt/ml/") ? containerPath.substring("/opt/ml/".length()) : containerPath.replaceFirst("^/+", "");
        return opt.resolve(rel);
    }

    // ---- training jobs --------------------------------------------------------------------------

    private TrainingOutcome train(JsonNode job) {
        String name = job.path("TrainingJobName").asText();
        Path opt = workDir.resolve("training").resolve(name);
        try {
            S3Files.deleteTree(opt);
            for (JsonNode ch : job.path("InputDataConfig")) {
                JsonNode src = ch.path("DataSource").path("S3DataSource");
                Path dir = opt.resolve("input/data").resolve(ch.path("ChannelName").asText());
                if ("ManifestFile".equals(src.path("S3DataType").asText())) {
                    S3Files.downloadManifest(s3, src.path("S3Uri").asText(), dir);
                } else {
                    S3Files.downloadPrefix(s3, src.path("S3Uri").asText(), dir);
                }
            }
            ObjectNode hyper = JSON.createObjectNode();
            job.path("HyperParameters").fields().forEachRemaining(e -> hyper.put(e.getKey(), e.getValue().asText()));
            trainingOverrides.forEach(hyper::put);
            Files.createDirectories(opt.resolve("input/config"));
            Files.writeString(opt.resolve("input/config/hyperparameters.json"), hyper.toPrettyString());
            progress.accept("training job " + name + ": motflow_ml.train on the CPU with " + trainingOverrides);
            double[] loss = {Double.NaN};
            Containers.Run run = containers.run("motflow_ml.train", List.of(), opt, opt.resolve("train.log"), Map.of(), line -> {
                if (line.startsWith("validation_loss=")) {
                    loss[0] = Double.parseDouble(line.substring("validation_loss=".length()).trim());
                }
                if (line.startsWith("epoch ") || line.startsWith("validation_loss=") || line.startsWith("train:")) {
                    progress.accept("  [" + name + "] " + line);
                }
            });
            if (!run.ok()) {
                return TrainingOutcome.failed("AlgorithmError: " + failureOf(opt, run));
            }
            String out = job.path("OutputDataConfig").path("S3OutputPath").asText();
            String artifact = (out.endsWith("/") ? out : out + "/") + name + "/output/model.tar.gz";
            Path tar = opt.resolve("model.tar.gz");
            S3Files.tarGz(opt.resolve("model"), tar);
            String[] bk = S3Files.parse(artifact);
            s3.putObject(b -> b.bucket(bk[0]).key(bk[1]), RequestBody.fromFile(tar));
            return TrainingOutcome.completed(Double.isNaN(loss[0]) ? 0 : loss[0]);
        } catch (IOException e) {
            return TrainingOutcome.failed("InternalServerError: " + e.getMessage());
        } catch (RuntimeException e) {
            return TrainingOutcome.failed("InternalServerError: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        background.shutdownNow();
        stub.close();
    }
}
