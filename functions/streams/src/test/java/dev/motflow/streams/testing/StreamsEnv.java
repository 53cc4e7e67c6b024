package dev.motflow.streams.testing;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.motflow.common.JsonLog;
import dev.motflow.jobs.store.JobTableSchema;
import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.handler.StreamsRuntime;
import dev.motflow.common.Backoff;
import dev.motflow.streams.service.StreamsConfig;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.SageMakerStub;
import dev.motflow.testsupport.SageMakerStub.InvokeResponse;
import dev.motflow.testsupport.SageMakerStub.StubError;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * One table (the real schema of docs/data-model.md) on the shared dynalite and one real-time
 * endpoint on the SageMaker stub whose "model" answers each fake frame with the detections of its
 * {@link SyntheticScene} (registered per scene seed), for one test class.
 */
public final class StreamsEnv {
    public final LocalAws aws = LocalAws.shared();
    public final SageMakerStub sm = aws.sageMaker();
    public final String table = aws.uniqueName("streams");
    public final String endpoint = aws.uniqueName("rt");
    public final Map<Long, SyntheticScene> scenes = new ConcurrentHashMap<>();
    public final AtomicInteger modelCalls = new AtomicInteger();
    /** The model answers without embeddings (a detection-only model). */
    public volatile boolean withEmbeddings = true;
    private final SageMakerRuntimeClient runtimeNoRetry;

    public StreamsEnv() {
        // One INFO line per frame would flood the build log; tests that look at lines raise the level.
        if (System.getProperty("motflow.log.level") == null) {
            JsonLog.threshold(JsonLog.Level.WARN);
        }
        DynamoDbClient dynamo = aws.dynamo();
        dynamo.createTable(JobTableSchema.createTableRequest(table));
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
        sm.onInvoke(endpoint, this::answer);
        runtimeNoRetry = SageMakerRuntimeClient.builder().endpointOverride(sm.endpoint()).region(LocalAws.REGION)
                .credentialsProvider(LocalAws.CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1))).build();
    }

    public SyntheticScene scene(long seed, int objects) {
        return scene(seed, objects, 1.0);
    }

    public SyntheticScene scene(long seed, int objects, double speed) {
        return scenes.computeIfAbsent(seed, s -> new SyntheticScene(s, objects, 128, 0.15, speed));
    }

    private InvokeResponse answer(String contentType, byte[] body) throws StubError {
        modelCalls.incrementAndGet();
        if (!"image/jpeg".equals(contentType) && !"image/png".equals(contentType)) {
            throw StubError.modelError(415, "{\"error\":\"unsupported_media_type\",\"message\":\"unsupported content type "
                    + contentType + "\"}");
        }
        long[] id = SyntheticScene.decodeImage(body);
        SyntheticScene scene = id == null ? null : scenes.get(id[0]);
        if (scene == null) {
            // What the serving container answers (containers/README.md): {"error": code, "message": text}.
            throw StubError.modelError(400, "{\"error\":\"undecodable_image\",\"message\":\"body is not a decodable "
                    + contentType + " image\"}");
        }
        return InvokeResponse.json(SyntheticScene.answerJson(scene.detections(id[1]), withEmbeddings));
    }

    public StreamsConfig config() {
        return StreamsConfig.of(table, endpoint);
    }

    /** Same shape as production, shorter waits. */
    public static Backoff fastBackoff() {
        return new Backoff(10, Duration.ofMillis(2), Duration.ofMillis(50), Backoff.THREAD_SLEEP);
    }

    public StreamsRuntime runtime(StreamsConfig config, Clock clock) {
        return runtime(config, clock, aws.dynamo(), fastBackoff());
    }

    public StreamsRuntime runtime(StreamsConfig config, Clock clock, DynamoDbClient dynamo, Backoff backoff) {
        return StreamsRuntime.create(config, dynamo, runtimeNoRetry, clock, backoff);
    }

    public StreamApiHandler handler(StreamsConfig config, Clock clock) {
        return new StreamApiHandler(runtime(config, clock));
    }

    public SageMakerRuntimeClient runtimeClient() {
        return runtimeNoRetry;
    }
}
