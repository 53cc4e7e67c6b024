package dev.motflow.retraining.trigger;

import dev.motflow.common.JsonLog;
import dev.motflow.retraining.Json;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Publishes a replaced request to the topic that gets every run's outcome, in the same shape
 * ({@code outcome}, {@code dataset}, {@code executionName}, {@code reason}). A failed publish is
 * logged, not thrown: the replacement is already recorded, and a redelivered request would only
 * find itself queued and tell nobody.
 */
public final class SnsReplacedRequests implements ReplacedRequests {
    private final SnsClient sns;
    private final String topicArn;

    public SnsReplacedRequests(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void replaced(String dataset, String replacedExecution, String replacedBy) {
        String message = Json.write(Json.object().put("outcome", "REPLACED").put("dataset", dataset)
                .put("executionName", replacedExecution).put("replacedBy", replacedBy)
                .put("reason", "queued request replaced by " + replacedBy + " (a newer request for dataset " + dataset
                        + "); it will not run"));
        try {
            sns.publish(b -> b.topicArn(topicArn).subject("motflow retraining: queued request replaced").message(message));
        } catch (SdkException e) {
            JsonLog.named("coordinator").with("executionName", replacedExecution)
                    .log(JsonLog.Level.ERROR, "replaced-notification-failed", e, "topic", topicArn);
        }
    }
}
