package dev.motflow.infra;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogDestination;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogSettings;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.apigatewayv2.HttpStage;
import software.amazon.awscdk.services.apigatewayv2.LogGroupLogDestination;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.aws_apigatewayv2_authorizers.HttpIamAuthorizer;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.events.EventField;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.SnsTopic;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.CfnEventInvokeConfig;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.amazon.awscdk.services.sqs.Queue;
import software.constructs.Construct;

/**
 * The job Lambdas of functions/jobs (handlers and environment exactly as docs/handlers.md), their
 * triggers (SQS, EventBridge, HTTP API) and their least-privilege roles.
 */
public final class JobFunctions extends Construct {
    public static final String JOBS_PACKAGE = "dev.motflow.jobs.handler.";
    public static final Duration INGEST_TIMEOUT = Duration.minutes(1);
    public static final Duration COMPLETION_TIMEOUT = Duration.minutes(5);

    /** A Java Lambda with SnapStart, the alias every trigger targets, and its log group. */
    public record JavaFunction(Function function, Alias alias, LogGroup logGroup) {
    }

    private final Map<String, JavaFunction> functions = new LinkedHashMap<>();
    private final Queue processingEventsDlq;
    private final HttpApi api;
    /** The model family the retraining workflow promotes (its handlers' MODEL_NAME default). */
    static final String MODEL_NAME = "motflow-tracker";

