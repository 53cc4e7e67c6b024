package dev.motflow.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.common.Backoff;
import dev.motflow.streams.service.StreamException;
import dev.motflow.streams.service.StreamService;
import dev.motflow.streams.service.StreamService.FrameRequest;
import dev.motflow.streams.service.StreamService.FrameResult;
import dev.motflow.streams.testing.Identities;
import dev.motflow.streams.testing.InterleavingDynamo;
import dev.motflow.streams.testing.Requests;
import dev.motflow.streams.testing.StreamsEnv;
import dev.motflow.streams.testing.SyntheticScene;

/**
 * No lost updates: deterministic interleavings of a read and a write (retry, stale after retry,
 * reset in between, bounded contention), then 8 concurrent clients on one stream and 50 streams at once.
 */
class ConcurrencyTest {
    static StreamsEnv env;
    static StreamApiHandler handler;

    @BeforeAll
    static void setUp() {
        env = new StreamsEnv();
        handler = env.handler(env.config(), Clock.systemUTC());
    }

    private static StreamService service(InterleavingDynamo dynamo, Backoff backoff) {
        return env.runtime(env.config(), Clock.systemUTC(), dynamo, backoff).service();
    }

    private static FrameRequest frame(SyntheticScene scene, String stream, long f) {
        return new FrameRequest(stream, f, scene.jpeg(f), null);
    }

    @Test
    void aWriteThatLosesToANewerFrameIsRetriedOnTheFreshState() {
        SyntheticScene scene = env.scene(201, 3);
        StreamService other = env.runtime(env.config(), Clock.systemUTC()).service();
        InterleavingDynamo dynamo = new InterleavingDynamo(env.aws.dynamo());
        StreamService svc = service(dynamo, StreamsEnv.fastBackoff());
        other.processFrame(Requests.CALLER, frame(scene, "s-retry", 1));
        AtomicBoolean once = new AtomicBoolean();
        dynamo.afterRead(() -> {
            if (once.compareAndSet(false, true)) {
                other.processFrame(Requests.CALLER, frame(scene, "s-retry", 2)); // lands between our read and our write
            }
        });
        int calls = env.modelCalls.get();
        FrameResult r = svc.processFrame(Requests.CALLER, frame(scene, "s-retry", 3));
        assertEquals(2, r.attempts());
        assertEquals(3, r.version(), "frames 1, 2 and 3 each wrote once");
        assertEquals(3, r.step(), "frame 2's step was kept: the retry continued from it");
        assertEquals(2, env.modelCalls.get() - calls, "our model call was made once (the other is frame 2's)");
        assertEquals(2, dynamo.puts(), "one lost write, one that landed");
        assertEquals(List.of(1, 2, 3), r.tracks().stream().map(StreamService.TrackBox::id).toList());
    }

    @Test
    void aWriteThatLosesToANewerFrameBecomesStale() {
        SyntheticScene scene = env.scene(202, 2);
        StreamService other = env.runtime(env.config(), Clock.systemUTC()).service();
        InterleavingDynamo dynamo = new InterleavingDynamo(env.aws.dynamo());
        StreamService svc = service(dynamo, StreamsEnv.fastBackoff());
        other.processFrame(Requests.CALLER, frame(scene, "s-stale", 1));
        AtomicBoolean once = new AtomicBoolean();
        dynamo.afterRead(() -> {
            if (once.compareAndSet(false, true)) {
                other.processFrame(Requests.CALLER, frame(scene, "s-stale", 3));
            }
        });
        StreamException e = assertThrows(StreamException.class, () -> svc.processFrame(Requests.CALLER, frame(scene, "s-stale", 2)));
        assertEquals(409, e.status());
        assertEquals("StaleFrame", e.code());
        assertEquals(3L, e.details().get("lastFrame"));
        FrameResult next = other.processFrame(Requests.CALLER, frame(scene, "s-stale", 4));
        assertEquals(3, next.version());
        assertEquals(3, next.step());
    }

