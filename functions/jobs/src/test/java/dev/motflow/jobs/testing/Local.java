package dev.motflow.jobs.testing;

import java.time.Clock;
import java.time.Duration;

import dev.motflow.common.Backoff;
import dev.motflow.common.SdkRetries;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.service.JobsConfig;
import dev.motflow.jobs.store.JobTableSchema;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.SageMakerStub;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/** One table and three buckets on the shared local services, for one test class. */
public final class Local {
    public static final String ENDPOINT = "motflow-tracker";
    public static final String ROLE = "arn:aws:iam::123456789012:role/motflow-processing";
    public static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/motflow-processing:1";

    public final LocalAws aws = LocalAws.shared();
    public final SageMakerStub sm = aws.sageMaker();
    public final String table = aws.uniqueName("jobs");
    public final String drop = aws.newBucket("drop");
    public final String results = aws.newBucket("results");
    public final String asyncOut = aws.newBucket("async-out");

    public Local() {
        createTable(aws.dynamo(), table);
    }

    public static void createTable(DynamoDbClient dynamo, String name) {
        dynamo.createTable(JobTableSchema.createTableRequest(name));
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(name));
    }

    public JobsConfig config(long maxAsyncBytes, long maxUploadBytes) {
        return new JobsConfig(table, results, drop, ENDPOINT, maxAsyncBytes, maxUploadBytes, "incoming/batch/",
                IMAGE, ROLE, "ml.g5.xlarge", null, 3600, null, Duration.ofMinutes(15));
    }

    public JobsConfig config() {
        return config(JobsConfig.DEFAULT_MAX_ASYNC_BYTES, JobsConfig.DEFAULT_MAX_UPLOAD_BYTES);
    }

    /** SageMaker retries for tests: the production attempts, shorter waits. */
    public static final Backoff FAST_SAGEMAKER = Backoff.of(JobsRuntime.SAGEMAKER_BACKOFF.maxAttempts(),
            Duration.ofMillis(5), Duration.ofMillis(80));

    /** Fast retries for tests: same shape as production, shorter waits. */
    public static JobsRuntime.Tuning fastTuning() {
        return new JobsRuntime.Tuning(FAST_SAGEMAKER.maxAttempts(),
                Backoff.of(8, Duration.ofMillis(2), Duration.ofMillis(50)), Duration.ofMinutes(2));
    }

    public JobsRuntime runtime(JobsConfig config, Clock clock) {
        return runtime(config, clock, sm.client(), sm.runtimeClient(), fastTuning());
    }

    public JobsRuntime runtime(JobsConfig config, Clock clock, SageMakerClient sageMaker, SageMakerRuntimeClient runtime,
                               JobsRuntime.Tuning tuning) {
        sm.asyncOutputPrefix("s3://" + asyncOut + "/out/");
        return JobsRuntime.create(config, aws.dynamo(), aws.s3(), aws.s3Presigner(), sageMaker, runtime, clock, tuning);
    }

    /** SageMaker clients with the production retry strategy ({@link JobsRuntime#sageMakerRetries}), shorter waits. */
    public SageMakerClient sageMakerWithRetries() {
        return SageMakerClient.builder().endpointOverride(sm.endpoint()).region(LocalAws.REGION)
                .credentialsProvider(LocalAws.CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(SdkRetries.standard(FAST_SAGEMAKER))).build();
    }

    public SageMakerRuntimeClient runtimeWithRetries() {
        return SageMakerRuntimeClient.builder().endpointOverride(sm.endpoint()).region(LocalAws.REGION)
                .credentialsProvider(LocalAws.CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(SdkRetries.standard(FAST_SAGEMAKER))).build();
    }

    /** Puts an object and returns its (unquoted) ETag. */
    public String put(String bucket, String key, byte[] bytes) {
        String eTag = aws.s3().putObject(b -> b.bucket(bucket).key(key),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes)).eTag();
        return eTag.replace("\"", "");
    }
}
