package dev.motflow.streams.handler;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import dev.motflow.common.Backoff;
import dev.motflow.common.http.Admins;
import dev.motflow.streams.api.StreamApi;
import dev.motflow.streams.model.DetectionsParser;
import dev.motflow.streams.model.Detector;
import dev.motflow.streams.model.ModelDetections;
import dev.motflow.streams.model.SageMakerDetector;
import dev.motflow.streams.service.StreamService;
import dev.motflow.streams.service.StreamsConfig;
import dev.motflow.streams.store.StateTrimmer;
import dev.motflow.streams.store.StreamRegistry;
import dev.motflow.streams.store.StreamStateStore;
import dev.motflow.tracking.Detections;
import dev.motflow.tracking.Policy;
import dev.motflow.tracking.Tracker;
import dev.motflow.tracking.TrackerStateCodec;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * The stream API wired to its clients. The Lambda builds one from the environment during init,
 * which SnapStart snapshots: clients, configuration and loaded classes survive a restore; nothing
 * here holds time, randomness or per-request state (incarnation ids and backoff jitter are drawn
 * per request). Tests wire it to local servers.
 */
public final class StreamsRuntime {
    /**
     * Retries of a lost conditional write of the tracker state: 10 attempts, 5 ms doubling to at most
     * 200 ms, about a second at worst, well inside the API's 30 s.
     */
    public static final Backoff CONFLICT_BACKOFF = Backoff.of(10, Duration.ofMillis(5), Duration.ofMillis(200));

    private final StreamService service;
    private final StreamApi api;

    private StreamsRuntime(StreamService service) {
        this.service = service;
        this.api = new StreamApi(service);
    }

    /** With no admin principals ({@link Admins#none()}: only the Cognito group makes admins). */
    public static StreamsRuntime create(StreamsConfig config, DynamoDbClient dynamo, Detector detector, Clock clock,
                                        Backoff backoff) {
        return create(config, dynamo, detector, clock, backoff, Admins.none());
    }

    /** {@code admins} see and reset every stream. */
    public static StreamsRuntime create(StreamsConfig config, DynamoDbClient dynamo, Detector detector, Clock clock,
                                        Backoff backoff, Admins admins) {
        return new StreamsRuntime(new StreamService(config, detector, new StreamStateStore(dynamo, config.tableName()),
                new StreamRegistry(dynamo, config.tableName()), clock, backoff, admins));
    }

    public static StreamsRuntime create(StreamsConfig config, DynamoDbClient dynamo, SageMakerRuntimeClient runtime,
                                        Clock clock, Backoff backoff) {
        return create(config, dynamo, runtime, clock, backoff, Admins.none());
    }

    public static StreamsRuntime create(StreamsConfig config, DynamoDbClient dynamo, SageMakerRuntimeClient runtime,
                                        Clock clock, Backoff backoff, Admins admins) {
        return create(config, dynamo, new SageMakerDetector(runtime, config.endpointName()), clock, backoff, admins);
    }

    /**
     * Clients for the Lambda environment (region and credentials from the runtime). The model call
     * gets one SDK retry (a throttled frame is worth a second try, a slow one is not: the client
     * sends the next frame anyway) and a per-attempt timeout.
     */
    public static StreamsRuntime fromEnvironment() {
        StreamsConfig config = StreamsConfig.fromEnvironment();
        StreamsRuntime runtime = create(config,
                DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build(),
                SageMakerRuntimeClient.builder().httpClient(UrlConnectionHttpClient.create())
                        .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(2))
                                .apiCallAttemptTimeout(Duration.ofSeconds(5)))
                        .build(),
                Clock.systemUTC(), CONFLICT_BACKOFF, Admins.fromEnvironment());
        warmUp();
        return runtime;
    }

    public StreamService service() {
        return service;
    }

    public StreamApi api() {
        return api;
    }

    /**
     * Runs the request path's pure-Java parts once on made-up data (answer parsing, both tracking
     * policies, state codec and trimming, response JSON) so that their classes are loaded and
     * initialised before the snapshot. No network, time or randomness is kept.
     */
    static void warmUp() {
        StringBuilder answer = new StringBuilder("{\"width\":640,\"height\":480,\"detections\":[");
        for (int i = 0; i < 3; i++) {
            answer.append(i == 0 ? "" : ",").append("{\"box\":[").append(100 * i + 10).append(",50,40,90],")
                    .append("\"tlbr\":[0,0,1,1],\"score\":0.9,\"embedding\":[");
            for (int k = 0; k < 8; k++) {
                answer.append(k == 0 ? "" : ",").append(k == i ? "1.0" : "0.01");
            }
            answer.append("]}");
        }
        answer.append("]}");
        ModelDetections found = DetectionsParser.parse(answer.toString().getBytes(StandardCharsets.UTF_8));
        for (Policy policy : Policy.values()) {
            int dim = policy == Policy.JDE ? found.dim() : 0;
            Tracker tracker = new Tracker(policy == Policy.JDE ? dev.motflow.tracking.TrackerConfig.jde(dim)
                    : dev.motflow.tracking.TrackerConfig.byteTrack());
            Detections d = found.toDetections(dim, 300);
            for (int f = 0; f < 3; f++) {
                // Two frames with the objects, then an empty one: the tracks are lost and one can be trimmed.
                tracker.update(f < 2 ? d : found.toDetections(dim, 0));
                byte[] state = TrackerStateCodec.encode(tracker);
                int limit = tracker.lostCount() > 0 ? state.length - 1 : state.length;
                tracker = TrackerStateCodec.decode(StateTrimmer.trim(state, limit).state());
            }
            StreamApi.error(new dev.motflow.streams.service.StreamException(409, "WarmUp", "warm-up"));
        }
    }

    /** The process-wide runtime of a Lambda, built on first use (the init phase). */
    static final class FromEnvironment {
        static final StreamsRuntime INSTANCE = fromEnvironment();

        private FromEnvironment() {
        }
    }
}