    @Test
    void aResetBetweenReadAndWriteIsNeverOverwrittenByTheOldStream() {
        SyntheticScene scene = env.scene(203, 2);
        StreamService other = env.runtime(env.config(), Clock.systemUTC()).service();
        InterleavingDynamo dynamo = new InterleavingDynamo(env.aws.dynamo());
        StreamService svc = service(dynamo, StreamsEnv.fastBackoff());
        other.processFrame(Requests.CALLER, frame(scene, "s-aba", 1)); // version 1, incarnation A
        AtomicBoolean once = new AtomicBoolean();
        dynamo.afterRead(() -> {
            if (once.compareAndSet(false, true)) {
                other.reset(Requests.CALLER, "s-aba");
                other.processFrame(Requests.CALLER, frame(scene, "s-aba", 50)); // version 1 again, incarnation B
            }
        });
        // Our write expects version 1 of incarnation A: it must fail, and the retry sees frame 50.
        StreamException e = assertThrows(StreamException.class, () -> svc.processFrame(Requests.CALLER, frame(scene, "s-aba", 2)));
        assertEquals("StaleFrame", e.code());
        assertEquals(50L, e.details().get("lastFrame"));
    }

    @Test
    void contentionIsBoundedAndEndsIn503WithRetryAfter() {
        SyntheticScene scene = env.scene(204, 2);
        StreamService other = env.runtime(env.config(), Clock.systemUTC()).service();
        InterleavingDynamo dynamo = new InterleavingDynamo(env.aws.dynamo());
        List<Duration> pauses = new CopyOnWriteArrayList<>();
        Backoff backoff = new Backoff(4, Duration.ofMillis(10), Duration.ofMillis(25), pauses::add);
        StreamService svc = service(dynamo, backoff);
        other.processFrame(Requests.CALLER, frame(scene, "s-busy", 1));
        // Every read is followed by another writer's frame below ours, so each of our writes loses.
        AtomicLong otherFrame = new AtomicLong(1);
        dynamo.afterRead(() -> {
            long f = otherFrame.incrementAndGet();
            other.processFrame(Requests.CALLER, new FrameRequest("s-busy", f, scene.jpeg(f), null));
        });
        StreamException e = assertThrows(StreamException.class, () -> svc.processFrame(Requests.CALLER, frame(scene, "s-busy", 1000)));
        assertEquals(503, e.status());
        assertEquals("StreamContention", e.code());
        assertEquals(1, e.retryAfterSeconds());
        assertEquals(4, dynamo.puts(), "four attempts, each one conditional write");
        assertEquals(3, pauses.size(), "a pause between attempts, none after the last");
        for (int i = 0; i < pauses.size(); i++) {
            long ceiling = Math.min(25, 10L << i);
            assertTrue(pauses.get(i).toMillis() <= ceiling, "pause " + i + " " + pauses.get(i) + " over " + ceiling + " ms");
        }
    }

