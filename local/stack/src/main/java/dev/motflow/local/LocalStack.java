package dev.motflow.local;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.jobs.handler.ApiHandler;
import dev.motflow.jobs.handler.AsyncCompletionHandler;
import dev.motflow.jobs.handler.IngestHandler;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.handler.ProcessingJobEventHandler;
import dev.motflow.jobs.api.JobApi;
import dev.motflow.jobs.service.JobsConfig;
import dev.motflow.jobs.store.PageTokenKeys;
import dev.motflow.jobs.store.PageTokens;
import dev.motflow.jobs.service.Tenancy;
import dev.motflow.common.http.Admins;
import dev.motflow.common.http.Caller;
import dev.motflow.retraining.handler.Steps;
import dev.motflow.retraining.store.ModelRegistry;
import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.handler.StreamsRuntime;
import dev.motflow.streams.service.StreamsConfig;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.sfn.SnsTasks;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * motflow on one machine: the same handler code as in AWS, only the endpoints behind the SDK
 * clients change. This class assembles the parts, each with one job: {@link StorageServers}
 * (dynalite, s3rver), {@link S3EventRouter} (ObjectCreated events as SQS batches to the ingest and
 * the retraining trigger, through durable {@link LocalQueue}s in the data folder), {@link LocalReconciliation}
 * (the job reconciler at start and every minute), {@link LocalApiServer} (the HTTP API handlers), {@link LocalRetraining}
 * (the retraining state machine run locally) and {@link LocalSageMaker} (the containers/ code);
 * {@link StackLifecycle} stops all of it on {@link #close()} or Ctrl-C.
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
    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> EVENT_TYPE =
            new com.fasterxml.jackson.core.type.TypeReference<>() { };

    static {
        // JDK HttpClient and JDK HttpServer both drop idle connections after 30 s: a client reusing a
        // connection the server is closing gets "header parser received no bytes". Clients here
        // (the ASL's SageMaker tasks, the local SageMaker's forwarding) let go of them much earlier.
        if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
            System.setProperty("jdk.httpclient.keepalive.timeout", "5");
        }
    }

    /** The jobs API's page token key in the data folder: 32 random bytes, owner-only, made on first start. */
    static final String PAGE_TOKEN_KEY_FILE = "page-token.key";

    /** What a stack is started with. */
    public record Options(Path repoRoot, Path dataDir, int apiPort, Map<String, String> trainingOverrides, Consumer<String> log) {
    }

    private final Options options;
    private final Consumer<String> log;
    private final LocalApiServer api;
    private final StackLifecycle lifecycle;
    private final StorageServers storage;
    private final LocalSageMaker sageMaker;
    private final LocalRetraining retraining;

    private LocalStack(Options options) {
        this.options = options;
        this.log = options.log();
        Path data = options.dataDir();
        try {
            Files.createDirectories(data.resolve("s3"));
            Files.createDirectories(data.resolve("dynamodb"));
        } catch (IOException e) {
            throw new LocalStackException("cannot create the data folder " + data + ": " + e.getMessage());
        }
        // Every job write before this instant was made by an earlier process, whose workers are gone.
        java.time.Instant processStarted = java.time.Instant.now();
        // Children of an earlier run on this folder that outlived it (its JVM was killed) go first.
        ChildPids.stopStale(data, log);
        this.api = new LocalApiServer(options.apiPort(), log);
        this.lifecycle = new StackLifecycle(this::deleteStackFile);
        try {
            S3EventRouter s3Events = lifecycle.add(new S3EventRouter(DROP_BUCKET, LABELLED_BUCKET));
            lifecycle.add(api);
            this.storage = new StorageServers(options.repoRoot(), data, s3Events.webhook(), TABLE,
                    List.of(DROP_BUCKET, RESULTS_BUCKET, LABELLED_BUCKET, ARTIFACTS_BUCKET), lifecycle, log);
            Containers containers = lifecycle.add(new Containers(options.repoRoot(), data.resolve("logs")));
            this.sageMaker = lifecycle.add(new LocalSageMaker(storage.s3(), containers, data.resolve("sagemaker"),
                    options.trainingOverrides(), "s3://" + RESULTS_BUCKET + "/async-output/"));
            sageMaker.onProgress(log);

            // ---- jobs (docs/handlers.md) -------------------------------------------------------
            SageMakerClient smClient = SageMakerClient.builder().endpointOverride(sageMaker.endpoint()).region(LocalAws.REGION)
                    .credentialsProvider(LocalAws.CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                    .overrideConfiguration(c -> c.retryStrategy(JobsRuntime.sageMakerRetries())).build();
            SageMakerRuntimeClient smRuntime = SageMakerRuntimeClient.builder().endpointOverride(sageMaker.endpoint())
                    .region(LocalAws.REGION).credentialsProvider(LocalAws.CREDENTIALS)
                    .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofMinutes(5)).build())
                    .overrideConfiguration(c -> c.retryStrategy(JobsRuntime.sageMakerRetries())).build();
            JobsRuntime jobs = JobsRuntime.create(jobsConfig(), LocalReconciliation.EVERY_MINUTE, storage.dynamo(), storage.s3(),
                    storage.presigner(), smClient, smRuntime, Clock.systemUTC(), JobsRuntime.Tuning.defaults());
            // Durable queues in the data folder: a kill -9 loses no S3 event, notification or processing event.
            Path queues = data.resolve("queues");
            LocalQueue ingestQueue = lifecycle.add(new LocalQueue("ingest", queues,
                    LocalQueue.sqs(new IngestHandler(jobs.ingest())), log, 5, 2000));
            LocalQueue completionQueue = lifecycle.add(new LocalQueue("async-completion", queues,
                    LocalQueue.sqs(new AsyncCompletionHandler(jobs.completion())), log, 5, 2000));
            ProcessingJobEventHandler processingEvents = new ProcessingJobEventHandler(jobs.completion());
            // Lambda's asynchronous invocation of the EventBridge target: two retries, then the on-failure DLQ.
            LocalQueue processingQueue = lifecycle.add(new LocalQueue("processing-events", queues,
                    (id, body, receive) -> processingEvents.handleRequest(JSON.readValue(body, EVENT_TYPE), null), log, 3, 1000));
            sageMaker.onAsyncNotification(completionQueue::send);
            sageMaker.onProcessingEvent(event -> {
                try {
                    processingQueue.send(JSON.writeValueAsString(event));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    log.accept("processing-events: cannot queue an event: " + e.getMessage());
                }
            });

            // ---- streams -----------------------------------------------------------------------
            StreamsRuntime streams = StreamsRuntime.create(StreamsConfig.of(TABLE, REALTIME_ENDPOINT), storage.dynamo(), smRuntime,
                    Clock.systemUTC(), StreamsRuntime.CONFLICT_BACKOFF, localAdmins());

            // ---- retraining --------------------------------------------------------------------
            this.retraining = new LocalRetraining(options.repoRoot(), queues, storage.dynamo(), storage.s3(), sageMaker, log,
                    lifecycle);

            restoreDeployedModel();

            // What the last run left in the queues first, then new events; the reconciler settles the rest.
            ingestQueue.start();
            completionQueue.start();
            processingQueue.start();
            retraining.labelledQueue().start();
            s3Events.start(ingestQueue, retraining.labelledQueue());
            lifecycle.add(new LocalReconciliation(jobs.reconciler(), log).start(processStarted));
            // The jobs API as in AWS: its own DynamoDB client with the API's timeouts (an outage is a fast
            // 503), page tokens signed with a random key kept in the data folder (the AWS secret's stand-in).
            DynamoDbClient apiDynamo = DynamoDbClient.builder().endpointOverride(storage.dynamoEndpoint())
                    .region(LocalAws.REGION).credentialsProvider(LocalAws.CREDENTIALS)
                    .httpClient(JobsRuntime.apiHttpClient()).overrideConfiguration(JobsRuntime.apiClientOverrides()).build();
            JobApi jobsApi = JobsRuntime.api(jobsConfig(), apiDynamo, storage.presigner(),
                    PageTokens.withKey(PageTokenKeys.localFile(data.resolve(PAGE_TOKEN_KEY_FILE))), Clock.systemUTC(),
                    localTenancy());
            api.start(new LocalApiServer.Routes(new ApiHandler(jobsApi), new StreamApiHandler(streams), retraining.api(),
                    retraining.executions()::toJson, new ConsoleFiles(options.repoRoot().resolve("console"))));
            writeStackFile();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The local admins: the default caller (what the console and the CLI send), and whoever
     * {@code ADMIN_PRINCIPALS} names; callers named by {@code X-Motflow-Caller} see their own jobs
     * and streams.
     */
    static Admins localAdmins() {
        java.util.Set<String> admins = new java.util.LinkedHashSet<>(Admins.fromEnvironment().owners());
        admins.add(Caller.IAM + LocalApiServer.callerArn(LocalApiServer.DEFAULT_CALLER));
        return new Admins(admins);
    }

    /** The jobs API's view of {@link #localAdmins()}. */
    static Tenancy localTenancy() {
        return new Tenancy(localAdmins());
    }

    public static LocalStack start(Options options) {
        return new LocalStack(options);
    }

    /** The jobs Lambdas' environment (docs/handlers.md), pointing at the local names. */
    private static JobsConfig jobsConfig() {
        Map<String, String> env = new HashMap<>();
        env.put("TABLE_NAME", TABLE);
        env.put("RESULTS_BUCKET", RESULTS_BUCKET);
        env.put("DROP_BUCKET", DROP_BUCKET);
        env.put("ASYNC_ENDPOINT_NAME", ASYNC_ENDPOINT);
        env.put("PROCESSING_IMAGE_URI", "000000000000.dkr.ecr.us-east-1.amazonaws.com/motflow-ml:local");
        env.put("PROCESSING_ROLE_ARN", "arn:aws:iam::000000000000:role/motflow-processing");
        env.put("PRESIGN_TTL_SECONDS", "3600");
        return JobsConfig.fromMap(env);
    }

    /** After a restart: the model the registry says is in production is what the endpoint serves. */
    private void restoreDeployedModel() {
        try {
            ModelRegistry.Current current = retraining.steps().registry().current();
            if (current != null && current.artifactS3Uri() != null) {
                sageMaker.restoreEndpoint(MODEL_ENDPOINT, current.endpointConfigName(), current.artifactS3Uri());
            }
        } catch (RuntimeException e) {
            log.accept("could not restore the deployed model: " + e.getMessage());
        }
    }

    // ---- what other ./motflow commands need to find a running stack ----------------------------

    private void writeStackFile() {
        try {
            var o = JSON.createObjectNode().put("pid", ProcessHandle.current().pid()).put("api", apiUrl().toString())
                    .put("s3", s3Endpoint().toString()).put("dynamodb", storage.dynamoEndpoint().toString())
                    .put("sagemaker", sageMaker.endpoint().toString());
            Files.writeString(options.dataDir().resolve("stack.json"), o.toPrettyString());
        } catch (IOException e) {
            log.accept("cannot write stack.json: " + e.getMessage());
        }
    }

    private void deleteStackFile() {
        try {
            Files.deleteIfExists(options.dataDir().resolve("stack.json"));
        } catch (IOException e) {
            // best effort: a stale file names a dead pid, which readers ignore
        }
    }

    public URI apiUrl() {
        return api.url();
    }

    public URI s3Endpoint() {
        return storage.s3Endpoint();
    }

    public S3Client s3() {
        return storage.s3();
    }

    public DynamoDbClient dynamo() {
        return storage.dynamo();
    }

    public LocalSageMaker sageMaker() {
        return sageMaker;
    }

    LocalExecutions executions() {
        return retraining.executions();
    }

    public Steps steps() {
        return retraining.steps();
    }

    public SnsTasks notifications() {
        return retraining.notifications();
    }

    /** Tests: dynalite or s3rver killed from now on stays down instead of being restarted. */
    void unsuperviseStorage() {
        storage.unsupervise();
    }

    public Path dataDir() {
        return options.dataDir();
    }

    @Override
    public void close() {
        lifecycle.close();
    }
}
