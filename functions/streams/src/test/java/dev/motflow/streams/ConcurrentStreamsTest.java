package dev.motflow.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.testing.Requests;
import dev.motflow.streams.testing.StreamsEnv;
import dev.motflow.streams.testing.SyntheticScene;

/**
 * Several clients at once, each sending its own streams' frames in order through one handler: every
 * frame is accepted and every stream ends at exactly the version and frame it was sent (no update
 * lost or crossed between streams). Speed is measured by benchmarks/StreamHandlerBenchmark, not here.
 */
class ConcurrentStreamsTest {
    static final int CLIENTS = 4;
    static final int STREAMS = 8;
    static final int FRAMES = 12;

    static StreamsEnv env;
    static StreamApiHandler handler;

    @BeforeAll
    static void setUp() {
        env = new StreamsEnv();
        handler = env.handler(env.config(), Clock.systemUTC());
    }

    @Test
    void concurrentClientsKeepEveryStreamsFramesAndVersions() throws Exception {
        SyntheticScene[] scenes = new SyntheticScene[STREAMS];
        for (int s = 0; s < STREAMS; s++) {
            scenes[s] = env.scene(9100 + s, 10);
        }
        List<String> failures = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(pool.submit(() -> {
                // Each client owns the streams s with s % CLIENTS == client and alternates between them.
                for (int f = 1; f <= FRAMES; f++) {
                    for (int s = client; s < STREAMS; s += CLIENTS) {
                        APIGatewayV2HTTPResponse r = handler.handleRequest(
                                Requests.frame("many-" + s, f, scenes[s].jpeg(f)), null);
                        if (r.getStatusCode() != 200) {
                            failures.add("many-" + s + " frame " + f + ": " + r.getStatusCode() + " " + r.getBody());
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : clients) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(List.of(), failures);
        for (int s = 0; s < STREAMS; s++) {
            JsonNode status = Requests.json(handler.handleRequest(Requests.get("many-" + s), null));
            assertEquals(FRAMES, status.path("version").asLong(), status.toString());
            assertEquals(FRAMES, status.path("lastFrame").asLong(), status.toString());
            assertEquals(FRAMES, status.path("steps").asLong(), status.toString());
        }
    }
}
