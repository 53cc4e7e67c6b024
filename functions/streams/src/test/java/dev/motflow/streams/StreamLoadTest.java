package dev.motflow.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.motflow.common.JsonLog;
import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.testing.Requests;
import dev.motflow.streams.testing.StreamsEnv;
import dev.motflow.streams.testing.SyntheticScene;

/**
 * Loopback load on the Lambda handler: 1 then 4 clients, 8 streams of 10 objects (128-d embeddings),
 * frames sent in order per stream, against dynalite and the SageMaker stub. Bounded by a request
 * count and a deadline, whichever comes first. Prints the latency of the handler path EXCLUDING
 * the model call, as the service measures it (Server-Timing {@code track}: detections in hand ->
 * response ready, i.e. consistent GetItem, state decode, association, encode, conditional PutItem,
 * response JSON), next to the model call and the whole handler call. No timing assertions: the
 * figures depend on the machine and on dynalite, which is much slower than DynamoDB.
 */
class StreamLoadTest {
    static final int CLIENTS = 4;
    static final int STREAMS = 8;
    static final int OBJECTS = 10;
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    static StreamsEnv env;
    static StreamApiHandler handler;

    @BeforeAll
    static void setUp() {
        env = new StreamsEnv();
        handler = env.handler(env.config(), Clock.systemUTC());
        // Lines are still formatted (part of the path) but not written to the test's captured stdout.
        JsonLog.output(new PrintStream(OutputStream.nullOutputStream()));
        JsonLog.threshold(JsonLog.Level.INFO);
    }

    @AfterAll
    static void tearDown() {
        JsonLog.output(System.out);
        JsonLog.threshold(JsonLog.Level.WARN);
    }

    @Test
    void reportsHandlerLatencyExcludingTheModelCall() throws Exception {
        // One client first (latency without queueing in the single-threaded dynalite), then four.
        run(1, 160, 40, DEADLINE_NANOS * 2 / 5, 100);
        run(CLIENTS, 480, 80, DEADLINE_NANOS * 3 / 5, 200);
    }

    private void run(int clientCount, int maxRequests, int warmUp, long budgetNanos, int sceneBase) throws Exception {
        SyntheticScene[] scenes = new SyntheticScene[STREAMS];
        for (int s = 0; s < STREAMS; s++) {
            scenes[s] = env.scene(9000 + sceneBase + s, OBJECTS);
        }
        AtomicInteger issued = new AtomicInteger();
        List<double[]> samples = new CopyOnWriteArrayList<>(); // track, model, handler, read, assoc, write (ms)
        List<String> failures = new CopyOnWriteArrayList<>();
        long deadline = System.nanoTime() + budgetNanos;
        ExecutorService pool = Executors.newFixedThreadPool(clientCount);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < clientCount; c++) {
            int client = c;
            clients.add(pool.submit(() -> {
                long[] next = new long[STREAMS];
                Arrays.fill(next, 1);
                int turn = 0;
                int owned = STREAMS / clientCount;
                while (System.nanoTime() < deadline) {
                    int n = issued.getAndIncrement();
                    if (n >= maxRequests) {
                        break;
                    }
                    // Each client owns the streams s with s % clientCount == client and alternates between them.
                    int s = client + clientCount * (turn++ % owned);
                    long f = next[s]++;
                    long t0 = System.nanoTime();
                    APIGatewayV2HTTPResponse r = handler.handleRequest(
                            Requests.frame("load-" + sceneBase + "-" + s, f, scenes[s].jpeg(f)), null);
                    double handlerMs = (System.nanoTime() - t0) / 1e6;
                    if (r.getStatusCode() != 200) {
                        failures.add(r.getStatusCode() + " " + r.getBody());
                    } else if (n >= warmUp) {
                        samples.add(new double[] {Requests.serverTiming(r, "track"), Requests.serverTiming(r, "model"),
                            handlerMs, Requests.serverTiming(r, "db-read"), Requests.serverTiming(r, "assoc"),
                            Requests.serverTiming(r, "db-write")});
                    }
                }
                return null;
            }));
        }
        long started = System.nanoTime();
        for (Future<?> f : clients) {
            f.get(120, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        assertEquals(List.of(), failures);
        assertTrue(samples.size() > 0, "no samples after the warm-up");
        int done = Math.min(issued.get(), maxRequests);
        System.out.printf(Locale.ROOT, "LOAD stream handler, %d client(s), %d streams x %d objects (128-d), %d requests"
                + " in %.1f s (%d measured after %d warm-up), %.0f req/s%n", clientCount, STREAMS, OBJECTS, done,
                seconds, samples.size(), warmUp, done / seconds);
        print("excluding model (GetItem+assoc+PutItem+JSON)", samples, 0);
        print("model call (stub over loopback)", samples, 1);
        print("whole handler call", samples, 2);
        print("  of which: consistent GetItem", samples, 3);
        print("  of which: decode + associate + encode", samples, 4);
        print("  of which: conditional PutItem", samples, 5);
        System.out.printf(Locale.ROOT, "LOAD load average while measuring: %s%n", loadAverage());
    }

    private static void print(String what, List<double[]> samples, int column) {
        double[] v = samples.stream().mapToDouble(s -> s[column]).sorted().toArray();
        System.out.printf(Locale.ROOT, "LOAD %-46s p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms%n", what,
                pct(v, 50), pct(v, 90), pct(v, 99), v[v.length - 1]);
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim() + " ("
                    + Runtime.getRuntime().availableProcessors() + " cores)";
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Nearest-rank percentile of sorted values. */
    static double pct(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
