package dev.motflow.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.constructs.Construct;

/** The whole motflow deployment of one stage. */
public final class MotflowStack extends Stack {
    private final MotflowConfig cfg;
    private final Storage storage;
    private final Messaging messaging;
    private final Ml ml;
    private final JobFunctions jobs;
    private final Reconciler reconciler;
    private final RetrainingFunctions retraining;
    private final StreamFunctions streams;
    private final Map<String, String> substitutions;
    private final Workflows workflows;
    private final Observability observability;
    private final Console console;

    public MotflowStack(Construct scope, String id, StackProps props, MotflowConfig cfg, Path repoRoot) {
        super(scope, id, props);
        this.cfg = cfg;
        storage = new Storage(this, "Storage", cfg);
        // SQS visibility timeout >= 6x the consumer's timeout (AWS guidance for Lambda event sources).
        messaging = new Messaging(this, "Messaging", cfg, storage,
                Duration.seconds(6 * JobFunctions.INGEST_TIMEOUT.toSeconds().intValue()),
                Duration.seconds(6 * JobFunctions.COMPLETION_TIMEOUT.toSeconds().intValue()),
                Duration.seconds(6 * RetrainingFunctions.TRIGGER_TIMEOUT.toSeconds().intValue()));
        ml = new Ml(this, "Ml", cfg, storage, messaging);
        jobs = new JobFunctions(this, "Jobs", cfg, RepoPaths.jobsLambdaJar(repoRoot), storage, messaging, ml);
        reconciler = new Reconciler(this, "Reconciler", cfg, RepoPaths.jobsLambdaJar(repoRoot), storage, ml, jobs);
        retraining = new RetrainingFunctions(this, "Retraining", cfg, RepoPaths.retrainingLambdaJar(repoRoot),
                storage, messaging, ml, jobs.api());
        streams = new StreamFunctions(this, "Streams", cfg, RepoPaths.streamsLambdaJar(repoRoot), storage, ml,
                jobs.api());
        substitutions = substitutions();
        workflows = new Workflows(this, "Workflows", cfg, RepoPaths.stateMachineDir(repoRoot), substitutions,
                storage.key().getKeyArn());
        observability = new Observability(this, "Observability", cfg, messaging, javaFunctions(), ml, workflows);
        Object consoleDir = getNode().tryGetContext(Console.DIR_CONTEXT);
        console = new Console(this, "Console", cfg,
                repoRoot.resolve(consoleDir == null ? Console.DEFAULT_DIR : consoleDir.toString()), storage,
                consoleRoutes());

        CfnOutput.Builder.create(this, "ApiUrl").value(jobs.api().getApiEndpoint()).build();
        CfnOutput.Builder.create(this, "DropBucket").value(storage.drop().getBucketName()).build();
        CfnOutput.Builder.create(this, "ResultsBucket").value(storage.results().getBucketName()).build();
        CfnOutput.Builder.create(this, "ArtifactsBucket").value(storage.artifacts().getBucketName()).build();
        CfnOutput.Builder.create(this, "TableName").value(storage.table().getTableName()).build();
        CfnOutput.Builder.create(this, "TrainingRepository").value(ml.trainingRepo().getRepositoryUri()).build();
        CfnOutput.Builder.create(this, "ServingRepository").value(ml.servingRepo().getRepositoryUri()).build();
        CfnOutput.Builder.create(this, "ProcessingRepository").value(ml.processingRepo().getRepositoryUri()).build();
        CfnOutput.Builder.create(this, "AlertTopic").value(messaging.alerts().getTopicArn()).build();
        CfnOutput.Builder.create(this, "ConsoleUrl").value(console.url() + "/").build();
        CfnOutput.Builder.create(this, "ConsoleUserPoolId").value(console.userPool().getUserPoolId()).build();
        suppressNagFindings();
    }

    /** The routes the console calls, on the same Lambda aliases as the IAM-authorized API. */
    private Map<String, Console.Route> consoleRoutes() {
        var jobsApi = jobs.functions().get("Api").alias();
        Map<String, Console.Route> r = new LinkedHashMap<>();
        r.put("/jobs", new Console.Route("Jobs", List.of(HttpMethod.GET, HttpMethod.POST), jobsApi));
        r.put("/jobs/{id}", new Console.Route("Jobs", List.of(HttpMethod.GET), jobsApi));
        r.put("/jobs/{id}/tracks", new Console.Route("Jobs", List.of(HttpMethod.GET), jobsApi));
        var retrainingApi = retraining.functions().get("RetrainingApi").alias();
        r.put("/retraining", new Console.Route("Retraining", List.of(HttpMethod.POST), retrainingApi));
        RetrainingFunctions.READ_ROUTES.forEach(path ->
                r.put(path, new Console.Route("Retraining", List.of(HttpMethod.GET), retrainingApi)));
        r.put("/streams/{streamId}", new Console.Route("Streams", List.of(HttpMethod.GET),
                streams.function().alias()));
        return r;
    }

