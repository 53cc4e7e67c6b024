package dev.motflow.infra;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.iam.PolicyStatement;

/** Small builders for the explicit IAM statements of the stack (explicit actions, never wildcards). */
final class Policies {
    private Policies() {
    }

    static PolicyStatement allow(List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().actions(actions).resources(resources).build();
    }

    static PolicyStatement allow(List<String> actions, List<String> resources, Map<String, Object> conditions) {
        return PolicyStatement.Builder.create().actions(actions).resources(resources).conditions(conditions).build();
    }

    /** arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE in this stack's account and region. */
    static String arn(String service, String resource) {
        return Fn.join("", List.of("arn:", Aws.PARTITION, ":", service, ":", Aws.REGION, ":", Aws.ACCOUNT_ID, ":",
                resource));
    }

    static String sageMakerArn(String resource) {
        return arn("sagemaker", resource);
    }

    static PolicyStatement kmsUse(String keyArn) {
        return allow(List.of("kms:Decrypt", "kms:GenerateDataKey"), List.of(keyArn));
    }

    /**
     * The key for a function that reads/writes the KMS-encrypted table and buckets: DynamoDB and S3
     * call KMS on the caller's behalf (Encrypt/DescribeKey for table writes, data keys for objects).
     */
    static PolicyStatement kmsTableAndObjects(String keyArn) {
        return allow(List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"), List.of(keyArn));
    }

    /** Pulling images: GetAuthorizationToken has no resource-level permissions, so it takes "*". */
    static List<PolicyStatement> ecrPull(List<String> repositoryArns) {
        return List.of(
                allow(List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchCheckLayerAvailability"), repositoryArns),
                allow(List.of("ecr:GetAuthorizationToken"), List.of("*")));
    }

    /** SageMaker containers' own metrics; PutMetricData has no resource ARNs, so it is scoped by namespace. */
    static PolicyStatement sageMakerMetrics() {
        return allow(List.of("cloudwatch:PutMetricData"), List.of("*"),
                Map.of("StringLike", Map.of("cloudwatch:namespace", List.of("/aws/sagemaker/*", "motflow/*"))));
    }
}