    public JobFunctions(Construct scope, String id, MotflowConfig cfg, Path jobsJar, Storage storage,
                        Messaging messaging, Ml ml) {
        super(scope, id);
        Code code = Code.fromAsset(jobsJar.toString());
        String keyArn = storage.key().getKeyArn();
        String tableArn = storage.table().getTableArn();
        String indexArn = tableArn + "/index/" + Storage.GSI1;
        // Actions per function as listed in docs/handlers.md ("IAM the functions need").
        List<String> ingestTable = List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem");
        List<String> completionTable = List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem");
        String dropIncoming = storage.drop().arnForObjects(Storage.INCOMING_PREFIX + "*");
        String resultsObjects = storage.results().arnForObjects("*");

        Map<String, String> ingestEnv = ingestEnvironment(cfg, storage, ml, keyArn);
        JavaFunction ingest = javaFunction("Ingest", "IngestHandler", cfg, code, 1024, INGEST_TIMEOUT, ingestEnv,
                List.of(
                        Policies.allow(ingestTable, List.of(tableArn)),
                        Policies.allow(List.of("s3:GetObject", "s3:GetObjectVersion"), List.of(dropIncoming)),
                        Policies.allow(List.of("sagemaker:InvokeEndpointAsync"), List.of(ml.asyncEndpointArn())),
                        Policies.allow(List.of("sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob",
                                "sagemaker:AddTags"), List.of(Policies.sageMakerArn("processing-job/motflow-*"))),
                        Policies.allow(List.of("iam:PassRole"), List.of(ml.processingRole().getRoleArn()),
                                Map.of("StringEquals", Map.of("iam:PassedToService", "sagemaker.amazonaws.com"))),
                        Policies.kmsTableAndObjects(keyArn)));
        ingest.alias().addEventSource(SqsEventSource.Builder.create(messaging.ingest().queue())
                .batchSize(10).maxBatchingWindow(Duration.seconds(2)).reportBatchItemFailures(true).build());

        JavaFunction completion = javaFunction("Completion", "AsyncCompletionHandler", cfg, code, 2048,
                COMPLETION_TIMEOUT,
                Map.of("TABLE_NAME", storage.table().getTableName(),
                        "RESULTS_BUCKET", storage.results().getBucketName()),
                List.of(
                        Policies.allow(completionTable, List.of(tableArn)),
                        // Reads async outputs/failures and processing outputs, writes results/<jobId>/.
                        Policies.allow(List.of("s3:GetObject", "s3:PutObject"), List.of(resultsObjects)),
                        Policies.kmsTableAndObjects(keyArn)));
        completion.alias().addEventSource(SqsEventSource.Builder.create(messaging.completion().queue())
                .batchSize(5).reportBatchItemFailures(true).build());

        JavaFunction processingEvents = javaFunction("ProcessingEvents", "ProcessingJobEventHandler", cfg, code,
                2048, COMPLETION_TIMEOUT,
                // The same completion service as the async path: it copies results into RESULTS_BUCKET.
                Map.of("TABLE_NAME", storage.table().getTableName(),
                        "RESULTS_BUCKET", storage.results().getBucketName()),
                List.of(
                        Policies.allow(completionTable, List.of(tableArn)),
                        Policies.allow(List.of("s3:GetObject", "s3:PutObject"), List.of(resultsObjects)),
                        Policies.allow(List.of("sagemaker:DescribeProcessingJob"),
                                List.of(Policies.sageMakerArn("processing-job/motflow-*"))),
                        Policies.kmsTableAndObjects(keyArn)));
        processingEventsDlq = messaging.deadLetterQueue("ProcessingEventsDlq");
        NagSuppressions.addResourceSuppressions(processingEventsDlq, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-SQS3")
                .reason("This queue is itself a dead-letter queue (of the EventBridge rule targets); cdk-nag only"
                        + " recognises DLQs named in another queue's redrive policy.")
                .build()));
        // The handler throws only for transient failures: Lambda retries the asynchronous invocation,
        // then parks the event in the DLQ.
        // (L1 with explicit grants: the L2 destination grants kms:GenerateDataKey*/ReEncrypt* wildcards.)
        CfnEventInvokeConfig.Builder.create(this, "ProcessingEventsAsyncInvoke")
                .functionName(processingEvents.function().getFunctionName())
                .qualifier(processingEvents.alias().getAliasName())
                .maximumRetryAttempts(2)
                .maximumEventAgeInSeconds(6 * 3600)
                .destinationConfig(CfnEventInvokeConfig.DestinationConfigProperty.builder()
                        .onFailure(CfnEventInvokeConfig.OnFailureProperty.builder()
                                .destination(processingEventsDlq.getQueueArn()).build())
                        .build())
                .build()
                .addResourceDependency((software.amazon.awscdk.CfnResource) processingEvents.alias().getNode().getDefaultChild());
        processingEvents.function().getRole().addToPrincipalPolicy(Policies.allow(List.of("sqs:SendMessage"),
                List.of(processingEventsDlq.getQueueArn())));
        Rule.Builder.create(this, "ProcessingJobStateChange")
                .description("SageMaker processing jobs started by motflow -> ProcessingJobEventHandler")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.sagemaker"))
                        .detailType(List.of("SageMaker Processing Job State Change"))
                        .detail(Map.of("ProcessingJobName", List.of(Map.of("prefix", "motflow-"))))
                        .build())
                .targets(List.of(LambdaFunction.Builder.create(processingEvents.alias())
                        .deadLetterQueue(processingEventsDlq)
                        .retryAttempts(8)
                        .maxEventAge(Duration.hours(6))
                        .build()))
                .build();
        // Training jobs are driven by the retraining state machine (.sync); their failures are also
        // sent to the alert topic so that a human sees them even when no workflow is watching.
        Rule.Builder.create(this, "TrainingJobFailed")
                .description("A SageMaker training job failed or was stopped -> alert topic")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.sagemaker"))
                        .detailType(List.of("SageMaker Training Job State Change"))
                        .detail(Map.of("TrainingJobStatus", List.of("Failed", "Stopped")))
                        .build())
                .targets(List.of(SnsTopic.Builder.create(messaging.alerts())
                        .message(RuleTargetInput.fromText("SageMaker training job "
                                + EventField.fromPath("$.detail.TrainingJobName") + " is "
                                + EventField.fromPath("$.detail.TrainingJobStatus") + ": "
                                + EventField.fromPath("$.detail.FailureReason")))
                        .deadLetterQueue(processingEventsDlq)
                        .build()))
                .build();

        // The key that signs the API's page tokens: generated by Secrets Manager, readable by the API
        // function only (so a token cannot be forged from anything public, such as the table name).
        Secret pageTokenSecret = Secret.Builder.create(this, "PageTokenKey")
                .description("motflow jobs API: HMAC key of the page tokens (changing it only invalidates open tokens)")
                .encryptionKey(storage.key())
                .generateSecretString(SecretStringGenerator.builder().passwordLength(64).excludePunctuation(true).build())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        NagSuppressions.addResourceSuppressions(pageTokenSecret, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-SMG4")
                .reason("The page token key protects only pagination cursors that live minutes; rotating it would"
                        + " just invalidate open tokens (clients start again), so no rotation Lambda is kept for it.")
                .build()));
        Map<String, String> apiEnv = new LinkedHashMap<>(Map.of("TABLE_NAME", storage.table().getTableName(),
                "RESULTS_BUCKET", storage.results().getBucketName(),
                "DROP_BUCKET", storage.drop().getBucketName(),
                "MAX_UPLOAD_BYTES", Long.toString(cfg.maxUploadBytes()),
                "PRESIGN_TTL_SECONDS", Integer.toString(cfg.presignTtlSeconds()),
                "PAGE_TOKEN_SECRET_ARN", pageTokenSecret.getSecretArn()));
        apiEnv.putAll(cfg.adminEnvironment());
        JavaFunction apiFn = javaFunction("Api", "ApiHandler", cfg, code, 1024, Duration.seconds(25), apiEnv,
                List.of(
                        Policies.allow(List.of("secretsmanager:GetSecretValue"), List.of(pageTokenSecret.getSecretArn())),
                        Policies.allow(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
                                List.of(tableArn, indexArn)),
                        // Presigned upload URLs are signed with this role: it must be allowed to put.
                        Policies.allow(List.of("s3:PutObject"), List.of(dropIncoming)),
                        // GET /jobs/{id} presigns the uploaded video (by version) and the processing route's
                        // annotated MP4 next to its result, for the console's player.
                        Policies.allow(List.of("s3:GetObject", "s3:GetObjectVersion"), List.of(dropIncoming)),
                        Policies.allow(List.of("s3:GetObject"),
                                List.of(storage.results().arnForObjects("results/*"),
                                        storage.results().arnForObjects("processing/*"))),
                        Policies.kmsTableAndObjects(keyArn)));

        LogGroup accessLogs = LogGroup.Builder.create(this, "ApiAccessLogs")
                .retention(retention(cfg.logRetentionDays()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        api = HttpApi.Builder.create(this, "HttpApi")
                .apiName(cfg.prefix() + "-api")
                .description("motflow jobs API (IAM authorization on every route)")
                .createDefaultStage(false)
                .defaultAuthorizer(new HttpIamAuthorizer())
                .build();
        HttpStage.Builder.create(this, "ApiStage")
                .httpApi(api)
                .stageName("$default")
                .autoDeploy(true)
                .throttle(ThrottleSettings.builder()
                        .rateLimit(cfg.apiThrottleRatePerSecond())
                        .burstLimit(cfg.apiThrottleBurst())
                        .build())
                .accessLogSettings(new AccessLogs(new LogGroupLogDestination(accessLogs), AccessLogFormat.custom("{\"requestId\":\"$context.requestId\","
                                + "\"ip\":\"$context.identity.sourceIp\",\"caller\":\"$context.identity.userArn\","
                                + "\"time\":\"$context.requestTime\",\"route\":\"$context.routeKey\","
                                + "\"status\":\"$context.status\",\"length\":\"$context.responseLength\","
                                + "\"latency\":\"$context.integrationLatency\","
                                + "\"error\":\"$context.integrationErrorMessage\"}")))
                .build();
        HttpLambdaIntegration integration = new HttpLambdaIntegration("ApiIntegration", apiFn.alias());
        api.addRoutes(route("/jobs", List.of(HttpMethod.POST, HttpMethod.GET), integration));
        api.addRoutes(route("/jobs/{id}", List.of(HttpMethod.GET), integration));
        api.addRoutes(route("/jobs/{id}/tracks", List.of(HttpMethod.GET), integration));
    }

    /**
     * Access log settings of the API stage (the interface has no builder in the Java binding; a
     * record would not do: jsii takes its accessors destination()/format() for method overrides).
     */
    static final class AccessLogs implements IAccessLogSettings {
        private final IAccessLogDestination logDestination;
        private final AccessLogFormat logFormat;

        AccessLogs(IAccessLogDestination logDestination, AccessLogFormat logFormat) {
            this.logDestination = logDestination;
            this.logFormat = logFormat;
        }

        @Override
        public IAccessLogDestination getDestination() {
            return logDestination;
        }

        @Override
        public AccessLogFormat getFormat() {
            return logFormat;
        }
    }

    private static AddRoutesOptions route(String path, List<HttpMethod> methods, HttpLambdaIntegration integration) {
        return AddRoutesOptions.builder().path(path).methods(methods).integration(integration).build();
    }

    private JavaFunction javaFunction(String id, String handlerClass, MotflowConfig cfg, Code code, int memoryMb,
                                      Duration timeout, Map<String, String> env, List<PolicyStatement> access) {
        JavaFunction jf = javaFunction(this, id, JOBS_PACKAGE + handlerClass, cfg, code, memoryMb, timeout, env, access);
        functions.put(id, jf);
        return jf;
    }

    /**
     * A java21/arm64 Lambda with SnapStart on published versions, an alias "live" on the current
     * version (what every trigger targets), X-Ray, its own log group with retention, and a role with
     * exactly {@code access} plus writing to that log group.
     */
    static JavaFunction javaFunction(Construct scope, String id, String handlerClass, MotflowConfig cfg, Code code,
                                     int memoryMb, Duration timeout, Map<String, String> env,
                                     List<PolicyStatement> access) {
        LogGroup logGroup = LogGroup.Builder.create(scope, id + "Logs")
                .retention(retention(cfg.logRetentionDays()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Role role = Role.Builder.create(scope, id + "Role")
                .description("motflow " + handlerClass)
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        role.addToPolicy(Policies.allow(List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                List.of(logGroup.getLogGroupArn())));
        access.forEach(role::addToPolicy);
        Function fn = Function.Builder.create(scope, id)
                .description("motflow " + handlerClass)
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler(handlerClass + "::handleRequest")
                .code(code)
                .memorySize(memoryMb)
                .timeout(timeout)
                .environment(env)
                .role(role)
                .logGroup(logGroup)
                .tracing(Tracing.ACTIVE)
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .build();
        Alias alias = Alias.Builder.create(scope, id + "Live")
                .aliasName("live")
                .version(fn.getCurrentVersion())
                .build();
        // SnapStart applies to published versions: fn.getCurrentVersion() publishes one and every
        // trigger targets the alias on it, so CDK's reminder is answered.
        Annotations.of(fn).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "versions are published (currentVersion) and triggers use the alias");
        NagSuppressions.addResourceSuppressions(fn, List.of(NagPackSuppression.builder().id("AwsSolutions-L1")
                .reason("java21 on purpose: the Lambda code is compiled with --release 21 (the project's"
                        + " target, SnapStart-supported); moving runtimes is a project decision, not a synth one.")
                .build()));
        return new JavaFunction(fn, alias, logGroup);
    }

    /** The shortest CloudWatch Logs retention that keeps logs at least {@code days} days. */
    static RetentionDays retention(int days) {
        RetentionDays best = RetentionDays.TEN_YEARS;
        for (RetentionDays r : RetentionDays.values()) {
            int d = retentionDays(r);
            if (d >= days && d < retentionDays(best)) {
                best = r;
            }
        }
        return best;
    }

    private static int retentionDays(RetentionDays r) {
        return switch (r) {
            case ONE_DAY -> 1; case THREE_DAYS -> 3; case FIVE_DAYS -> 5; case ONE_WEEK -> 7;
            case TWO_WEEKS -> 14; case ONE_MONTH -> 30; case TWO_MONTHS -> 60; case THREE_MONTHS -> 90;
            case FOUR_MONTHS -> 120; case FIVE_MONTHS -> 150; case SIX_MONTHS -> 180; case ONE_YEAR -> 365;
            case THIRTEEN_MONTHS -> 400; case EIGHTEEN_MONTHS -> 545; case TWO_YEARS -> 731;
            case THREE_YEARS -> 1096; case FIVE_YEARS -> 1827; case SIX_YEARS -> 2192; case SEVEN_YEARS -> 2557;
            case EIGHT_YEARS -> 2922; case NINE_YEARS -> 3288; case TEN_YEARS -> 3653;
            default -> Integer.MAX_VALUE;
        };
    }

    /** The job functions by id (Ingest, Completion, ProcessingEvents, Api). */
    public Map<String, JavaFunction> functions() {
        return Map.copyOf(functions);
    }

    public Queue processingEventsDlq() {
        return processingEventsDlq;
    }

    public HttpApi api() {
        return api;
    }

    /** The ingest's environment: what starting a job's SageMaker work needs (the reconciler uses it too). */
    static Map<String, String> ingestEnvironment(MotflowConfig cfg, Storage storage, Ml ml, String keyArn) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TABLE_NAME", storage.table().getTableName());
        env.put("RESULTS_BUCKET", storage.results().getBucketName());
        env.put("ASYNC_ENDPOINT_NAME", ml.asyncEndpointName());
        env.put("MAX_ASYNC_BYTES", Long.toString(cfg.maxAsyncBytes()));
        env.put("MAX_UPLOAD_BYTES", Long.toString(cfg.maxUploadBytes()));
        env.put("BATCH_PREFIX", Storage.INCOMING_PREFIX + "batch/");
        env.put("PROCESSING_IMAGE_URI", ml.processingRepo().repositoryUriForTag(cfg.imageTag()));
        env.put("PROCESSING_ROLE_ARN", ml.processingRole().getRoleArn());
        env.put("PROCESSING_INSTANCE_TYPE", cfg.processingInstanceType());
        if (MotflowConfig.supportsVolumeKmsKey(cfg.processingInstanceType())) {
            env.put("PROCESSING_VOLUME_KMS_KEY_ID", keyArn);
        }
        env.put("PROCESSING_MAX_RUNTIME_SECONDS", Integer.toString(cfg.processingMaxRuntimeSeconds()));
        // The processing container takes a model.tar.gz at /opt/ml/processing/model: the promoted model
        // (MODEL#<MODEL_NAME>/CURRENT, read with the table's GetItem), else the bootstrap one.
        env.put("PROCESSING_MODEL_S3_URI", ml.modelDataUrl());
        env.put("MODEL_NAME", MODEL_NAME);
        return env;
    }
}