    /**
     * Every value a state machine definition may use as {@code ${Name}}. Workflows hands each
     * definition the subset it names, and refuses definitions that name anything else.
     */
    private Map<String, String> substitutions() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("Stage", cfg.stage());
        s.put("TableName", storage.table().getTableName());
        s.put("DropBucket", storage.drop().getBucketName());
        s.put("ResultsBucket", storage.results().getBucketName());
        s.put("ArtifactsBucket", storage.artifacts().getBucketName());
        s.put("KmsKeyArn", storage.key().getKeyArn());
        // One execution role per kind of container (Ml): a definition may pass only the ones it names.
        s.put("TrainingRoleArn", ml.trainingRole().getRoleArn());
        s.put("EvaluationRoleArn", ml.evaluationRole().getRoleArn());
        s.put("ModelRoleArn", ml.endpointRole().getRoleArn());
        s.put("TrainingImageUri", ml.trainingRepo().repositoryUriForTag(cfg.imageTag()));
        s.put("ServingImageUri", ml.servingRepo().repositoryUriForTag(cfg.imageTag()));
        s.put("EvaluationImageUri", ml.processingRepo().repositoryUriForTag(cfg.imageTag()));
        s.put("TrainingInstanceType", cfg.trainingInstanceType());
        // A string: the ASL reads it with States.StringToJson (substitutions sit inside JSON strings).
        s.put("TrainingInstanceCount", Integer.toString(cfg.trainingInstanceCount()));
        s.put("EvaluationInstanceType", cfg.evaluationInstanceType());
        s.put("EndpointInstanceType", cfg.realtimeInstanceType());
        // The retraining workflow promotes models onto both endpoints the stack creates: the
        // real-time frames endpoint (blue/green canary, rolled back on its alarms) and the
        // asynchronous video endpoint, whose new endpoint config repeats the async section of the
        // stack's own (Ml) and whose update rolls back on the video endpoint's alarms.
        s.put("EndpointName", ml.framesEndpointName());
        s.put("EndpointErrorAlarmName", Observability.errorAlarmName(ml.framesEndpointName()));
        s.put("EndpointLatencyAlarmName", Observability.latencyAlarmName(ml.framesEndpointName()));
        s.put("AsyncEndpointName", ml.asyncEndpointName());
        s.put("AsyncInstanceType", cfg.asyncInstanceType());
        s.put("AsyncMaxConcurrentInvocations", Integer.toString(cfg.asyncMaxConcurrentInvocationsPerInstance()));
        s.put("AsyncOutputS3Uri", storage.results().s3UrlForObject(Storage.ASYNC_OUTPUT_PREFIX));
        s.put("AsyncFailureS3Uri", storage.results().s3UrlForObject(Storage.ASYNC_FAILURE_PREFIX));
        s.put("AsyncSuccessTopicArn", messaging.asyncSuccess().getTopicArn());
        s.put("AsyncErrorTopicArn", messaging.asyncError().getTopicArn());
        s.put("AsyncEndpointErrorAlarmName", Observability.errorAlarmName(ml.asyncEndpointName()));
        s.put("AsyncEndpointLatencyAlarmName", Observability.latencyAlarmName(ml.asyncEndpointName()));
        s.put("NotifyTopicArn", messaging.notifications().getTopicArn());
        s.putAll(retraining.substitutions());
        return s;
    }

    /**
     * The few cdk-nag findings that are accepted on purpose. Each names its rule and why; the
     * template tests separately forbid "*" actions and "*" resources on S3, DynamoDB and KMS.
     */
    private void suppressNagFindings() {
        NagSuppressions.addStackSuppressions(this, List.of(
                NagPackSuppression.builder().id("AwsSolutions-IAM5")
                        .reason("Resource wildcards only where names are made at run time or the service has no"
                                + " resource-level permissions: objects under a bucket prefix, SageMaker job/model"
                                + " names, log streams, X-Ray, ECR GetAuthorizationToken, Step Functions log"
                                + " delivery; no action wildcards (a template test forbids them and '*' on"
                                + " S3/DynamoDB/KMS).")
                        .appliesTo(List.of(RegexAppliesTo.builder().regex("/^Resource::.*$/g").build()))
                        .build()));
    }

    public MotflowConfig config() {
        return cfg;
    }

    public Storage storage() {
        return storage;
    }

    public Messaging messaging() {
        return messaging;
    }

    public Ml ml() {
        return ml;
    }

    public JobFunctions jobs() {
        return jobs;
    }

    /** Every Java Lambda of the stack by id. */
    public Map<String, JobFunctions.JavaFunction> javaFunctions() {
        Map<String, JobFunctions.JavaFunction> all = new LinkedHashMap<>(jobs.functions());
        all.put("Reconciler", reconciler.function());
        all.putAll(retraining.functions());
        all.put("StreamApi", streams.function());
        return all;
    }

    public RetrainingFunctions retraining() {
        return retraining;
    }

    public Map<String, String> suppliedSubstitutions() {
        return Map.copyOf(substitutions);
    }

    public Console console() {
        return console;
    }

    public Workflows workflows() {
        return workflows;
    }

    public Observability observability() {
        return observability;
    }
}
