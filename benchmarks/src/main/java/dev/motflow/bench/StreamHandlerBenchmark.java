package dev.motflow.bench;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.motflow.common.JsonLog;
import dev.motflow.common.store.TableDefinition;
import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.handler.StreamsRuntime;
import dev.motflow.streams.model.DetectionsParser;
import dev.motflow.streams.model.Detector;
import dev.motflow.streams.service.StreamsConfig;
import dev.motflow.testsupport.LocalAws;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One frame through the stream Lambda's handler, EXCLUDING the model call: the detector answers in
 * process from a synthetic scene, so what is measured is the request path of docs/handlers.md
 * (consistent GetItem, state decode, association, encode, conditional PutItem, response JSON) against
 * dynalite on loopback. Each benchmark thread is one client sending its own stream's frames in order;
 * {@code -t 4} runs four clients at once. dynalite is far slower than DynamoDB, so the figures show
 * the handler's own cost and how it queues, not production latency.
 *
 * <p>Run: {@code ./motflow bench StreamHandlerBenchmark -f 1 -wi 2 -i 3} (add {@code -t 4} for four
 * clients). Replaces the loopback load test that used to run in the unit suite.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class StreamHandlerBenchmark {
    static final int EMBEDDING = 128;

    /** Objects in every frame of a stream. */
    @Param({"10"})
    public int objects;

    StreamApiHandler handler;
    final AtomicInteger streams = new AtomicInteger();

    @Setup(Level.Trial)
    public void startStack() {
        // Lines are still formatted (part of the path) but not written.
        JsonLog.output(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        JsonLog.threshold(JsonLog.Level.INFO);
        LocalAws aws = LocalAws.shared();
        String table = aws.uniqueName("bench-streams");
        DynamoDbClient dynamo = aws.dynamo();
        dynamo.createTable(TableDefinition.createTableRequest(table));
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
        Detector scene = (image, contentType) -> DetectionsParser.parse(answer(frameOf(image), objects));
        handler = new StreamApiHandler(StreamsRuntime.create(StreamsConfig.of(table, "in-process"), dynamo, scene,
                Clock.systemUTC(), StreamsRuntime.CONFLICT_BACKOFF));
    }

    /** One client: its own stream, frames in order. */
    @State(Scope.Thread)
    public static class Client {
        String streamId;
        long frame;

        @Setup(Level.Trial)
        public void newStream(StreamHandlerBenchmark b) {
            streamId = "bench-" + ProcessHandle.current().pid() + "-" + b.streams.incrementAndGet();
            frame = 0;
        }
    }

    @Benchmark
    public int postFrame(Client c) {
        long f = ++c.frame;
        APIGatewayV2HTTPEvent e = APIGatewayV2HTTPEvent.builder()
                .withRouteKey("POST /streams/{streamId}/frames").withRawPath("/streams/" + c.streamId + "/frames")
                .withPathParameters(Map.of("streamId", c.streamId))
                .withHeaders(Map.of("content-type", "image/jpeg", "x-frame-index", Long.toString(f)))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").build())
                        // The stream belongs to the signing IAM user (API Gateway's IAM authorizer sets it).
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withIam(APIGatewayV2HTTPEvent.RequestContext.IAM.builder()
                                        .withUserArn("arn:aws:iam::123456789012:user/bench").build()).build())
                        .build())
                .withBody(java.util.Base64.getEncoder().encodeToString(jpeg(f))).withIsBase64Encoded(true).build();
        APIGatewayV2HTTPResponse r = handler.handleRequest(e, null);
        if (r.getStatusCode() != 200) {
            throw new IllegalStateException("frame " + f + " of " + c.streamId + ": " + r.getStatusCode() + " " + r.getBody());
        }
        return r.getBody().length();
    }

    /** A fake JPEG (magic bytes, then the frame number): the in-process detector reads the number back. */
    static byte[] jpeg(long frame) {
        byte[] text = ("frame=" + frame + ";").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[4 + text.length];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xD8;
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xE0;
        System.arraycopy(text, 0, out, 4, text.length);
        return out;
    }

    static long frameOf(byte[] image) {
        String s = new String(image, 4, image.length - 4, StandardCharsets.ISO_8859_1);
        return Long.parseLong(s.substring(s.indexOf('=') + 1, s.indexOf(';')));
    }

    /**
     * The detection JSON the container would answer for {@code frame}: {@code objects} boxes moving
     * right at 2 px a frame, each with its own fixed unit embedding, so association keeps every id.
     */
    static byte[] answer(long frame, int objects) {
        StringBuilder b = new StringBuilder(64 + objects * 1400);
        b.append("{\"width\":1280,\"height\":720,\"detections\":[");
        for (int i = 0; i < objects; i++) {
            double x = 20 + 120 * i + 2 * (frame % 100);
            double y = 100 + 40 * (i % 5);
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"box\":[%.2f,%.2f,40,90],\"tlbr\":[%.2f,%.2f,%.2f,%.2f],\"score\":0.9,\"embedding\":[",
                    x, y, x, y, x + 40, y + 90));
            float[] e = embedding(i);
            for (int k = 0; k < e.length; k++) {
                b.append(k == 0 ? "" : ",").append(e[k]);
            }
            b.append("]}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static float[] embedding(int object) {
        Random r = new Random(1000 + object);
        float[] e = new float[EMBEDDING];
        double norm = 0;
        for (int k = 0; k < e.length; k++) {
            e[k] = (float) r.nextGaussian();
            norm += e[k] * e[k];
        }
        for (int k = 0; k < e.length; k++) {
            e[k] /= (float) Math.sqrt(norm);
        }
        return e;
    }
}
