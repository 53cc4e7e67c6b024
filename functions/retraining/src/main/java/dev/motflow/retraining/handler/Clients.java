package dev.motflow.retraining.handler;

import java.time.Clock;
import java.time.Duration;

import dev.motflow.retraining.Env;
import dev.motflow.retraining.store.RunCoordinator;
import dev.motflow.retraining.trigger.LabelledDataTrigger;
import dev.motflow.retraining.trigger.SfnExecutionStarter;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/** Production wiring from the environment; built once per Lambda container. */
final class Clients {
    /** Longer than the state machine's TimeoutSeconds (10 days) so a live run never loses its lock. */
    static final long DEFAULT_LEASE_SECONDS = 11L * 24 * 3600;

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
        return new RunCoordinator(dynamo, env.required("TABLE_NAME"),
                new SfnExecutionStarter(sfn, env.required("STATE_MACHINE_ARN")), Clock.systemUTC(),
                Duration.ofSeconds(env.integer("RUN_LOCK_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)));
    }

    static LabelledDataTrigger trigger(Env env) {
        DynamoDbClient dynamo = dynamo();
        return new LabelledDataTrigger(s3(), coordinator(env, dynamo), Clock.systemUTC());
    }
}
