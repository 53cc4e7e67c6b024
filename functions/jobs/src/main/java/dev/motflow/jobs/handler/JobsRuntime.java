package dev.motflow.jobs.handler;

import java.time.Clock;
import java.time.Duration;

import dev.motflow.common.Backoff;
import dev.motflow.common.SdkRetries;
import dev.motflow.jobs.service.CompletionService;
import dev.motflow.jobs.service.InJobRetry;
import dev.motflow.jobs.service.IngestService;
import dev.motflow.jobs.api.JobApi;
import dev.motflow.jobs.service.JobReconciler;
import dev.motflow.jobs.service.JobsConfig;
import dev.motflow.jobs.service.ReconcilerConfig;
import dev.motflow.jobs.service.SageMakerLauncher;
import dev.motflow.jobs.service.Tenancy;
import dev.motflow.jobs.store.BatchWriter;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.PageTokenKeys;
import dev.motflow.jobs.store.PageTokens;
import dev.motflow.jobs.store.ProductionModel;
import dev.motflow.jobs.store.TrackRepository;
import dev.motflow.jobs.store.UnroutableLog;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The services of the job Lambdas wired to their clients. Handlers build one from the environment
 * during init (SnapStart snapshots it: clients and configuration stay valid after restore; nothing
 * here holds per-invocation state, time or randomness; the production-model cache starts empty). Tests wire it to local servers.
 */
public final class JobsRuntime {
    /**
     * SageMaker calls of one delivery: 6 attempts, full jitter from 100 ms doubling to at most 3 s
     * (about 6 s of waiting at worst, well inside the start lease).
     */
    public static final Backoff SAGEMAKER_BACKOFF = Backoff.of(6, Duration.ofMillis(100), Duration.ofSeconds(3));

    /**
     * S3 and DynamoDB calls of the job Lambdas (ingest, completion, reconciler): the SDK's standard
     * mode (throttling, 5xx, I/O errors and timeouts; the per-client retry quota) with 4 attempts, full
     * jitter from 50 ms doubling to at most 1 s. {@link InJobRetry} repeats a whole step on top of it.
     */
    public static final Backoff STORAGE_BACKOFF = Backoff.of(4, Duration.ofMillis(50), Duration.ofSeconds(1));

    /**
     * Retry, lease and cache settings. {@code sageMakerAttempts}: the attempts of the SageMaker clients'
     * retry strategy, which the launcher also spends across CreateProcessingJob and its confirming
     * DescribeProcessingJob; {@code inJob}: the in-invocation retry of a job's steps ({@link InJobRetry}).
     */
    public record Tuning(int sageMakerAttempts, Backoff batchWrite, Duration startLease, Duration modelCacheTtl,
                         Backoff inJob) {
        public Tuning(int sageMakerAttempts, Backoff batchWrite, Duration startLease, Duration modelCacheTtl) {
            this(sageMakerAttempts, batchWrite, startLease, modelCacheTtl, InJobRetry.DEFAULT);
        }

        public Tuning(int sageMakerAttempts, Backoff batchWrite, Duration startLease) {
            this(sageMakerAttempts, batchWrite, startLease, ProductionModel.DEFAULT_TTL);
        }

        /** The same settings with {@code inJob} as the in-invocation retry. */
        public Tuning withInJob(Backoff inJob) {
            return new Tuning(sageMakerAttempts, batchWrite, startLease, modelCacheTtl, inJob);
        }

        public static Tuning defaults() {
            return new Tuning(SAGEMAKER_BACKOFF.maxAttempts(),
                    Backoff.of(8, Duration.ofMillis(50), Duration.ofSeconds(2)), IngestService.DEFAULT_LEASE);
        }
    }

    /**
     * The SageMaker clients' retry strategy: the SDK's standard mode (throttling, 5xx and network
     * errors; a retry quota per client that stops retrying during an outage, leaving it to SQS
     * redelivery) with {@link #SAGEMAKER_BACKOFF}'s attempts and waits.
     */
    public static StandardRetryStrategy sageMakerRetries() {
        return SdkRetries.standard(SAGEMAKER_BACKOFF);
    }

