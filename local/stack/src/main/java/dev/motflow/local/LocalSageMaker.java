package dev.motflow.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.motflow.testsupport.SageMakerStub;
import dev.motflow.testsupport.sfn.SageMakerLifecycle;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The local SageMaker: a loopback server speaking the SageMaker and SageMaker Runtime wire
 * protocols (the handlers' real SDK clients and the ASL's SageMaker tasks point at it). Request
 * checking, recording and resource state (jobs, models, endpoint configs, endpoints) come from the
 * emulators' {@link SageMakerStub} + {@link SageMakerLifecycle}, which every request is forwarded to;
 * the work is done by one class each, with the code of containers/ as local processes:
 * {@link ServingProxy} (InvokeEndpoint), {@link AsyncInference} (InvokeEndpointAsync),
 * {@link ProcessingJobRunner}, {@link TrainingJobRunner}, and {@link EndpointDeployments} with
 * {@link ModelArtifacts} (which model the endpoints serve).
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
    private final Containers containers;
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-sagemaker-job");
        t.setDaemon(true);
        return t;
    });
    private final ServingProxy serving;
    private final AsyncInference asyncInference;
    private final ProcessingJobRunner processing;
    private final EndpointDeployments deployments;
    private volatile Consumer<String> asyncNotifications = n -> { };
    private volatile Consumer<Map<String, Object>> processingEvents = e -> { };
    private volatile Consumer<String> progress = line -> { };

    LocalSageMaker(S3Client s3, Containers containers, Path workDir, Map<String, String> trainingOverrides, String asyncOutputPrefix) {
        this.containers = containers;
        Consumer<String> log = line -> progress.accept(line);
        this.serving = new ServingProxy(containers);
        this.asyncInference = new AsyncInference(s3, serving, background, log, () -> asyncNotifications);
        this.processing = new ProcessingJobRunner(s3, containers, stub, workDir.resolve("processing"), background, log,
                () -> processingEvents);
        this.deployments = new EndpointDeployments(containers, new ModelArtifacts(s3, workDir.resolve("models")), lifecycle, log);
        TrainingJobRunner training = new TrainingJobRunner(s3, containers, workDir.resolve("training"), trainingOverrides, log);
        stub.asyncOutputPrefix(asyncOutputPrefix);
        lifecycle.trainingOutcome(training::train);
        lifecycle.onProcessingJob(job -> processing.await(job.path("ProcessingJobName").asText()));
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

    Containers containers() {
        return containers;
    }

    /** An endpoint in service before this process started (restored from the model registry). */
    void restoreEndpoint(String endpointName, String configName, String modelDataUrl) {
        deployments.restore(endpointName, configName, modelDataUrl);
    }

    // ---- HTTP front -----------------------------------------------------------------------------

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                route(ex);
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

    private void route(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        String path = ex.getRequestURI().getPath();
        Matcher async = ASYNC_PATH.matcher(path);
        if ("POST".equals(ex.getRequestMethod()) && INVOKE_PATH.matcher(path).matches()) {
            serving.invoke(ex, body);
            return;
        }
        HttpResponse<byte[]> answer = forward(ex, body);
        String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
        if ("POST".equals(ex.getRequestMethod()) && async.matches() && answer.statusCode() == 202) {
            asyncInference.start(asyncRequest(async.group(1), ex, answer));
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

    /** The request as it came, to the emulator (checks, records, keeps state). */
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

    /** An accepted InvokeEndpointAsync: the request's headers and the locations the emulator answered with. */
    private static AsyncInference.Request asyncRequest(String endpointName, HttpExchange ex, HttpResponse<byte[]> answer)
            throws IOException {
        return new AsyncInference.Request(endpointName, JSON.readTree(answer.body()).path("InferenceId").asText(),
                utf8Header(ex, "X-Amzn-SageMaker-InputLocation"),
                utf8Header(ex, "X-Amzn-SageMaker-Content-Type"),
                utf8Header(ex, "X-Amzn-SageMaker-Accept"),
                answer.headers().firstValue("X-Amzn-SageMaker-OutputLocation").orElseThrow(),
                answer.headers().firstValue("X-Amzn-SageMaker-FailureLocation").orElseThrow());
    }

    /**
     * A request header as the SDK wrote it. The SDK sends header values as UTF-8 bytes (an S3 URI with
     * the raw key, e.g. {@code s3://b/incoming/東京.mp4}), while the JDK's server hands every byte back
     * as one ISO-8859-1 character; read that way a non-ASCII key no longer names the object. Undoing
     * the JDK's decoding gives the bytes back; a value that is not valid UTF-8 is left as it came.
     */
    static String utf8Header(HttpExchange ex, String name) {
        return utf8(ex.getRequestHeaders().getFirst(name));
    }

    static String utf8(String latin1) {
        if (latin1 == null || latin1.chars().allMatch(c -> c < 0x80)) {
            return latin1;
        }
        byte[] raw = latin1.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return latin1;
        }
    }

    /** What a successful control-plane call sets in motion locally. */
    private void afterControlPlane(String op, JsonNode request, JsonNode response) {
        switch (op) {
            case "CreateProcessingJob" -> processing.start(request.path("ProcessingJobName").asText());
            case "CreateModel" -> deployments.modelCreated(request.path("ModelName").asText(),
                    request.path("PrimaryContainer").path("ModelDataUrl").asText());
            case "CreateEndpointConfig" -> deployments.configCreated(request.path("EndpointConfigName").asText(),
                    request.path("ProductionVariants").path(0).path("ModelName").asText());
            case "DescribeEndpoint" -> {
                if ("InService".equals(response.path("EndpointStatus").asText())) {
                    deployments.inService(response.path("EndpointConfigName").asText(null));
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        background.shutdownNow();
        stub.close();
    }
}
