package dev.motflow.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * A local HTTP server speaking the SageMaker (awsJson1_1, {@code X-Amz-Target: SageMaker.Op}) and
 * SageMaker Runtime (restJson1, {@code POST /endpoints/{name}/async-invocations}, and
 * {@code POST /endpoints/{name}/invocations} for endpoints registered with {@link #onInvoke}) wire protocols,
 * so services can be tested through the real SDK clients. It records every request, checks the
 * constraints the real service enforces, can inject faults, and keeps processing-job state. It
 * never produces tracking results: tests write result objects themselves.
 *
 * <p>Operations it does not know answer 400 {@code UnknownOperationException}; tests of later
 * features register their own with {@link #on}.
 */
public final class SageMakerStub implements AutoCloseable {
    /** Name rule shared by jobs, endpoints, models (1-63 chars of [a-zA-Z0-9-], no leading or doubled-up meaning). */
    public static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$");
    public static final Pattern ROLE_ARN = Pattern.compile("^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$");
    public static final Pattern S3_URI = Pattern.compile("^(https|s3)://([^/]+)/?(.*)$");
    private static final Pattern ASYNC_PATH = Pattern.compile("^/endpoints/([^/]+)/async-invocations$");
    private static final Pattern INVOKE_PATH = Pattern.compile("^/endpoints/([^/]+)/invocations$");

    /** Answers one control-plane operation: return the response body or throw {@link StubError}. */
    @FunctionalInterface
    public interface OperationHandler {
        JsonNode handle(JsonNode request) throws StubError;
    }

    /**
     * Answers a real-time {@code InvokeEndpoint} call to one endpoint, as the model container would:
     * gets the request's content type and raw body. Throw {@link StubError#modelError} for an error
     * the container returned, or another {@link StubError} for an error of SageMaker itself.
     */
    @FunctionalInterface
    public interface InvokeHandler {
        InvokeResponse handle(String contentType, byte[] body) throws StubError;
    }

    /** What the container answered: content type and body. */
    public record InvokeResponse(String contentType, byte[] body) {
        public static InvokeResponse json(String json) {
            return new InvokeResponse("application/json", json.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** An error answer in the operation's protocol. */
    public static class StubError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        public StubError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        public static StubError validation(String message) {
            return new StubError(400, "ValidationException", message);
        }

        /** The container answered {@code originalStatus}: SageMaker Runtime's 424 ModelError. */
        public static StubError modelError(int originalStatus, String originalMessage) {
            return new ModelError(originalStatus, originalMessage);
        }
    }

    private static final class ModelError extends StubError {
        private static final long serialVersionUID = 1L;
        final int originalStatus;

        ModelError(int originalStatus, String originalMessage) {
            super(424, "ModelError", originalMessage);
            this.originalStatus = originalStatus;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<RecordedCall> calls = new CopyOnWriteArrayList<>();
    private final Map<String, OperationHandler> handlers = new ConcurrentHashMap<>();
    private final Map<String, InvokeHandler> invokeHandlers = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> processingJobs = new ConcurrentHashMap<>();
    private volatile FaultPlan faults = FaultPlan.none();
    private volatile String asyncOutputPrefix = "s3://sagemaker-async-output/";
    private final SageMakerClient client;
    private final SageMakerRuntimeClient runtimeClient;

    private SageMakerStub(HttpServer server) {
        this.server = server;
        registerDefaults();
        URI endpoint = endpoint();
        // Standard retry mode with the SDK's defaults: services may still configure their own.
        this.client = SageMakerClient.builder().endpointOverride(endpoint).region(LocalAws.REGION)
                .credentialsProvider(LocalAws.CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD)).build();
        this.runtimeClient = SageMakerRuntimeClient.builder().endpointOverride(endpoint).region(LocalAws.REGION)
                .credentialsProvider(LocalAws.CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD)).build();
    }

    public static SageMakerStub start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 64);
            SageMakerStub stub = new SageMakerStub(server);
            server.createContext("/", stub::serve);
            server.setExecutor(Executors.newFixedThreadPool(16, r -> {
                Thread t = new Thread(r, "sagemaker-stub");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return stub;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A real SageMaker client pointed at this stub. */
    public SageMakerClient client() {
        return client;
    }

    /** A real SageMaker Runtime client pointed at this stub. */
    public SageMakerRuntimeClient runtimeClient() {
        return runtimeClient;
    }

    public List<RecordedCall> calls() {
        return List.copyOf(calls);
    }

    public List<RecordedCall> calls(String operation) {
        List<RecordedCall> out = new ArrayList<>();
        for (RecordedCall c : calls) {
            if (c.operation().equals(operation)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Forgets recorded calls, faults, processing jobs and custom handlers. */
    public void reset() {
        calls.clear();
        faults = FaultPlan.none();
        processingJobs.clear();
        handlers.clear();
        invokeHandlers.clear();
        registerDefaults();
    }

    public void injectFaults(FaultPlan plan) {
        this.faults = plan == null ? FaultPlan.none() : plan;
    }

    /** Where InvokeEndpointAsync reports the output will be written (an s3:// prefix). */
    public void asyncOutputPrefix(String s3Prefix) {
        this.asyncOutputPrefix = s3Prefix.endsWith("/") ? s3Prefix : s3Prefix + "/";
    }

    /** Registers (or replaces) the answer to a control-plane operation such as CreateTrainingJob. */
    public void on(String operation, OperationHandler handler) {
        handlers.put(operation, handler);
    }

    /**
     * Registers (or replaces) the model behind a real-time endpoint: {@code InvokeEndpoint}
     * ({@code POST /endpoints/{name}/invocations}) to {@code endpointName} is answered by
     * {@code handler}; other endpoint names get SageMaker's 400 ValidationError (not found). The
     * recorded call's body is the raw request body read as ISO-8859-1 (byte for byte).
     */
    public void onInvoke(String endpointName, InvokeHandler handler) {
        invokeHandlers.put(endpointName, handler);
    }

    /** Moves a processing job created through the stub to a new status (as SageMaker would over time). */
    public void setProcessingJobStatus(String name, String status, String failureReason) {
        ObjectNode job = processingJobs.get(name);
        if (job == null) {
            throw new IllegalArgumentException("no processing job " + name);
        }
        job.put("ProcessingJobStatus", status);
        if (failureReason != null) {
            job.put("FailureReason", failureReason);
        }
    }

    /** A copy of a processing job created through the stub (as DescribeProcessingJob shows it), or null. */
    public ObjectNode processingJob(String name) {
        ObjectNode job = processingJobs.get(name);
        return job == null ? null : job.deepCopy();
    }

    private void registerDefaults() {
        handlers.put("CreateProcessingJob", this::createProcessingJob);
        handlers.put("DescribeProcessingJob", req -> {
            ObjectNode job = processingJobs.get(req.path("ProcessingJobName").asText());
            if (job == null) {
                throw new StubError(400, "ResourceNotFound", "Processing job " + req.path("ProcessingJobName").asText() + " not found");
            }
            return job.deepCopy();
        });
    }

    private JsonNode createProcessingJob(JsonNode req) throws StubError {
        String name = requireName(req, "ProcessingJobName");
        requireMatch(req, "RoleArn", ROLE_ARN);
        requireText(req.path("AppSpecification"), "AppSpecification.ImageUri", "ImageUri");
        JsonNode cluster = req.path("ProcessingResources").path("ClusterConfig");
        if (cluster.isMissingNode()) {
            throw StubError.validation("ProcessingResources.ClusterConfig is required");
        }
        int count = cluster.path("InstanceCount").asInt(0);
        if (count < 1 || count > 100) {
            throw StubError.validation("ProcessingResources.ClusterConfig.InstanceCount must be 1..100, got " + cluster.path("InstanceCount"));
        }
        String type = cluster.path("InstanceType").asText("");
        if (!type.startsWith("ml.")) {
            throw StubError.validation("ProcessingResources.ClusterConfig.InstanceType must be an ml.* instance type, got '" + type + "'");
        }
        int volume = cluster.path("VolumeSizeInGB").asInt(0);
        if (volume < 1 || volume > 16384) {
            throw StubError.validation("ProcessingResources.ClusterConfig.VolumeSizeInGB must be 1..16384, got " + cluster.path("VolumeSizeInGB"));
        }
        JsonNode stop = req.path("StoppingCondition");
        if (!stop.isMissingNode()) {
            int max = stop.path("MaxRuntimeInSeconds").asInt(0);
            if (max < 1 || max > 777600) {
                throw StubError.validation("StoppingCondition.MaxRuntimeInSeconds must be 1..777600");
            }
        }
        for (JsonNode input : req.path("ProcessingInputs")) {
            requireText(input, "ProcessingInputs[].InputName", "InputName");
            JsonNode s3 = input.path("S3Input");
            if (!s3.isMissingNode()) {
                requireS3Uri(s3.path("S3Uri").asText(""), "ProcessingInputs[].S3Input.S3Uri");
                requireText(s3, "ProcessingInputs[].S3Input.LocalPath", "LocalPath");
            }
        }
        for (JsonNode output : req.path("ProcessingOutputConfig").path("Outputs")) {
            requireText(output, "ProcessingOutputConfig.Outputs[].OutputName", "OutputName");
            requireS3Uri(output.path("S3Output").path("S3Uri").asText(""), "ProcessingOutputConfig.Outputs[].S3Output.S3Uri");
        }
        String arn = "arn:aws:sagemaker:us-east-1:000000000000:processing-job/" + name.toLowerCase(Locale.ROOT);
        ObjectNode job = ((ObjectNode) req.deepCopy());
        job.put("ProcessingJobArn", arn);
        job.put("ProcessingJobStatus", "InProgress");
        job.put("CreationTime", System.currentTimeMillis() / 1000.0);
        if (processingJobs.putIfAbsent(name, job) != null) {
            throw new StubError(400, "ResourceInUse", "Job name must be unique within an AWS account and region, and a job with this name already exists (" + arn + ")");
        }
        return JSON.createObjectNode().put("ProcessingJobArn", arn);
    }

    private static String requireName(JsonNode req, String field) throws StubError {
        String name = req.path(field).asText("");
        if (!NAME.matcher(name).matches()) {
            throw StubError.validation("1 validation error detected: Value '" + name + "' at '" + field
                    + "' failed to satisfy constraint: Member must satisfy regular expression pattern: " + NAME.pattern()
                    + " and have length less than or equal to 63");
        }
        return name;
    }

    private static void requireMatch(JsonNode req, String field, Pattern p) throws StubError {
        String v = req.path(field).asText("");
        if (!p.matcher(v).matches()) {
            throw StubError.validation("Value '" + v + "' at '" + field + "' failed to satisfy constraint: " + p.pattern());
        }
    }

    private static void requireText(JsonNode parent, String label, String field) throws StubError {
        if (parent.path(field).asText("").isEmpty()) {
            throw StubError.validation(label + " is required");
        }
    }

    private static void requireS3Uri(String uri, String label) throws StubError {
        Matcher m = S3_URI.matcher(uri);
        if (!m.matches() || m.group(2).isEmpty()) {
            throw StubError.validation(label + " must be an S3 URI (s3://bucket/key), got '" + uri + "'");
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw;
            try (InputStream in = ex.getRequestBody()) {
                raw = in.readAllBytes();
            }
            String body = new String(raw, StandardCharsets.UTF_8);
            Map<String, String> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            String path = ex.getRequestURI().getPath();
            String target = headers.getOrDefault("x-amz-target", "");
            Matcher async = ASYNC_PATH.matcher(path);
            Matcher invoke = INVOKE_PATH.matcher(path);
            if (target.startsWith("SageMaker.")) {
                controlPlane(ex, target.substring("SageMaker.".length()), path, headers, body);
            } else if ("POST".equals(ex.getRequestMethod()) && async.matches()) {
                invokeAsync(ex, async.group(1), path, headers, body);
            } else if ("POST".equals(ex.getRequestMethod()) && invoke.matches()) {
                invoke(ex, invoke.group(1), path, headers, raw);
            } else {
                record("Unknown", path, headers, body, 404, "UnknownOperationException");
                respond(ex, 404, Map.of("x-amzn-ErrorType", "UnknownOperationException"),
                        "{\"message\":\"no such operation: " + ex.getRequestMethod() + " " + path + "\"}");
            }
        }
    }

    private void controlPlane(HttpExchange ex, String op, String path, Map<String, String> headers, String body) throws IOException {
        JsonNode json = parse(body);
        Fault fault = faults.next(op);
        if (fault != null) {
            record(op, path, headers, body, json, fault.status, fault.controlPlaneCode);
            controlPlaneError(ex, fault.status, fault.controlPlaneCode, fault.message);
            return;
        }
        OperationHandler h = handlers.get(op);
        if (h == null) {
            record(op, path, headers, body, json, 400, "UnknownOperationException");
            controlPlaneError(ex, 400, "UnknownOperationException", "The SageMaker stub does not implement " + op);
            return;
        }
        if (json == null) {
            record(op, path, headers, body, JSON.createObjectNode(), 400, "SerializationException");
            controlPlaneError(ex, 400, "SerializationException", "request body is not JSON");
            return;
        }
        try {
            JsonNode out = h.handle(json);
            record(op, path, headers, body, json, 200, null);
            respond(ex, 200, Map.of("Content-Type", "application/x-amz-json-1.1"), JSON.writeValueAsString(out));
        } catch (StubError e) {
            record(op, path, headers, body, json, e.status, e.code);
            controlPlaneError(ex, e.status, e.code, e.getMessage());
        }
    }

    private void invokeAsync(HttpExchange ex, String endpointName, String path, Map<String, String> headers, String body) throws IOException {
        String op = "InvokeEndpointAsync";
        JsonNode json = parse(body);
        Fault fault = faults.next(op);
        if (fault != null) {
            record(op, path, headers, body, json, fault.status, fault.runtimeCode);
            runtimeError(ex, fault.status, fault.runtimeCode, fault.message);
            return;
        }
        String problem = null;
        String input = headers.getOrDefault("x-amzn-sagemaker-inputlocation", "");
        String inferenceId = headers.get("x-amzn-sagemaker-inference-id");
        if (!NAME.matcher(endpointName).matches()) {
            problem = "Endpoint name '" + endpointName + "' does not satisfy " + NAME.pattern();
        } else if (!S3_URI.matcher(input).matches()) {
            problem = "InputLocation must be an S3 URI, got '" + input + "'";
        } else if (inferenceId != null && (inferenceId.isEmpty() || inferenceId.length() > 64 || !inferenceId.matches("\\A\\S\\p{Print}*\\z"))) {
            problem = "InferenceId must be 1-64 printable characters not starting with whitespace, got '" + inferenceId + "'";
        }
        if (problem != null) {
            record(op, path, headers, body, json, 400, "ValidationError");
            runtimeError(ex, 400, "ValidationError", problem);
            return;
        }
        String id = inferenceId != null ? inferenceId : UUID.randomUUID().toString();
        String output = asyncOutputPrefix + id + ".out";
        String failure = asyncOutputPrefix + "failures/" + id + "-error.out";
        record(op, path, headers, body, json, 202, null);
        respond(ex, 202, Map.of("Content-Type", "application/json", "X-Amzn-SageMaker-OutputLocation", output,
                "X-Amzn-SageMaker-FailureLocation", failure), JSON.createObjectNode().put("InferenceId", id).toString());
    }

    private void invoke(HttpExchange ex, String endpointName, String path, Map<String, String> headers, byte[] raw) throws IOException {
        String op = "InvokeEndpoint";
        String recorded = new String(raw, StandardCharsets.ISO_8859_1);
        JsonNode empty = JSON.createObjectNode();
        Fault fault = faults.next(op);
        if (fault != null) {
            record(op, path, headers, recorded, empty, fault.status, fault.runtimeCode);
            runtimeError(ex, fault.status, fault.runtimeCode, fault.message);
            return;
        }
        InvokeHandler h = NAME.matcher(endpointName).matches() ? invokeHandlers.get(endpointName) : null;
        if (h == null) {
            record(op, path, headers, recorded, empty, 400, "ValidationError");
            runtimeError(ex, 400, "ValidationError", "Endpoint " + endpointName + " of account 000000000000 not found.");
            return;
        }
        try {
            InvokeResponse out = h.handle(headers.get("content-type"), raw);
            record(op, path, headers, recorded, empty, 200, null);
            byte[] bytes = out.body() == null ? new byte[0] : out.body();
            ex.getResponseHeaders().add("Content-Type", out.contentType() == null ? "application/octet-stream" : out.contentType());
            ex.getResponseHeaders().add("x-Amzn-Invoked-Production-Variant", "AllTraffic");
            ex.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
            ex.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                ex.getResponseBody().write(bytes);
            }
        } catch (ModelError e) {
            record(op, path, headers, recorded, empty, e.status, e.code);
            ObjectNode err = JSON.createObjectNode().put("OriginalStatusCode", e.originalStatus)
                    .put("OriginalMessage", e.getMessage())
                    .put("LogStreamArn", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/" + endpointName)
                    .put("message", "Received client error (" + e.originalStatus + ") from primary with message \"" + e.getMessage() + "\".");
            respond(ex, e.status, Map.of("Content-Type", "application/json", "x-amzn-ErrorType",
                    "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/"), err.toString());
        } catch (StubError e) {
            record(op, path, headers, recorded, empty, e.status, e.code);
            runtimeError(ex, e.status, e.code, e.getMessage());
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private void record(String op, String path, Map<String, String> headers, String body, int status, String code) {
        record(op, path, headers, body, JSON.createObjectNode(), status, code);
    }

    private void record(String op, String path, Map<String, String> headers, String body, JsonNode json, int status, String code) {
        calls.add(new RecordedCall(op, path, Collections.unmodifiableMap(headers), body,
                json == null ? JSON.createObjectNode() : json, status, code));
    }

    private static void controlPlaneError(HttpExchange ex, int status, String code, String message) throws IOException {
        ObjectNode err = JSON.createObjectNode().put("__type", code).put("message", message);
        respond(ex, status, Map.of("Content-Type", "application/x-amz-json-1.1", "x-amzn-ErrorType", code), err.toString());
    }

    private static void runtimeError(HttpExchange ex, int status, String code, String message) throws IOException {
        ObjectNode err = JSON.createObjectNode().put("message", message);
        respond(ex, status, Map.of("Content-Type", "application/json", "x-amzn-ErrorType", code + ":http://internal.amazon.com/coral/com.amazon.sagemaker/"), err.toString());
    }

    private static void respond(HttpExchange ex, int status, Map<String, String> headers, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    /** Recorded calls of one operation that the stub answered successfully. */
    public List<RecordedCall> successfulCalls(String operation) {
        List<RecordedCall> out = calls(operation);
        for (Iterator<RecordedCall> it = out.iterator(); it.hasNext();) {
            if (!it.next().succeeded()) {
                it.remove();
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        client.close();
        runtimeClient.close();
    }
}
