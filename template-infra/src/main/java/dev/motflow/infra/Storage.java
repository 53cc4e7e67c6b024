package dev.motflow.infra;

import java.util.List;
import dev.motflow.table.TableKeys;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

/**
 * The data at rest: one customer-managed KMS key, the four buckets and the single DynamoDB table
 * of docs/data-model.md.
 */
public final class Storage extends Construct {
    public static final String INCOMING_PREFIX = "incoming/";
    public static final String LABELLED_PREFIX = "labelled/";
    public static final String ASYNC_OUTPUT_PREFIX = "async-output/";
    public static final String ASYNC_FAILURE_PREFIX = "async-failure/";
    /** The jobs-by-status index; every table name comes from the shared layout (functions/table-schema). */
    public static final String GSI1 = TableKeys.GSI1;

    private final Key key;
    private final Bucket accessLogs;
    private final Bucket drop;
    private final Bucket results;
    private final Bucket artifacts;
    private final Table table;
    private final String dropBucketName;

    public Storage(Construct scope, String id, MotflowConfig cfg) {
        super(scope, id);
        key = Key.Builder.create(this, "DataKey")
                .description("motflow " + cfg.stage() + ": buckets, table, queues and topics")
                .enableKeyRotation(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        // Services that write into encrypted queues/topics on our behalf need the key. In a key policy
        // the resource "*" means "this key" (key policies admit no other value).
        for (String service : List.of("s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com",
                "cloudwatch.amazonaws.com")) {
            key.addToResourcePolicy(PolicyStatement.Builder.create()
                    .sid("Allow" + service.substring(0, service.indexOf('.')).toUpperCase() + "ToUseKey")
                    .principals(List.of(new ServicePrincipal(service)))
                    .actions(List.of("kms:GenerateDataKey", "kms:Decrypt"))
                    .resources(List.of("*"))
                    .conditions(java.util.Map.of("StringEquals", java.util.Map.of("aws:SourceAccount", Aws.ACCOUNT_ID)))
                    .build());
        }

        // S3 server access logs can only be delivered to an SSE-S3 bucket (not SSE-KMS).
        accessLogs = Bucket.Builder.create(this, "AccessLogs")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .lifecycleRules(List.of(LifecycleRule.builder().id("ExpireLogs")
                        .expiration(Duration.days(cfg.accessLogRetentionDays())).build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        // The drop bucket has a fixed name: its S3 -> SQS notifications are set on the bucket itself,
        // and the queue policies must name the bucket before the bucket exists (no custom resource).
        dropBucketName = Fn.join("-", List.of(cfg.prefix(), "drop", Aws.ACCOUNT_ID, Aws.REGION));
        drop = dataBucket("Drop", cfg, dropBucketName, List.of(
                LifecycleRule.builder().id("ExpireRawUploads").prefix(INCOMING_PREFIX)
                        .expiration(Duration.days(cfg.rawUploadRetentionDays())).build(),
                abortMultipart(cfg), noncurrent(cfg)));
        results = dataBucket("Results", cfg, null, List.of(
                LifecycleRule.builder().id("ExpireAsyncOutput").prefix(ASYNC_OUTPUT_PREFIX)
                        .expiration(Duration.days(cfg.asyncOutputRetentionDays())).build(),
                LifecycleRule.builder().id("ExpireAsyncFailures").prefix(ASYNC_FAILURE_PREFIX)
                        .expiration(Duration.days(cfg.asyncOutputRetentionDays())).build(),
                abortMultipart(cfg), noncurrent(cfg)));
        artifacts = dataBucket("Artifacts", cfg, null, List.of(
                LifecycleRule.builder().id("ExpireCheckpoints").prefix(Ml.CHECKPOINT_PREFIX)
                        .expiration(Duration.days(cfg.checkpointRetentionDays())).build(),
                abortMultipart(cfg), noncurrent(cfg)));

        table = Table.Builder.create(this, "Table")
                .partitionKey(Attribute.builder().name(TableKeys.PK).type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name(TableKeys.SK).type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .encryption(TableEncryption.CUSTOMER_MANAGED)
                .encryptionKey(key)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .timeToLiveAttribute(TableKeys.TTL)
                .deletionProtection(!cfg.stage().equals("dev"))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        table.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(GSI1)
                .partitionKey(Attribute.builder().name(TableKeys.GSI1_PK).type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name(TableKeys.GSI1_SK).type(AttributeType.STRING).build())
                .projectionType(ProjectionType.ALL)
                .build());
    }

    private Bucket dataBucket(String id, MotflowConfig cfg, String name, List<LifecycleRule> rules) {
        Bucket.Builder b = Bucket.Builder.create(this, id)
                .encryption(BucketEncryption.KMS)
                .encryptionKey(key)
                .bucketKeyEnabled(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .versioned(true)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .serverAccessLogsBucket(accessLogs)
                .serverAccessLogsPrefix(id.toLowerCase() + "/")
                .lifecycleRules(rules)
                .removalPolicy(RemovalPolicy.RETAIN);
        if (name != null) {
            b.bucketName(name);
        }
        return b.build();
    }

    private static LifecycleRule abortMultipart(MotflowConfig cfg) {
        return LifecycleRule.builder().id("AbortIncompleteMultipart")
                .abortIncompleteMultipartUploadAfter(Duration.days(cfg.abortMultipartUploadDays())).build();
    }

    private static LifecycleRule noncurrent(MotflowConfig cfg) {
        return LifecycleRule.builder().id("ExpireNoncurrentVersions")
                .noncurrentVersionExpiration(Duration.days(cfg.noncurrentVersionRetentionDays())).build();
    }

    public Key key() {
        return key;
    }

    public Bucket accessLogs() {
        return accessLogs;
    }

    public Bucket drop() {
        return drop;
    }

    /** The drop bucket's name as a token that does not depend on the bucket resource. */
    public String dropBucketName() {
        return dropBucketName;
    }

    /** The drop bucket's ARN built from its name, for policies the bucket itself depends on. */
    public String dropBucketArn() {
        return Fn.join("", List.of("arn:", Aws.PARTITION, ":s3:::", dropBucketName));
    }

    public Bucket results() {
        return results;
    }

    public Bucket artifacts() {
        return artifacts;
    }

    public Table table() {
        return table;
    }
}
