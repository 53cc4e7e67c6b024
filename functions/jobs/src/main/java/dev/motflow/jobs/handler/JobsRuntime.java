package dev.motflow.jobs.handler;

import java.time.Clock;
import java.time.Duration;

import dev.motflow.jobs.service.CompletionService;
import dev.motflow.jobs.service.IngestService;
import dev.motflow.jobs.api.JobApi;
import dev.motflow.jobs.service.JobsConfig;
import dev.motflow.jobs.service.SageMakerLauncher;
import dev.motflow.jobs.store.Backoff;
import dev.motflow.jobs.store.BatchWriter;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.PageTokens;
import dev.motflow.jobs.store.ProductionModel;
import dev.motflow.jobs.store.TrackRepository;
import dev.motflow.jobs.store.UnroutableLog;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * The services of the job Lambdas wired to their clients. Handlers build one from the environment
 * during init (SnapStart snapshots it: clients and configuration stay valid after restore; nothing
 * here holds per-invocation state, time or randomness; the production-model cache starts empty). Tests wire it to local servers.
 */
public final class JobsRuntime {
    /** Retry, lease and cache settings. */
    public record Tuning(Backoff sageMaker, Backoff batchWrite, Duration startLease, Duration modelCacheTtl) {
        public Tuning(Backoff sageMaker, Backoff batchWrite, Duration startLease) {
            this(sageMaker, batchWrite, startLease, ProductionModel.DEFAULT_TTL);
        }

        public static Tuning defaults() {
            return new Tuning(Backoff.of(6, Duration.ofMillis(100), Duration.ofSeconds(3)),
                    Backoff.of(8, Duration.ofMillis(50), Duration.ofSeconds(2)), IngestService.DEFAULT_LEASE);
        }
    }

    private final IngestService ingest;
    private final CompletionService completion;
    private final JobApi api;

    private JobsRuntime(IngestService ingest, CompletionService completion, JobApi api) {
        this.ingest = ingest;
        this.completion = completion;
        this.api = api;
    }

    public static JobsRuntime create(JobsConfig config, DynamoDbClient dynamo, S3Client s3, S3Presigner presigner,
                                     SageMakerClient sageMaker, SageMakerRuntimeClient runtime, Clock clock, Tuning tuning) {
        JobRepository jobs = new JobRepository(dynamo, config.tableName(), clock);
        TrackRepository tracks = new TrackRepository(dynamo, config.tableName(), new BatchWriter(dynamo, tuning.batchWrite()));
        UnroutableLog unroutable = new UnroutableLog(dynamo, config.tableName(), clock);
        SageMakerLauncher launcher = new SageMakerLauncher(config, sageMaker, runtime, tuning.sageMaker());
        ProductionModel model = new ProductionModel(dynamo, config.tableName(), config.modelName(),
                config.processingModelS3Uri(), clock, tuning.modelCacheTtl());
        return new JobsRuntime(
                new IngestService(config, jobs, unroutable, s3, launcher, model, clock, tuning.startLease()),
                new CompletionService(config, jobs, tracks, unroutable, s3, clock),
                new JobApi(config, jobs, tracks, presigner, new PageTokens(config.tableName()), clock));
    }

    /** Clients for the Lambda environment: region and credentials from the runtime; SageMaker retries are ours. */
    public static JobsRuntime fromEnvironment() {
        JobsConfig config = JobsConfig.fromEnvironment();
        return create(config,
                DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build(),
                S3Client.builder().httpClient(UrlConnectionHttpClient.create()).build(),
                S3Presigner.create(),
                SageMakerClient.builder().httpClient(UrlConnectionHttpClient.create())
                        .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1)))
                        .build(),
                SageMakerRuntimeClient.builder().httpClient(UrlConnectionHttpClient.create())
                        .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1)))
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

    /** The process-wide runtime of a Lambda, built on first use (the init phase). */
    static final class FromEnvironment {
        static final JobsRuntime INSTANCE = fromEnvironment();

        private FromEnvironment() {
        }
    }
}
