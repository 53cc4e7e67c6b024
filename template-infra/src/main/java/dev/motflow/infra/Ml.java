package dev.motflow.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.applicationautoscaling.CfnScalableTarget;
import software.amazon.awscdk.services.applicationautoscaling.CfnScalingPolicy;
import software.amazon.awscdk.services.cloudwatch.CfnAlarm;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.sagemaker.CfnEndpoint;
import software.amazon.awscdk.services.sagemaker.CfnEndpointConfig;
import software.amazon.awscdk.services.sagemaker.CfnModel;
import software.constructs.Construct;

/**
 * SageMaker: ECR repositories for the images built from containers/, the execution roles, the
 * tracking model, the asynchronous video endpoint (scales to zero) and the real-time frames endpoint.
 */
public final class Ml extends Construct {
    public static final String VARIANT = "AllTraffic";

    private final Repository trainingRepo;
    private final Repository servingRepo;
    private final Repository processingRepo;
    /** Bootstrap and imported models (models/...) and every retraining run's training output. */
    static final List<String> MODEL_PREFIXES = List.of("models/*", "retraining/*/model/*");
    /** The retraining runs' folder in the artifacts bucket (functions/retraining RunResources). */
    static final String RUNS_PREFIX = "retraining/";
    static final String TRAINING_OUTPUT_PREFIX = "model/";
    static final String CHECKPOINT_PREFIX = "checkpoints/";
    static final String EVALUATION_PREFIX = "eval/";
    /** Ground Truth datasets converted by the validation function. */
    static final String DATASETS_PREFIX = "datasets/";
    /** Where a video's processing job writes (functions/jobs SageMakerLauncher.processingOutputUri). */
    static final String PROCESSING_OUTPUT_PREFIX = "processing/";

    private final Role endpointRole;
    private final Role processingRole;
    private final Role evaluationRole;
    private final Role trainingRole;
    private final String asyncEndpointName;
    private final String framesEndpointName;
    private final CfnEndpointConfig asyncEndpointConfig;
    private final String modelDataUrl;

