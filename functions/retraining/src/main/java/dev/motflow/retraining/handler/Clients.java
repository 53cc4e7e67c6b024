package dev.motflow.retraining.handler;

import java.time.Clock;
import java.time.Duration;

import dev.motflow.retraining.Env;
import dev.motflow.retraining.store.RunCoordinator;
import dev.motflow.retraining.trigger.LabelledDataTrigger;
import dev.motflow.retraining.trigger.SfnExecutionStarter;
import dev.motflow.retraining.trigger.SfnExecutionStatus;
import dev.motflow.retraining.trigger.SnsReplacedRequests;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;

/** Production wiring from the environment; built once per Lambda container. */
final class Clients {
    /**
     * Renewed by every step that records the run; a RUNNING execution keeps its lock past it anyway
     * (the coordinator asks Step Functions), so it only decides when the service cannot say.
     */
    static final long DEFAULT_LEASE_SECONDS = 2L * 3600;
    static final String LEASE_VARIABLE = "RUN_LOCK_LEASE_SECONDS";

    private Clients() {
    }

    static DynamoDbClient dynamo() {
        return DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    }

    static S3Client s3() {
        return S3Client.builder().httpClient(UrlConnectionHttpClient.create()).build();
    }

    static RunCoordinator coordinator(Env env, DynamoDbClient dynamo) {
        SfnClient sfn = SfnClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        String stateMachine = env.required("STATE_MACHINE_ARN");
        RunCoordinator coordinator = new RunCoordinator(dynamo, env.required("TABLE_NAME"),
                new SfnExecutionStarter(sfn, stateMachine), new SfnExecutionStatus(sfn, stateMachine), Clock.systemUTC(),
                Duration.ofSeconds(env.integer(LEASE_VARIABLE, DEFAULT_LEASE_SECONDS)));
        String topic = env.optional("NOTIFY_TOPIC_ARN", null);
        if (topic != null && !topic.isBlank()) {
            coordinator.notifyingReplaced(new SnsReplacedRequests(
                    SnsClient.builder().httpClient(UrlConnectionHttpClient.create()).build(), topic));
        }
        return coordinator;
    }

    static LabelledDataTrigger trigger(Env env) {
        DynamoDbClient dynamo = dynamo();
        return new LabelledDataTrigger(s3(), coordinator(env, dynamo), Clock.systemUTC());
    }
}
