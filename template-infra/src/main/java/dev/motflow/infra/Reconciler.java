package dev.motflow.infra;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.lambda.Code;
import software.constructs.Construct;

/**
 * The job reconciler (docs/handlers.md, "Reconciler"): {@code ReconcilerHandler} on an EventBridge
 * schedule, settling jobs the event path left non-terminal. It re-ingests (so it has the ingest's
 * environment and start permissions), completes (results like the completion functions) and asks
 * SageMaker about processing jobs; nothing else.
 */
public final class Reconciler extends Construct {
    /** How often the sweep runs; a job is settled at most its state's deadline plus this after it stalled. */
    public static final Duration SCHEDULE = Duration.minutes(5);
    public static final Duration TIMEOUT = Duration.minutes(5);

    private final JobFunctions.JavaFunction function;

    public Reconciler(Construct scope, String id, MotflowConfig cfg, Path jobsJar, Storage storage, Ml ml,
                      JobFunctions jobs) {
        super(scope, id);
        String keyArn = storage.key().getKeyArn();
        String tableArn = storage.table().getTableArn();
        String processingJobs = Policies.sageMakerArn("processing-job/motflow-*");

        // The ingest's environment (it ingests and starts SageMaker work the same way) plus the drop bucket.
        Map<String, String> env = new LinkedHashMap<>(JobFunctions.ingestEnvironment(cfg, storage, ml, keyArn));
        env.put("DROP_BUCKET", storage.drop().getBucketName());

        function = JobFunctions.javaFunction(this, "Function", JobFunctions.JOBS_PACKAGE + "ReconcilerHandler", cfg,
                Code.fromAsset(jobsJar.toString()), 2048, TIMEOUT, env, List.of(
                        // Query the status index; read, move (conditional updates) and write tracks of jobs.
                        Policies.allow(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                "dynamodb:BatchWriteItem", "dynamodb:Query"),
                                List.of(tableArn, tableArn + "/index/" + Storage.GSI1)),
                        Policies.allow(List.of("s3:GetObject", "s3:GetObjectVersion"),
                                List.of(storage.drop().arnForObjects(Storage.INCOMING_PREFIX + "*"))),
                        // Async outputs/failures and processing results; results/<jobId>/ is written.
                        Policies.allow(List.of("s3:GetObject", "s3:PutObject"),
                                List.of(storage.results().arnForObjects("*"))),
                        // Without ListBucket, HeadObject of a missing object answers 403 instead of 404.
                        Policies.allow(List.of("s3:ListBucket"),
                                List.of(storage.drop().getBucketArn(), storage.results().getBucketArn())),
                        Policies.allow(List.of("sagemaker:InvokeEndpointAsync"), List.of(ml.asyncEndpointArn())),
                        Policies.allow(List.of("sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob",
                                "sagemaker:StopProcessingJob", "sagemaker:AddTags"), List.of(processingJobs)),
                        Policies.allow(List.of("iam:PassRole"), List.of(ml.processingRole().getRoleArn()),
                                Map.of("StringEquals", Map.of("iam:PassedToService", "sagemaker.amazonaws.com"))),
                        Policies.kmsTableAndObjects(keyArn)));

        // No retries: every sweep is idempotent and the next tick is the retry; a tick that could not be
        // delivered at all lands in the job functions' EventBridge dead-letter queue (alarmed there).
        Rule.Builder.create(this, "Schedule")
                .description("Every " + SCHEDULE.toMinutes() + " minutes: settle motflow jobs the event path left behind")
                .schedule(Schedule.rate(SCHEDULE))
                .targets(List.of(LambdaFunction.Builder.create(function.alias()).retryAttempts(0)
                        .maxEventAge(SCHEDULE).deadLetterQueue(jobs.processingEventsDlq()).build()))
                .build();
    }

    public JobFunctions.JavaFunction function() {
        return function;
    }
}