    public Ml(Construct scope, String id, MotflowConfig cfg, Storage storage, Messaging messaging) {
        super(scope, id);
        asyncEndpointName = cfg.prefix() + "-video";
        modelDataUrl = cfg.modelDataUrl().isBlank()
                ? storage.artifacts().s3UrlForObject("models/bootstrap/model.tar.gz") : cfg.modelDataUrl();
        framesEndpointName = cfg.prefix() + "-frames";
        trainingRepo = repository("TrainingRepo", cfg.prefix() + "/training");
        servingRepo = repository("ServingRepo", cfg.prefix() + "/serving");
        processingRepo = repository("ProcessingRepo", cfg.prefix() + "/processing");

        String keyArn = storage.key().getKeyArn();
        String artifacts = storage.artifacts().getBucketArn();
        List<String> models = modelArtifacts(storage);

        // The endpoints' containers decode untrusted uploads: they read the model and the async inputs
        // and write only the async output/failure prefixes (no artifacts, no results/). Also the
        // execution role of the models the retraining workflow creates (${ModelRoleArn}).
        List<PolicyStatement> endpoint = common(keyArn);
        endpoint.addAll(Policies.ecrPull(List.of(servingRepo.getRepositoryArn())));
        endpoint.add(sageMakerLogs("Endpoints/" + cfg.prefix() + "-*"));
        endpoint.add(read(concat(models, List.of(storage.drop().arnForObjects(Storage.INCOMING_PREFIX + "*")))));
        endpoint.add(write(List.of(
                storage.results().arnForObjects(Storage.ASYNC_OUTPUT_PREFIX + "*"),
                storage.results().arnForObjects(Storage.ASYNC_FAILURE_PREFIX + "*"))));
        endpoint.add(Policies.allow(List.of("sns:Publish"), List.of(
                messaging.asyncSuccess().getTopicArn(), messaging.asyncError().getTopicArn())));
        endpointRole = sageMakerRole("EndpointRole",
                "motflow endpoints and retrained models: read models and async inputs, write async outputs", endpoint);

        // Processing jobs of big videos: the uploaded video and the model in, processing/<jobId>/ out
        // (the completion function copies the tracks to results/<jobId>/).
        List<PolicyStatement> processing = jobRoleBase(keyArn, processingRepo, "ProcessingJobs");
        processing.add(list(storage.drop().getBucketArn(), List.of(Storage.INCOMING_PREFIX + "*")));
        processing.add(list(artifacts, MODEL_PREFIXES));
        processing.add(read(concat(models, List.of(storage.drop().arnForObjects(Storage.INCOMING_PREFIX + "*")))));
        processing.add(write(List.of(storage.results().arnForObjects(PROCESSING_OUTPUT_PREFIX + "*"))));
        processingRole = sageMakerRole("ProcessingRole",
                "motflow video processing jobs: read the video and model, write processing/ results", processing);

        // The retraining workflow's evaluation jobs (candidate and production): validation data and a
        // model in, the run's eval/ prefix out.
        List<PolicyStatement> evaluation = jobRoleBase(keyArn, processingRepo, "ProcessingJobs");
        evaluation.add(list(storage.drop().getBucketArn(), List.of(Storage.LABELLED_PREFIX + "*")));
        evaluation.add(list(artifacts, concat(MODEL_PREFIXES, List.of(DATASETS_PREFIX + "*", RUNS_PREFIX + "*"))));
        evaluation.add(read(concat(models, List.of(
                storage.drop().arnForObjects(Storage.LABELLED_PREFIX + "*"),
                storage.artifacts().arnForObjects(DATASETS_PREFIX + "*"),
                storage.artifacts().arnForObjects(RUNS_PREFIX + "*/validation.manifest")))));
        evaluation.add(write(List.of(storage.artifacts().arnForObjects(RUNS_PREFIX + "*/" + EVALUATION_PREFIX + "*"))));
        evaluationRole = sageMakerRole("EvaluationRole",
                "motflow retraining evaluation: read validation data and models, write the run's eval/", evaluation);

        // Training (and the tuning job's training jobs): labelled data, split manifests and the
        // pretrained model in; the run's model/ and checkpoints/<run>/ out (checkpoints are read back on a
        // spot restart).
        List<PolicyStatement> training = jobRoleBase(keyArn, trainingRepo, "TrainingJobs");
        training.add(list(storage.drop().getBucketArn(), List.of(Storage.LABELLED_PREFIX + "*")));
        training.add(list(artifacts, concat(MODEL_PREFIXES, List.of(DATASETS_PREFIX + "*", RUNS_PREFIX + "*"))));
        training.add(read(concat(models, List.of(
                storage.drop().arnForObjects(Storage.LABELLED_PREFIX + "*"),
                storage.artifacts().arnForObjects(DATASETS_PREFIX + "*"),
                storage.artifacts().arnForObjects(RUNS_PREFIX + "*/train.manifest"),
                storage.artifacts().arnForObjects(RUNS_PREFIX + "*/validation.manifest"),
                storage.artifacts().arnForObjects(CHECKPOINT_PREFIX + "*")))));
        training.add(write(List.of(
                storage.artifacts().arnForObjects(RUNS_PREFIX + "*/" + TRAINING_OUTPUT_PREFIX + "*"),
                storage.artifacts().arnForObjects(CHECKPOINT_PREFIX + "*"))));
        trainingRole = sageMakerRole("TrainingRole",
                "motflow retraining training jobs: read labelled data and models, write the run's model/ and"
                        + " checkpoints", training);

        if (!cfg.deployEndpoints()) {
            asyncEndpointConfig = null;
            return;
        }
        CfnModel.ContainerDefinitionProperty.Builder container = CfnModel.ContainerDefinitionProperty.builder()
                .image(servingRepo.repositoryUriForTag(cfg.imageTag()))
                .environment(Map.of("MOTFLOW_MAX_BODY_BYTES", Long.toString(cfg.maxAsyncBytes())));
        container.modelDataUrl(modelDataUrl);
        CfnModel model = CfnModel.Builder.create(this, "Model")
                .executionRoleArn(endpointRole.getRoleArn())
                .primaryContainer(container.build())
                .build();
        model.getNode().addDependency(endpointRole);

        CfnEndpointConfig.ProductionVariantProperty.Builder asyncVariant = variant(model, cfg.asyncInstanceType());
        CfnEndpointConfig.Builder asyncConfig = CfnEndpointConfig.Builder.create(this, "AsyncEndpointConfig")
                .productionVariants(List.of(asyncVariant.build()))
                .asyncInferenceConfig(CfnEndpointConfig.AsyncInferenceConfigProperty.builder()
                        .clientConfig(CfnEndpointConfig.AsyncInferenceClientConfigProperty.builder()
                                .maxConcurrentInvocationsPerInstance(cfg.asyncMaxConcurrentInvocationsPerInstance())
                                .build())
                        .outputConfig(CfnEndpointConfig.AsyncInferenceOutputConfigProperty.builder()
                                .s3OutputPath(storage.results().s3UrlForObject(Storage.ASYNC_OUTPUT_PREFIX))
                                .s3FailurePath(storage.results().s3UrlForObject(Storage.ASYNC_FAILURE_PREFIX))
                                .kmsKeyId(keyArn)
                                .notificationConfig(CfnEndpointConfig.AsyncInferenceNotificationConfigProperty.builder()
                                        .successTopic(messaging.asyncSuccess().getTopicArn())
                                        .errorTopic(messaging.asyncError().getTopicArn())
                                        .build())
                                .build())
                        .build());
        if (MotflowConfig.supportsVolumeKmsKey(cfg.asyncInstanceType())) {
            asyncConfig.kmsKeyId(keyArn);
        }
        asyncEndpointConfig = asyncConfig.build();
        CfnEndpoint asyncEndpoint = CfnEndpoint.Builder.create(this, "AsyncEndpoint")
                .endpointName(asyncEndpointName)
                .endpointConfigName(asyncEndpointConfig.getAttrEndpointConfigName())
                .build();

        CfnEndpointConfig.Builder framesConfig = CfnEndpointConfig.Builder.create(this, "FramesEndpointConfig")
                .productionVariants(List.of(variant(model, cfg.realtimeInstanceType()).build()));
        if (MotflowConfig.supportsVolumeKmsKey(cfg.realtimeInstanceType())) {
            framesConfig.kmsKeyId(keyArn);
        }
        CfnEndpoint.Builder.create(this, "FramesEndpoint")
                .endpointName(framesEndpointName)
                .endpointConfigName(framesConfig.build().getAttrEndpointConfigName())
                .build();

        scaleToZero(cfg, asyncEndpoint);
    }

