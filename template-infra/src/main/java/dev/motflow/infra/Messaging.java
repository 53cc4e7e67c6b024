package dev.motflow.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.s3.CfnBucket;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.SqsSubscription;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * Queues and topics: S3 -> SQS for new videos and labelled data, the asynchronous endpoint's SNS
 * success/error topics -> SQS, the alert topic and the retraining notification topic. Every work
 * queue has its own dead-letter queue.
 */
public final class Messaging extends Construct {
    /** A work queue and its dead-letter queue. */
    public record QueueWithDlq(Queue queue, Queue dlq) {
    }

    private final List<Queue> deadLetterQueues = new ArrayList<>();
    private final QueueWithDlq ingest;
    private final QueueWithDlq labelled;
    private final QueueWithDlq completion;
    private final Topic asyncSuccess;
    private final Topic asyncError;
    private final Topic alerts;
    private final Topic notifications;
    private final Storage storage;

    /**
     * @param ingestVisibility  visibility timeout of the ingest queue (6x the ingest Lambda's timeout)
     * @param completionVisibility same for the completion queue
     * @param labelledVisibility   same for the labelled-data queue (retraining trigger)
     */
    public Messaging(Construct scope, String id, MotflowConfig cfg, Storage storage,
                     Duration ingestVisibility, Duration completionVisibility, Duration labelledVisibility) {
        super(scope, id);
        this.storage = storage;
        ingest = queueWithDlq("Ingest", cfg, ingestVisibility);
        labelled = queueWithDlq("Labelled", cfg, labelledVisibility);
        completion = queueWithDlq("Completion", cfg, completionVisibility);

        asyncSuccess = topic("AsyncSuccess");
        asyncError = topic("AsyncError");
        alerts = topic("Alerts");
        notifications = topic("Notifications");
        // Raw delivery off: the completion handler reads the SNS envelope (docs/handlers.md).
        for (Topic t : List.of(asyncSuccess, asyncError)) {
            t.addSubscription(SqsSubscription.Builder.create(completion.queue()).rawMessageDelivery(false).build());
        }

        allowS3(ingest.queue());
        allowS3(labelled.queue());
        CfnBucket drop = (CfnBucket) storage.drop().getNode().getDefaultChild();
        drop.setNotificationConfiguration(CfnBucket.NotificationConfigurationProperty.builder()
                .queueConfigurations(List.of(
                        s3ToQueue(Storage.INCOMING_PREFIX, ingest.queue()),
                        s3ToQueue(Storage.LABELLED_PREFIX, labelled.queue())))
                .build());
        // S3 checks that it may send to the queues when the notification is set.
        // (addToResourcePolicy created each queue's QueuePolicy as its child "Policy".)
        storage.drop().getNode().addDependency(ingest.queue().getNode().findChild("Policy"),
                labelled.queue().getNode().findChild("Policy"));
    }

    /** A queue (KMS, TLS only) whose failed messages move to a DLQ after maxReceiveCount receives. */
    private QueueWithDlq queueWithDlq(String id, MotflowConfig cfg, Duration visibility) {
        Queue dlq = deadLetterQueue(id + "Dlq");
        Queue queue = Queue.Builder.create(this, id + "Queue")
                .encryption(QueueEncryption.KMS)
                .encryptionMasterKey(storage.key())
                .dataKeyReuse(Duration.hours(1))
                .enforceSsl(true)
                .visibilityTimeout(visibility)
                .retentionPeriod(Duration.days(4))
                .deadLetterQueue(DeadLetterQueue.builder().queue(dlq).maxReceiveCount(cfg.maxReceiveCount()).build())
                .build();
        return new QueueWithDlq(queue, dlq);
    }

    /** A dead-letter queue: 14 days to look at what failed. */
    public Queue deadLetterQueue(String id) {
        Queue dlq = Queue.Builder.create(this, id)
                .encryption(QueueEncryption.KMS)
                .encryptionMasterKey(storage.key())
                .dataKeyReuse(Duration.hours(1))
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
        deadLetterQueues.add(dlq);
        return dlq;
    }

    private Topic topic(String id) {
        return Topic.Builder.create(this, id).masterKey(storage.key()).enforceSsl(true).build();
    }

    private void allowS3(Queue queue) {
        queue.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("AllowDropBucketNotifications")
                .principals(List.of(new ServicePrincipal("s3.amazonaws.com")))
                .actions(List.of("sqs:SendMessage"))
                .resources(List.of(queue.getQueueArn()))
                .conditions(Map.of(
                        "ArnEquals", Map.of("aws:SourceArn", storage.dropBucketArn()),
                        "StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID)))
                .build());
    }

    private static CfnBucket.QueueConfigurationProperty s3ToQueue(String prefix, Queue queue) {
        return CfnBucket.QueueConfigurationProperty.builder()
                .event("s3:ObjectCreated:*")
                .queue(queue.getQueueArn())
                .filter(CfnBucket.NotificationFilterProperty.builder()
                        .s3Key(CfnBucket.S3KeyFilterProperty.builder()
                                .rules(List.of(CfnBucket.FilterRuleProperty.builder()
                                        .name("prefix").value(prefix).build()))
                                .build())
                        .build())
                .build();
    }

    public List<Queue> deadLetterQueues() {
        return List.copyOf(deadLetterQueues);
    }

    public QueueWithDlq ingest() {
        return ingest;
    }

    /** labelled/ object events; consumed by the retraining trigger Lambda. */
    public QueueWithDlq labelled() {
        return labelled;
    }

    public QueueWithDlq completion() {
        return completion;
    }

    public Topic asyncSuccess() {
        return asyncSuccess;
    }

    public Topic asyncError() {
        return asyncError;
    }

    public Topic alerts() {
        return alerts;
    }

    /** Outcome of every retraining run (promoted, rejected, failed). */
    public Topic notifications() {
        return notifications;
    }
}