    /** The S3 and DynamoDB clients' retry strategy: standard mode with {@link #STORAGE_BACKOFF}. */
    public static StandardRetryStrategy storageRetries() {
        return SdkRetries.standard(STORAGE_BACKOFF);
    }

    /**
     * The environment variable of the API function naming the Secrets Manager secret (ARN or name)
     * whose value signs page tokens.
     */
    public static final String PAGE_TOKEN_SECRET_ENV = "PAGE_TOKEN_SECRET_ARN";

    /**
     * The API's SDK calls: 2 attempts of at most 750 ms each, 1.5 s in all, a short wait between
     * them. A client waits for its answer, so an outage must become a fast 503 + Retry-After
     * (JobApi), not the SDK defaults' many retries (DynamoDB: 9 attempts, 9-13 s measured).
     */
    public static final Duration API_ATTEMPT_TIMEOUT = Duration.ofMillis(750);
    public static final Duration API_CALL_TIMEOUT = Duration.ofMillis(1500);
    public static final Backoff API_BACKOFF = Backoff.of(2, Duration.ofMillis(25), Duration.ofMillis(100));

    /** Timeouts and retries of the API's clients (DynamoDB, Secrets Manager): see {@link #API_CALL_TIMEOUT}. */
    public static ClientOverrideConfiguration apiClientOverrides() {
        return ClientOverrideConfiguration.builder()
                .retryStrategy(SdkRetries.standard(API_BACKOFF))
                .apiCallAttemptTimeout(API_ATTEMPT_TIMEOUT)
                .apiCallTimeout(API_CALL_TIMEOUT)
                .build();
    }