    private static CfnEndpointConfig.ProductionVariantProperty.Builder variant(CfnModel model, String instanceType) {
        return CfnEndpointConfig.ProductionVariantProperty.builder()
                .variantName(VARIANT)
                .modelName(model.getAttrModelName())
                .instanceType(instanceType)
                .initialInstanceCount(1)
                .initialVariantWeight(1);
    }

    /**
     * Application Auto Scaling of the async endpoint: target tracking on the backlog per instance
     * (scales in to 0 when the queue is empty) plus a step policy on HasBacklogWithoutCapacity,
     * because target tracking cannot leave 0 instances (no per-instance metric without instances).
     */
    private void scaleToZero(MotflowConfig cfg, CfnEndpoint endpoint) {
        // No RoleARN: Application Auto Scaling uses its service-linked role for SageMaker.
        CfnScalableTarget target = CfnScalableTarget.Builder.create(this, "AsyncScalableTarget")
                .serviceNamespace("sagemaker")
                .resourceId("endpoint/" + asyncEndpointName + "/variant/" + VARIANT)
                .scalableDimension("sagemaker:variant:DesiredInstanceCount")
                .minCapacity(0)
                .maxCapacity(cfg.asyncMaxInstances())
                .build();
        target.addResourceDependency(endpoint);
        CfnScalingPolicy.Builder.create(this, "AsyncBacklogTracking")
                .policyName(cfg.prefix() + "-video-backlog-per-instance")
                .policyType("TargetTrackingScaling")
                .scalingTargetId(target.getRef())
                .targetTrackingScalingPolicyConfiguration(
                        CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty.builder()
                                .targetValue(cfg.asyncBacklogPerInstanceTarget())
                                .scaleInCooldown(600)
                                .scaleOutCooldown(300)
                                .customizedMetricSpecification(
                                        CfnScalingPolicy.CustomizedMetricSpecificationProperty.builder()
                                                .namespace("AWS/SageMaker")
                                                .metricName("ApproximateBacklogSizePerInstance")
                                                .statistic("Average")
                                                .dimensions(List.of(CfnScalingPolicy.MetricDimensionProperty.builder()
                                                        .name("EndpointName").value(asyncEndpointName).build()))
                                                .build())
                                .build())
                .build();
        CfnScalingPolicy fromZero = CfnScalingPolicy.Builder.create(this, "AsyncScaleFromZero")
                .policyName(cfg.prefix() + "-video-scale-from-zero")
                .policyType("StepScaling")
                .scalingTargetId(target.getRef())
                .stepScalingPolicyConfiguration(CfnScalingPolicy.StepScalingPolicyConfigurationProperty.builder()
                        .adjustmentType("ChangeInCapacity")
                        .metricAggregationType("Average")
                        .cooldown(300)
                        .stepAdjustments(List.of(CfnScalingPolicy.StepAdjustmentProperty.builder()
                                .metricIntervalLowerBound(0).scalingAdjustment(1).build()))
                        .build())
                .build();
        CfnAlarm.Builder.create(this, "HasBacklogWithoutCapacity")
                .alarmName(cfg.prefix() + "-video-backlog-without-capacity")
                .alarmDescription("Requests wait and the async endpoint has no instance: scale from zero")
                .namespace("AWS/SageMaker")
                .metricName("HasBacklogWithoutCapacity")
                .dimensions(List.of(CfnAlarm.DimensionProperty.builder()
                        .name("EndpointName").value(asyncEndpointName).build()))
                .statistic("Average")
                .period(60)
                .evaluationPeriods(2)
                .datapointsToAlarm(2)
                .threshold(1)
                .comparisonOperator("GreaterThanOrEqualToThreshold")
                .treatMissingData("missing")
                .alarmActions(List.of(fromZero.getRef()))
                .build();
    }