    /**
     * Eight clients share one stream; a shared counter hands out frame indices 1..N in order, each
     * index is sent exactly once, and the eight requests in flight race. Semantics asserted:
     * every request ends in 200 (accepted) or 409 StaleFrame (a higher frame was committed first;
     * the client counts it and takes the next index); accepted + stale = all N indices; the
     * accepted frames got versions 1..A in increasing frame order (each accepted frame wrote
     * exactly once, none was overwritten); the final state's last frame is the highest accepted
     * frame and the tracker made exactly A steps (an update lost by a blind overwrite would show
     * as fewer steps); every accepted frame returned all objects with stable ids.
     */
    @Test
    void eightConcurrentClientsOnOneStreamLoseNoUpdate() throws Exception {
        // Slow objects: with eight racing clients the accepted frames have irregular gaps, which a
        // constant-velocity motion model only bridges when objects move little between steps.
        SyntheticScene scene = env.scene(205, 5, 0.15);
        String stream = "s-eight";
        int n = 160;
        AtomicInteger next = new AtomicInteger(1);
        ConcurrentSkipListMap<Long, JsonNode> accepted = new ConcurrentSkipListMap<>();
        Set<Long> stale = ConcurrentHashMap.newKeySet();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            clients.add(pool.submit(() -> {
                start.await();
                for (int f = next.getAndIncrement(); f <= n; f = next.getAndIncrement()) {
                    APIGatewayV2HTTPResponse r = handler.handleRequest(Requests.frame(stream, f, scene.jpeg(f)), null);
                    JsonNode body = Requests.json(r);
                    if (r.getStatusCode() == 200) {
                        accepted.put((long) f, body);
                    } else if (r.getStatusCode() == 409 && "StaleFrame".equals(body.get("error").asText())
                            && body.get("lastFrame").asLong() >= f) {
                        stale.add((long) f);
                    } else {
                        unexpected.add(f + ": " + r.getStatusCode() + " " + r.getBody());
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> c : clients) {
            c.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(List.of(), unexpected);
        Set<Long> all = new TreeSet<>(accepted.keySet());
        all.addAll(stale);
        assertEquals(n, all.size(), "every index answered");
        assertEquals(n, accepted.size() + stale.size(), "no index both accepted and stale");
        long version = 0;
        for (Map.Entry<Long, JsonNode> e : accepted.entrySet()) {
            version++;
            assertEquals(version, e.getValue().get("version").asLong(), "frame " + e.getKey() + " in commit order");
            assertEquals(version, e.getValue().get("step").asLong());
        }
        JsonNode state = Requests.json(handler.handleRequest(Requests.get(stream), null));
        assertEquals(accepted.lastKey(), state.get("lastFrame").asLong());
        assertEquals(accepted.size(), state.get("version").asLong());
        assertEquals(accepted.size(), state.get("steps").asInt(), "one tracker step per accepted frame");
        Identities ids = new Identities(scene);
        accepted.values().forEach(ids::check);
        // The highest frame in flight always wins its race, so roughly one in eight at the very least.
        assertTrue(accepted.size() >= n / 8, "frames get through: " + accepted.size());
        System.out.printf("8 clients x 1 stream: %d frames, %d accepted, %d stale (409), final version %d%n", n,
                accepted.size(), stale.size(), state.get("version").asLong());
    }

    /** Fifty streams at once (16 threads, streams interleaved): each has its own state, ids and counter. */
    @Test
    void fiftyStreamsAtOnceStayIndependent() throws Exception {
        int streams = 50;
        int frames = 10;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<List<JsonNode>>> results = new ArrayList<>();
        // Each task sends one frame of one stream; a stream's next frame is queued when its previous one returned.
        Map<Integer, List<JsonNode>> bodies = new TreeMap<>();
        for (int s = 0; s < streams; s++) {
            SyntheticScene scene = env.scene(3000 + s, 2 + s % 4);
            String stream = "fifty-" + s;
            results.add(pool.submit(() -> {
                List<JsonNode> out = new ArrayList<>();
                for (long f = 1; f <= frames; f++) {
                    APIGatewayV2HTTPResponse r = handler.handleRequest(Requests.frame(stream, f, scene.jpeg(f)), null);
                    assertEquals(200, r.getStatusCode(), r.getBody());
                    out.add(Requests.json(r));
                    Thread.yield();
                }
                return out;
            }));
        }
        for (int s = 0; s < streams; s++) {
            bodies.put(s, results.get(s).get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();
        for (int s = 0; s < streams; s++) {
            SyntheticScene scene = env.scene(3000 + s, 2 + s % 4);
            Identities ids = new Identities(scene);
            for (int k = 0; k < frames; k++) {
                JsonNode b = bodies.get(s).get(k);
                assertEquals("fifty-" + s, b.get("streamId").asText());
                assertEquals(k + 1, b.get("version").asLong());
                ids.check(b);
            }
            assertEquals(new TreeSet<>(ids.idOfObject().values()), rangeSet(scene.objects()),
                    "stream " + s + " numbers its own tracks from 1");
            JsonNode state = Requests.json(handler.handleRequest(Requests.get("fifty-" + s), null));
            assertEquals(frames, state.get("lastFrame").asLong());
            assertEquals(frames, state.get("steps").asInt());
            assertEquals(scene.objects(), state.get("trackedTracks").asInt());
        }
        assertFalse(bodies.isEmpty());
    }

    private static Set<Integer> rangeSet(int n) {
        Set<Integer> s = new TreeSet<>();
        for (int i = 1; i <= n; i++) {
            s.add(i);
        }
        return s;
    }

}
