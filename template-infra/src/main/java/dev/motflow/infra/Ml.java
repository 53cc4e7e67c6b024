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
    private final Role endpointRole;
    private final Role jobRole;
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
        List<PolicyStatement> common = new ArrayList<>();
        common.add(Policies.sageMakerMetrics());
        common.add(Policies.kmsUse(keyArn));

        // The endpoints' containers: read the model and the async inputs, write async outputs, notify.
        List<PolicyStatement> endpoint = new ArrayList<>(common);
        endpoint.addAll(Policies.ecrPull(List.of(servingRepo.getRepositoryArn())));
        endpoint.add(sageMakerLogs("Endpoints/" + cfg.prefix() + "-*"));
        endpoint.add(Policies.allow(List.of("s3:GetObject"), List.of(
                storage.artifacts().arnForObjects("models/*"),
                storage.drop().arnForObjects(Storage.INCOMING_PREFIX + "*"))));
        endpoint.add(Policies.allow(List.of("s3:PutObject"), List.of(
                storage.results().arnForObjects(Storage.ASYNC_OUTPUT_PREFIX + "*"),
                storage.results().arnForObjects(Storage.ASYNC_FAILURE_PREFIX + "*"))));
        endpoint.add(Policies.allow(List.of("sns:Publish"), List.of(
                messaging.asyncSuccess().getTopicArn(), messaging.asyncError().getTopicArn())));
        endpointRole = sageMakerRole("EndpointRole", "motflow endpoints: model, async inputs/outputs", endpoint);

        // Processing jobs (big videos, evaluation) and training jobs; also the execution role of the
        // models the retraining workflow creates.
        List<PolicyStatement> jobs = new ArrayList<>(common);
        jobs.addAll(Policies.ecrPull(List.of(trainingRepo.getRepositoryArn(), servingRepo.getRepositoryArn(),
                processingRepo.getRepositoryArn())));
        jobs.add(sageMakerLogs("*"));
        jobs.add(Policies.allow(List.of("s3:ListBucket"), List.of(
                storage.drop().getBucketArn(), storage.artifacts().getBucketArn(), storage.results().getBucketArn())));
        jobs.add(Policies.allow(List.of("s3:GetObject"), List.of(
                storage.drop().arnForObjects(Storage.INCOMING_PREFIX + "*"),
                storage.drop().arnForObjects(Storage.LABELLED_PREFIX + "*"),
                storage.artifacts().arnForObjects("*"),
                storage.results().arnForObjects("*"))));
        jobs.add(Policies.allow(List.of("s3:PutObject"), List.of(
                storage.artifacts().arnForObjects("*"), storage.results().arnForObjects("*"))));
        // Retraining deploys its models to the async endpoint too, which notifies with the model's role.
        jobs.add(Policies.allow(List.of("sns:Publish"), List.of(
                messaging.asyncSuccess().getTopicArn(), messaging.asyncError().getTopicArn())));
        // EBS volume encryption of jobs: SageMaker creates a grant for the volume it attaches.
        jobs.add(Policies.allow(List.of("kms:CreateGrant"), List.of(keyArn),
                Map.of("Bool", Map.of("kms:GrantIsForAWSResource", "true"))));
        jobRole = sageMakerRole("JobRole", "motflow processing and training jobs", jobs);

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

    /** Execution role of the endpoints' model. */
    public Role endpointRole() {
        return endpointRole;
    }

    /** Execution role of processing, training and evaluation jobs (and of models made by retraining). */
    public Role jobRole() {
        return jobRole;
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