    private Repository repository(String id, String name) {
        return Repository.Builder.create(this, id)
                .repositoryName(name)
                .imageScanOnPush(true)
                .imageTagMutability(TagMutability.IMMUTABLE)
                .lifecycleRules(List.of(LifecycleRule.builder().maxImageCount(20)
                        .description("keep the 20 newest images").build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    private static PolicyStatement sageMakerLogs(String groupSuffix) {
        String group = "log-group:/aws/sagemaker/" + groupSuffix;
        return Policies.allow(List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                        "logs:DescribeLogStreams"),
                List.of(Policies.arn("logs", group), Policies.arn("logs", group + ":log-stream:*")));
    }

    private static List<String> modelArtifacts(Storage storage) {
        return MODEL_PREFIXES.stream().map(p -> storage.artifacts().arnForObjects(p)).toList();
    }

    private static List<PolicyStatement> common(String keyArn) {
        List<PolicyStatement> out = new ArrayList<>();
        out.add(Policies.sageMakerMetrics());
        out.add(Policies.kmsUse(keyArn));
        return out;
    }

    /** What every job role needs: metrics, the data key, its image, its log group and volume encryption. */
    private List<PolicyStatement> jobRoleBase(String keyArn, Repository repo, String logGroup) {
        List<PolicyStatement> out = common(keyArn);
        out.addAll(Policies.ecrPull(List.of(repo.getRepositoryArn())));
        out.add(sageMakerLogs(logGroup));
        // EBS volume encryption of jobs: SageMaker creates a grant for the volume it attaches.
        out.add(Policies.allow(List.of("kms:CreateGrant"), List.of(keyArn),
                Map.of("Bool", Map.of("kms:GrantIsForAWSResource", "true"))));
        return out;
    }

    /** ListBucket limited to the prefixes the role reads (SageMaker lists an S3Prefix input). */
    private static PolicyStatement list(String bucketArn, List<String> prefixes) {
        return Policies.allow(List.of("s3:ListBucket"), List.of(bucketArn),
                Map.of("StringLike", Map.of("s3:prefix", prefixes)));
    }

    private static PolicyStatement read(List<String> objectArns) {
        return Policies.allow(List.of("s3:GetObject"), objectArns);
    }

    private static PolicyStatement write(List<String> objectArns) {
        return Policies.allow(List.of("s3:PutObject", "s3:AbortMultipartUpload"), objectArns);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private Role sageMakerRole(String id, String description, List<PolicyStatement> statements) {
        return Role.Builder.create(this, id)
                .description(description)
                .assumedBy(new ServicePrincipal("sagemaker.amazonaws.com"))
                .maxSessionDuration(Duration.hours(12))
                .inlinePolicies(Map.of("access", PolicyDocument.Builder.create().statements(statements).build()))
                .build();
    }

    public String asyncEndpointName() {
        return asyncEndpointName;
    }

    public String framesEndpointName() {
        return framesEndpointName;
    }

    public String asyncEndpointArn() {
        return Policies.sageMakerArn("endpoint/" + asyncEndpointName);
    }

    public String framesEndpointArn() {
        return Policies.sageMakerArn("endpoint/" + framesEndpointName);
    }

    public Repository trainingRepo() {
        return trainingRepo;
    }

    public Repository servingRepo() {
        return servingRepo;
    }

    public Repository processingRepo() {
        return processingRepo;
    }

    /** Execution role of the endpoints' models: the stack's and those the retraining workflow creates. */
    public Role endpointRole() {
        return endpointRole;
    }

    /** Execution role of the video processing jobs the ingest function starts. */
    public Role processingRole() {
        return processingRole;
    }

    /** Execution role of the retraining workflow's evaluation processing jobs. */
    public Role evaluationRole() {
        return evaluationRole;
    }

    /** Execution role of the retraining workflow's training and tuning jobs. */
    public Role trainingRole() {
        return trainingRole;
    }

    /** The model artifact (model.tar.gz) of the stack's model; processing jobs mount the same one. */
    public String modelDataUrl() {
        return modelDataUrl;
    }

    /** null when the endpoints are not deployed (context deployEndpoints=false). */
    public CfnEndpointConfig asyncEndpointConfig() {
        return asyncEndpointConfig;
    }
}
