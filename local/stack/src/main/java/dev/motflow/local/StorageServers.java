package dev.motflow.local;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.store.JobTableSchema;
import dev.motflow.testsupport.LocalAws;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * DynamoDB and S3 on this machine: dynalite and s3rver as node children persisted in the data
 * folder ({@code dynamodb/}, {@code s3/}), the buckets created, s3rver's ObjectCreated events posted
 * to {@code eventWebhook}, the table of docs/data-model.md created once, and SDK clients for them.
 * Both are supervised ({@link ChildProcess#supervise}): a server that dies comes back on its port.
 */
final class StorageServers {
    private final ChildProcess dynalite;
    private final ChildProcess s3rver;
    private final DynamoDbClient dynamo;
    private final S3Client s3;

    /**
     * Starts both servers, each registered with {@code lifecycle} as soon as it runs and restarted on
     * its port if it dies while the stack runs (restarts reported to {@code log}).
     */
    StorageServers(Path repoRoot, Path data, URI eventWebhook, String table, List<String> buckets, StackLifecycle lifecycle,
                   Consumer<String> log) {
        Path logs = data.resolve("logs");
        this.dynalite = lifecycle.add(ChildProcess.startNode("dynalite", repoRoot, "dynalite-server.mjs",
                List.of("--path", data.resolve("dynamodb").toString(), "--port", "0"), logs, Duration.ofSeconds(60))).supervise(log);
        this.s3rver = lifecycle.add(ChildProcess.startNode("s3rver", repoRoot, "s3rver-with-events.mjs",
                List.of("--directory", data.resolve("s3").toString(), "--port", "0", "--webhook", eventWebhook.toString(),
                        "--buckets", String.join(",", buckets), "--journal", data.resolve("s3-events").toString()),
                logs, Duration.ofSeconds(60))).supervise(log);
        // The job Lambdas' retry strategy (JobsRuntime.storageRetries), as in AWS: a restart of either
        // server is ridden over by these retries, the in-job retries and the queues' redelivery.
        this.dynamo = LocalAws.dynamoClient(dynalite.endpoint(), c -> c.retryStrategy(JobsRuntime.storageRetries()));
        this.s3 = LocalAws.s3Client(s3rver.endpoint(), c -> c.retryStrategy(JobsRuntime.storageRetries()));
        try {
            dynamo.createTable(JobTableSchema.createTableRequest(table));
        } catch (ResourceInUseException exists) {
            // persisted from an earlier run
        }
    }

    /** Tests: a server that dies from now on stays dead (an outage that lasts). */
    void unsupervise() {
        dynalite.unsupervise();
        s3rver.unsupervise();
    }

    DynamoDbClient dynamo() {
        return dynamo;
    }

    S3Client s3() {
        return s3;
    }

    S3Presigner presigner() {
        return LocalAws.s3Presigner(s3rver.endpoint());
    }

    URI s3Endpoint() {
        return s3rver.endpoint();
    }

    URI dynamoEndpoint() {
        return dynalite.endpoint();
    }
}
