package dev.motflow.local;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.motflow.jobs.handler.ApiHandler;
import dev.motflow.jobs.handler.AsyncCompletionHandler;
import dev.motflow.jobs.handler.IngestHandler;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.handler.ProcessingJobEventHandler;
import dev.motflow.jobs.service.JobsConfig;
import dev.motflow.jobs.store.JobTableSchema;
import dev.motflow.retraining.Env;
import dev.motflow.retraining.handler.FinishRunHandler;
import dev.motflow.retraining.handler.GateHandler;
import dev.motflow.retraining.handler.LabelledDataHandler;
import dev.motflow.retraining.handler.RetrainingApiHandler;
import dev.motflow.retraining.handler.ScoreModelHandler;
import dev.motflow.retraining.handler.Steps;
import dev.motflow.retraining.handler.ValidateDatasetHandler;
import dev.motflow.retraining.score.ModelRegistry;
import dev.motflow.retraining.store.RunCoordinator;
import dev.motflow.retraining.trigger.LabelledDataTrigger;
import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.handler.StreamsRuntime;
import dev.motflow.streams.service.ConflictBackoff;
import dev.motflow.streams.service.StreamsConfig;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.sfn.LambdaTasks;
import dev.motflow.testsupport.sfn.SageMakerTasks;
import dev.motflow.testsupport.sfn.SnsTasks;
import dev.motflow.testsupport.sfn.TaskDispatcher;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * motflow on one machine: the same handler code as in AWS, only the endpoints behind the SDK
 * clients change. One process tree: dynalite and s3rver (persisted in the data folder) as node
 * children, s3rver's ObjectCreated events delivered as SQS batches to the ingest handler
 * ({@code incoming/}) and the retraining trigger ({@code labelled/}), the HTTP API handlers behind
 * a real HTTP server, the retraining state machine run locally, and {@link LocalSageMaker} running
 * the containers/ code. {@link #close()} (also on Ctrl-C, via a shutdown hook) stops all of it.
 */
public final class LocalStack implements AutoCloseable {
    public static final String TABLE = "motflow";
    public static final String DROP_BUCKET = "motflow-drop";
    public static final String RESULTS_BUCKET = "motflow-results";
    public static final String LABELLED_BUCKET = "motflow-labelled";
    public static final String ARTIFACTS_BUCKET = "motflow-artifacts";
    public static final String ASYNC_ENDPOINT = "motflow-async";
    public static final String REALTIME_ENDPOINT = "motflow-frames";
    /** The endpoint the retraining workflow deploys to. */
    public static final String MODEL_ENDPOINT = "motflow-tracker";
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // JDK HttpClient and JDK HttpServer both drop idle connections after 30 s: a client reusing a
        // connection the server is closing gets "header parser received no bytes". Clients here
        // (the ASL's SageMaker tasks, the local SageMaker's forwarding) let go of them much earlier.
        if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
            System.setProperty("jdk.httpclient.keepalive.timeout", "5");
        }
    }

    /** What a stack is started with. */
    public record Options(Path repoRoot, Path dataDir, int apiPort, Map<String, String> trainingOverrides, Consumer<String> log) {
    }

    /**
     * Small CPU settings merged over the workflow's training hyperparameters (containers/README.md):
     * a 160x96 input, narrow heads, a higher learning rate and a low detection threshold, so that a
     * couple of minutes of CPU training give a model that finds the (large, clean) synthetic figures
     * at all.
     */
    public static Map<String, String> cpuTraining(int maxTrainSeconds) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("backbone", "resnet18");
        m.put("input_width", "160");
        m.put("input_height", "96");
        m.put("head_conv", "64");
        m.put("neck_channels", "32");
        m.put("batch_size", "8");
        m.put("lr", "0.002");
        m.put("id_loss_weight", "0.2");
        m.put("scale_jitter", "0");
        m.put("conf_thres", "0.2");
        m.put("num_workers", "0");
        // A fixed amount of work (3 x 15 steps on the demo's data) gives the same model on a quiet or a
        // busy machine; max_train_seconds only caps the time when the machine is very slow.
        m.put("epochs", "3");
        m.put("val_frame_stride", "5");
        m.put("max_train_seconds", Integer.toString(maxTrainSeconds));
        m.put("export", "none");
        m.put("eval_tracking", "false");
        return m;
    }

    private final Options options;
    private final Consumer<String> log;
    private final List<AutoCloseable> closeables = new java.util.ArrayList<>();
    private final ChildProcess dynalite;
    private final ChildProcess s3rver;
    private final HttpServer webhook;
    private final HttpServer api;
    private final DynamoDbClient dynamo;
    private final S3Client s3;
    private final LocalSageMaker sageMaker;
    private final LocalExecutions executions;
    private final SnsTasks sns = new SnsTasks();
    private final Steps steps;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LocalStack(Options options) {
        this.options = options;
        this.log = options.log();
        Path data = options.dataDir();
        Path logs = data.resolve("logs");
        try {
            Files.createDirectories(data.resolve("s3"));
            Files.createDirectories(data.resolve("dynamodb"));
        } catch (IOException e) {
            throw new LocalStackException("cannot create the data folder " + data + ": " + e.getMessage());
        }
        // The API port first: a port in use is the most likely user error, report it before starting anything.
        this.api = bind(options.apiPort());
        this.shutdownHook = new Thread(this::close, "motflow-local-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            this.webhook = bind(0);
            closeables.add(() -> webhook.stop(0));
            closeables.add(() -> api.stop(0));
            this.dynalite = ChildProcess.startNode("dynalite", options.repoRoot(), "dynalite-server.mjs",
                    List.of("--path", data.resolve("dynamodb").toString(), "--port", "0"), logs, Duration.ofSeconds(60));
            closeables.add(dynalite);
            this.s3rver = ChildProcess.startNode("s3rver", options.repoRoot(), "s3rver-with-events.mjs",
                    List.of("--directory", data.resolve("s3").toString(), "--port", "0",
                            "--webhook", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/s3-events",
                            "--buckets", String.join(",", DROP_BUCKET, RESULTS_BUCKET, LABELLED_BUCKET, ARTIFACTS_BUCKET)),
                    logs, Duration.ofSeconds(60));
            closeables.add(s3rver);
            this.dynamo = LocalAws.dynamoClient(dynalite.endpoint());
            this.s3 = LocalAws.s3Client(s3rver.endpoint());
            createTable();

            Containers containers = new Containers(options.repoRoot(), logs);
            closeables.add(containers);
            this.sageMaker = new LocalSageMaker(s3, containers, data.resolve("sagemaker"), options.trainingOverrides(),
                    "s3://" + RESULTS_BUCKET + "/async-output/");
            closeables.add(sageMaker);
            sageMaker.onProgress(log);

            // ---- jobs (docs/handlers.md) -------------------------------------------------------
            Map<String, String> jobsEnv = new HashMap<>();
            jobsEnv.put("TABLE_NAME", TABLE);
            jobsEnv.put("RESULTS_BUCKET", RESULTS_BUCKET);
            jobsEnv.put("DROP_BUCKET", DROP_BUCKET);
            jobsEnv.put("ASYNC_ENDPOINT_NAME", ASYNC_ENDPOINT);
            jobsEnv.put("PROCESSING_IMAGE_URI", "000000000000.dkr.ecr.us-east-1.amazonaws.com/motflow-ml:local");
            jobsEnv.put("PROCESSING_ROLE_ARN", "arn:aws:iam::000000000000:role/motflow-processing");
            jobsEnv.put("PRESIGN_TTL_SECONDS", "3600");
            JobsConfig jobsConfig = JobsConfig.fromMap(jobsEnv);
            SageMakerClient smClient = SageMakerClient.builder().endpointOverride(sageMaker.endpoint()).region(LocalAws.REGION)
                    .credentialsProvider(LocalAws.CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                    .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1))).build();
            SageMakerRuntimeClient smRuntime = SageMakerRuntimeClient.builder().endpointOverride(sageMaker.endpoint())
                    .region(LocalAws.REGION).credentialsProvider(LocalAws.CREDENTIALS)
                    .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofMinutes(5)).build())
                    .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1))).build();
            S3Presigner presigner = LocalAws.s3Presigner(s3rver.endpoint());
            JobsRuntime jobs = JobsRuntime.create(jobsConfig, dynamo, s3, presigner, smClient, smRuntime, Clock.systemUTC(),
                    JobsRuntime.Tuning.defaults());
            LocalQueue ingestQueue = new LocalQueue("ingest", new IngestHandler(jobs.ingest()), log, 5, 2000);
            LocalQueue completionQueue = new LocalQueue("async-completion", new AsyncCompletionHandler(jobs.completion()), log, 5, 2000);
            ProcessingJobEventHandler processingEvents = new ProcessingJobEventHandler(jobs.completion());
            closeables.add(ingestQueue);
            closeables.add(completionQueue);
            sageMaker.onAsyncNotification(completionQueue::send);
            sageMaker.onProcessingEvent(event -> invokeAsyncWithRetries("processing-events", () -> processingEvents.handleRequest(event, null)));
            ApiHandler jobsApi = new ApiHandler(jobs.api());

            // ---- streams -----------------------------------------------------------------------
            StreamsRuntime streams = StreamsRuntime.create(StreamsConfig.of(TABLE, REALTIME_ENDPOINT), dynamo, smRuntime,
                    Clock.systemUTC(), ConflictBackoff.defaults());
            StreamApiHandler streamsApi = new StreamApiHandler(streams);

            // ---- retraining --------------------------------------------------------------------
            Map<String, String> retrainEnv = new HashMap<>();
            retrainEnv.put("TABLE_NAME", TABLE);
            retrainEnv.put("ARTIFACTS_BUCKET", ARTIFACTS_BUCKET);
            retrainEnv.put("ENDPOINT_NAME", MODEL_ENDPOINT);
            retrainEnv.put("LABELLED_BUCKET", LABELLED_BUCKET);
            Env env = new Env(retrainEnv);
            this.steps = new Steps(env, s3, dynamo, Clock.systemUTC());
            TaskDispatcher dispatcher = TaskDispatcher.start();
            closeables.add(dispatcher);
            Map<String, String> subs = LocalExecutions.substitutions(MODEL_ENDPOINT);
            this.executions = new LocalExecutions(options.repoRoot(), subs, dispatcher);
            closeables.add(executions);
            RunCoordinator coordinator = new RunCoordinator(dynamo, TABLE, executions, Clock.systemUTC(), Duration.ofDays(11));
            LabelledDataTrigger trigger = new LabelledDataTrigger(s3, coordinator, Clock.systemUTC());
            LambdaTasks lambdas = new LambdaTasks()
                    .register(subs.get("ValidateDatasetFunctionArn"), stream(new ValidateDatasetHandler(steps.validator())))
                    .register(subs.get("ScoreModelFunctionArn"), stream(new ScoreModelHandler(steps.scoring())))
                    .register(subs.get("GateFunctionArn"), stream(new GateHandler(steps.gate())))
                    .register(subs.get("FinishRunFunctionArn"), stream(new FinishRunHandler(steps.finisher(coordinator))));
            dispatcher.route(LambdaTasks.RESOURCE, lambdas)
                    .route(SageMakerTasks.OPTIMIZED, new SageMakerTasks(sageMaker.endpoint()))
                    .route(SageMakerTasks.SDK, new SageMakerTasks(sageMaker.endpoint()))
                    .route(SnsTasks.RESOURCE, call -> {
                        JsonNode out = sns.handle(call);
                        log.accept("retraining notification: " + call.input().path("Message").asText(call.input().toString()));
                        return out;
                    });
            LocalQueue labelledQueue = new LocalQueue("labelled-data", new LabelledDataHandler(trigger, Clock.systemUTC()), log, 5, 2000);
            closeables.add(labelledQueue);
            RetrainingApiHandler retrainingApi = new RetrainingApiHandler(trigger, LABELLED_BUCKET, Clock.systemUTC());

            restoreDeployedModel();

            webhook.createContext("/s3-events", ex -> s3Event(ex, ingestQueue, labelledQueue));
            webhook.setExecutor(Executors.newSingleThreadExecutor(daemon("s3-events")));
            webhook.start();
            api.createContext("/", ex -> api(ex, jobsApi, streamsApi, retrainingApi));
            api.setExecutor(Executors.newFixedThreadPool(8, daemon("api")));
            api.start();
            writeStackFile();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public static LocalStack start(Options options) {
        return new LocalStack(options);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static HttpServer bind(int port) {
        try {
            return HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 64);
        } catch (BindException e) {
            throw new LocalStackException("port " + port + " on 127.0.0.1 is in use (another ./motflow serve?): stop that "
                    + "process or choose another port with --port N");
        } catch (IOException e) {
            throw new LocalStackException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
        }
    }

    private void createTable() {
        try {
            dynamo.createTable(JobTableSchema.createTableRequest(TABLE));
        } catch (ResourceInUseException exists) {
            // persisted from an earlier run
        }
    }

    /** After a restart: the model the registry says is in production is what the endpoint serves. */
    private void restoreDeployedModel() {
        try {
            ModelRegistry.Current current = steps.registry().current();
            if (current != null && current.artifactS3Uri() != null) {
                sageMaker.restoreEndpoint(MODEL_ENDPOINT, current.endpointConfigName(), current.artifactS3Uri());
            }
        } catch (RuntimeException e) {
            log.accept("could not restore the deployed model: " + e.getMessage());
        }
    }

    private void invokeAsyncWithRetries(String name, Runnable call) {
        // Lambda's asynchronous invocation: two retries, then the on-failure destination (a log line here).
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                call.run();
                return;
            } catch (RuntimeException e) {
                log.accept(name + ": attempt " + attempt + " failed: " + e.getMessage());
                Containers.sleep(1000L * attempt);
            }
        }
    }

    private static LambdaTasks.LambdaFunction stream(RequestStreamHandler handler) {
        return payload -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)), out, null);
            return out.toString(StandardCharsets.UTF_8);
        };
    }

    // ---- S3 event notifications -> queues -----------------------------------------------------

    private void s3Event(HttpExchange ex, LocalQueue ingest, LocalQueue labelled) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            JsonNode event = JSON.readTree(body);
            for (JsonNode record : event.path("Records")) {
                if (!record.path("eventName").asText().startsWith("ObjectCreated:")) {
                    continue;
                }
                String bucket = record.path("s3").path("bucket").path("name").asText();
                String key = record.path("s3").path("object").path("key").asText();
                // One record per message, as S3 sends them; the queues see the notification JSON as the body.
                String message = JSON.createObjectNode().set("Records", JSON.createArrayNode().add(record)).toString();
                if (bucket.equals(DROP_BUCKET) && key.startsWith(JobsConfig.DROP_PREFIX)) {
                    ingest.send(message);
                } else if (bucket.equals(LABELLED_BUCKET) && key.startsWith("labelled/")) {
                    labelled.send(message);
                }
            }
            ex.sendResponseHeaders(204, -1);
        }
    }

    // ---- HTTP API -----------------------------------------------------------------------------

    private void api(HttpExchange ex, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> jobsApi,
                     RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> streamsApi,
                     RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> retrainingApi) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            APIGatewayV2HTTPResponse r;
            try {
                if (path.equals("/local/executions")) {
                    r = APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                            .withHeaders(Map.of("Content-Type", "application/json")).withBody(executions.toJson()).build();
                } else {
                    APIGatewayV2HTTPEvent event = toEvent(ex);
                    if (path.equals("/jobs") || path.startsWith("/jobs/")) {
                        r = jobsApi.handleRequest(event, null);
                    } else if (path.startsWith("/streams/")) {
                        r = streamsApi.handleRequest(event, null);
                    } else if (path.equals("/retraining")) {
                        r = retrainingApi.handleRequest(event, null);
                    } else {
                        r = APIGatewayV2HTTPResponse.builder().withStatusCode(404).withHeaders(Map.of("Content-Type", "application/json"))
                                .withBody("{\"message\":\"Not Found\"}").build();
                    }
                }
            } catch (RuntimeException e) {
                log.accept("API " + ex.getRequestMethod() + " " + path + " failed: " + e);
                r = APIGatewayV2HTTPResponse.builder().withStatusCode(500).withHeaders(Map.of("Content-Type", "application/json"))
                        .withBody("{\"message\":\"Internal Server Error\"}").build();
            }
            byte[] out = r.getBody() == null ? new byte[0]
                    : r.getIsBase64Encoded() ? Base64.getDecoder().decode(r.getBody()) : r.getBody().getBytes(StandardCharsets.UTF_8);
            if (r.getHeaders() != null) {
                r.getHeaders().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            }
            if (r.getMultiValueHeaders() != null) {
                r.getMultiValueHeaders().forEach((k, v) -> v.forEach(x -> ex.getResponseHeaders().add(k, x)));
            }
            ex.sendResponseHeaders(r.getStatusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
        }
    }

    /** An HTTP API payload v2 event for the $default stage, as API Gateway builds it. */
    static APIGatewayV2HTTPEvent toEvent(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, String> headers = new HashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        String query = ex.getRequestURI().getRawQuery();
        Map<String, String> params = null;
        if (query != null && !query.isEmpty()) {
            params = new LinkedHashMap<>();
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.merge(k, v, (a, b) -> a + "," + b);
            }
        }
        String contentType = headers.getOrDefault("content-type", "");
        boolean text = contentType.startsWith("application/json") || contentType.startsWith("text/");
        String path = ex.getRequestURI().getRawPath();
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRouteKey("$default").withRawPath(path).withRawQueryString(query == null ? "" : query)
                .withHeaders(headers).withQueryStringParameters(params)
                .withBody(body.length == 0 ? null : text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0 && !text)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default")
                        .withRequestId(java.util.UUID.randomUUID().toString())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(ex.getRequestMethod())
                                .withPath(path).withProtocol("HTTP/1.1").withSourceIp("127.0.0.1").build())
                        .build())
                .build();
    }

    // ---- what other ./motflow commands need to find a running stack ----------------------------

    private void writeStackFile() {
        try {
            var o = JSON.createObjectNode().put("pid", ProcessHandle.current().pid()).put("api", apiUrl().toString())
                    .put("s3", s3Endpoint().toString()).put("dynamodb", dynalite.endpoint().toString());
            Files.writeString(options.dataDir().resolve("stack.json"), o.toPrettyString());
        } catch (IOException e) {
            log.accept("cannot write stack.json: " + e.getMessage());
        }
    }

    public URI apiUrl() {
        return URI.create("http://127.0.0.1:" + api.getAddress().getPort());
    }

    public URI s3Endpoint() {
        return s3rver.endpoint();
    }

    public S3Client s3() {
        return s3;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public LocalSageMaker sageMaker() {
        return sageMaker;
    }

    LocalExecutions executions() {
        return executions;
    }

    public Steps steps() {
        return steps;
    }

    public SnsTasks notifications() {
        return sns;
    }

    public Path dataDir() {
        return options.dataDir();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.deleteIfExists(options.dataDir().resolve("stack.json"));
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // keep stopping the rest
            }
        }
        if (Thread.currentThread() != shutdownHook && shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or ran
            }
        }
    }
}