    /** The HTTP client of the API's clients: a connection that is not up in 500 ms will not be. */
    public static SdkHttpClient apiHttpClient() {
        return UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofMillis(500))
                .socketTimeout(API_ATTEMPT_TIMEOUT).build();
    }

    private final IngestService ingest;
    private final CompletionService completion;
    private final JobApi api;
    private final JobReconciler reconciler;

    private JobsRuntime(IngestService ingest, CompletionService completion, JobApi api, JobReconciler reconciler) {
        this.ingest = ingest;
        this.completion = completion;
        this.api = api;
        this.reconciler = reconciler;
    }

    /** With the reconciler's default deadlines ({@link ReconcilerConfig#defaults()}). */
    public static JobsRuntime create(JobsConfig config, DynamoDbClient dynamo, S3Client s3, S3Presigner presigner,
                                     SageMakerClient sageMaker, SageMakerRuntimeClient runtime, Clock clock, Tuning tuning) {
        return create(config, ReconcilerConfig.defaults(), dynamo, s3, presigner, sageMaker, runtime, clock, tuning);
    }

    public static JobsRuntime create(JobsConfig config, ReconcilerConfig reconcile, DynamoDbClient dynamo, S3Client s3,
                                     S3Presigner presigner, SageMakerClient sageMaker, SageMakerRuntimeClient runtime,
                                     Clock clock, Tuning tuning) {
        JobRepository jobs = new JobRepository(dynamo, config.tableName(), clock);
        TrackRepository tracks = new TrackRepository(dynamo, config.tableName(), new BatchWriter(dynamo, tuning.batchWrite()));
        UnroutableLog unroutable = new UnroutableLog(dynamo, config.tableName(), clock);
        SageMakerLauncher launcher = new SageMakerLauncher(config, sageMaker, runtime, tuning.sageMakerAttempts());
        ProductionModel model = new ProductionModel(dynamo, config.tableName(), config.modelName(),
                config.processingModelS3Uri(), clock, tuning.modelCacheTtl());
        InJobRetry inJob = new InJobRetry(tuning.inJob());
        IngestService ingest = new IngestService(config, jobs, unroutable, s3, launcher, model, clock, tuning.startLease(), inJob);
        CompletionService completion = new CompletionService(config, jobs, tracks, unroutable, s3, clock, inJob);
        // Tokens of this runtime's API are signed with a key of this process, made on first
        // use (not at init: SnapStart); the API Lambda and the local stack use apiFromEnvironment/api.
        return new JobsRuntime(ingest, completion,
                new JobApi(config, jobs, tracks, presigner, new PageTokens(PageTokenKeys::random), clock),
                new JobReconciler(config, reconcile, jobs, ingest, completion, launcher, sageMaker, s3, clock));
    }

    /**
     * The jobs API alone, on its own clients: {@code dynamo} should be configured as
     * {@link #apiClientOverrides}; {@code tokens} signs the page tokens.
     */
    public static JobApi api(JobsConfig config, DynamoDbClient dynamo, S3Presigner presigner, PageTokens tokens,
                             Clock clock) {
        return api(config, dynamo, presigner, tokens, clock, Tenancy.noAdmins());
    }

    /** The jobs API alone, with {@code tenancy} naming its admins. */
    public static JobApi api(JobsConfig config, DynamoDbClient dynamo, S3Presigner presigner, PageTokens tokens,
                             Clock clock, Tenancy tenancy) {
        return new JobApi(config, new JobRepository(dynamo, config.tableName(), clock),
                new TrackRepository(dynamo, config.tableName(), new BatchWriter(dynamo, Tuning.defaults().batchWrite())),
                presigner, tokens, clock, tenancy);
    }

    /**
     * The API Lambda's API: clients with the API's timeouts, page tokens signed with the secret named
     * by {@link #PAGE_TOKEN_SECRET_ENV}, read on the first request that needs it (not at init: the
     * SnapStart snapshot holds no key, and init makes no call).
     */
    public static JobApi apiFromEnvironment() {
        JobsConfig config = JobsConfig.fromEnvironment();
        String secret = System.getenv(PAGE_TOKEN_SECRET_ENV);
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException(PAGE_TOKEN_SECRET_ENV + " is not set: the API needs the page token secret");
        }
        SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(apiHttpClient())
                .overrideConfiguration(apiClientOverrides()).build();
        return api(config,
                DynamoDbClient.builder().httpClient(apiHttpClient()).overrideConfiguration(apiClientOverrides()).build(),
                S3Presigner.create(), new PageTokens(PageTokenKeys.secretsManager(secrets, secret)), Clock.systemUTC(),
                Tenancy.fromEnvironment());
    }

    /**
     * Clients for the Lambda environment: region and credentials from the runtime; SageMaker retries
     * per {@link #sageMakerRetries}, S3 and DynamoDB per {@link #storageRetries}.
     */
    public static JobsRuntime fromEnvironment() {
        JobsConfig config = JobsConfig.fromEnvironment();
        return create(config, ReconcilerConfig.fromEnvironment(),
                DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                        .overrideConfiguration(c -> c.retryStrategy(storageRetries())).build(),
                S3Client.builder().httpClient(UrlConnectionHttpClient.create())
                        .overrideConfiguration(c -> c.retryStrategy(storageRetries())).build(),
                S3Presigner.create(),
                SageMakerClient.builder().httpClient(UrlConnectionHttpClient.create())
                        .overrideConfiguration(c -> c.retryStrategy(sageMakerRetries()))
                        .build(),
                SageMakerRuntimeClient.builder().httpClient(UrlConnectionHttpClient.create())
                        .overrideConfiguration(c -> c.retryStrategy(sageMakerRetries()))
                        .build(),
                Clock.systemUTC(), Tuning.defaults());
    }

    public IngestService ingest() {
        return ingest;
    }

    public CompletionService completion() {
        return completion;
    }

    public JobApi api() {
        return api;
    }

    public JobReconciler reconciler() {
        return reconciler;
    }

    /** The process-wide runtime of a Lambda, built on first use (the init phase). */
    static final class FromEnvironment {
        static final JobsRuntime INSTANCE = fromEnvironment();

        private FromEnvironment() {
        }
    }
}
