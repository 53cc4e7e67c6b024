package dev.motflow.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.store.StreamStateStore;
import dev.motflow.streams.testing.Identities;
import dev.motflow.streams.testing.Requests;
import dev.motflow.streams.testing.StreamsEnv;
import dev.motflow.streams.testing.SyntheticScene;
import dev.motflow.testsupport.MutableClock;
import dev.motflow.testsupport.RecordedCall;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The stream API through its Lambda handler, against dynalite and the SageMaker stub. */
class StreamApiHandlerTest {
    static StreamsEnv env;
    static MutableClock clock;
    static StreamApiHandler handler;

    @BeforeAll
    static void setUp() {
        env = new StreamsEnv();
        clock = new MutableClock(Instant.parse("2026-11-25T08:00:00Z"));
        handler = env.handler(env.config(), clock);
    }

    private static APIGatewayV2HTTPResponse send(String stream, long frame, byte[] image) {
        return handler.handleRequest(Requests.frame(stream, frame, image), null);
    }

    private static JsonNode ok(APIGatewayV2HTTPResponse r) {
        assertEquals(200, r.getStatusCode(), r.getBody());
        return Requests.json(r);
    }

    private static JsonNode error(APIGatewayV2HTTPResponse r, int status, String code) {
        assertEquals(status, r.getStatusCode(), r.getBody());
        assertEquals("application/json", r.getHeaders().get("Content-Type"));
        JsonNode body = Requests.json(r);
        assertEquals(code, body.get("error").asText(), r.getBody());
        assertFalse(body.get("message").asText().isBlank());
        return body;
    }

    @Test
    void idsStayWithTheirObjectsOverSixtyFramesAndTheResponseHasTheDocumentedShape() {
        SyntheticScene scene = env.scene(101, 5);
        Identities ids = new Identities(scene);
        for (long f = 1; f <= 60; f++) {
            APIGatewayV2HTTPResponse r = send("cam-ids", f, scene.jpeg(f));
            JsonNode body = ok(r);
            assertEquals("cam-ids", body.get("streamId").asText());
            assertEquals(f, body.get("frame").asLong());
            assertEquals(f, body.get("version").asLong());
            assertEquals(f, body.get("step").asLong());
            assertEquals("jde", body.get("policy").asText());
            assertEquals(5, body.get("detections").asInt());
            for (JsonNode t : body.get("tracks")) {
                assertEquals(4, t.get("box").size());
                assertTrue(t.get("score").asDouble() > 0.5 && t.get("score").asDouble() <= 1);
            }
            assertTrue(Requests.serverTiming(r, "track") >= 0);
            assertTrue(Requests.serverTiming(r, "model") > 0);
            ids.check(body);
        }
        assertEquals(List.of(1, 2, 3, 4, 5), ids.idOfObject().values().stream().sorted().toList(),
                "five objects, ids 1..5 from the first frame on");
        JsonNode status = ok(handler.handleRequest(Requests.get("cam-ids"), null));
        assertEquals(60, status.get("lastFrame").asLong());
        assertEquals(60, status.get("version").asLong());
        assertEquals(60, status.get("steps").asInt());
        assertEquals(5, status.get("trackedTracks").asInt());
        assertEquals(0, status.get("lostTracks").asInt());
        assertTrue(status.get("itemBytes").asInt() > status.get("stateBytes").asInt());
        assertEquals(clock.instant().getEpochSecond() + 86400, status.get("expiresAt").asLong());
        System.out.printf("state of a 5-object JDE stream (128-d embeddings): %d bytes, item %d bytes%n",
                status.get("stateBytes").asInt(), status.get("itemBytes").asInt());
    }

    @Test
    void byteTrackFromTheQueryAndPngFramesWithTheIndexInTheQuery() {
        SyntheticScene scene = env.scene(102, 4);
        Identities ids = new Identities(scene);
        int before = env.sm.calls("InvokeEndpoint").size();
        for (long f = 10; f < 40; f++) {
            JsonNode body = ok(handler.handleRequest(Requests.frame("cam-bt", Map.of(),
                    Map.of("frame", Long.toString(f), "policy", "bytetrack"), scene.png(f)), null));
            assertEquals("bytetrack", body.get("policy").asText());
            ids.check(body);
        }
        List<RecordedCall> calls = env.sm.calls("InvokeEndpoint");
        RecordedCall last = calls.get(calls.size() - 1);
        assertEquals(30, calls.size() - before);
        assertEquals("image/png", last.header("content-type"));
        assertEquals("application/json", last.header("accept"));
        assertTrue(last.path().equals("/endpoints/" + env.endpoint + "/invocations"), last.path());
        // Without a policy the stream keeps its own; asking for another is refused.
        ok(handler.handleRequest(Requests.frame("cam-bt", Map.of("x-frame-index", "40"), null, scene.png(40)), null));
        JsonNode refused = error(handler.handleRequest(Requests.frame("cam-bt", Map.of("x-frame-index", "41"),
                Map.of("policy", "jde"), scene.png(41)), null), 409, "PolicyMismatch");
        assertTrue(refused.get("message").asText().contains("DELETE /streams/cam-bt"), refused.toString());
    }

    @Test
    void framesNotNewerThanTheLastAreRefusedWithTheLastFrameAndGapsAreOneStep() {
        SyntheticScene scene = env.scene(103, 3);
        assertEquals(1, ok(send("cam-order", 5, scene.jpeg(5))).get("version").asLong());
        JsonNode again = error(send("cam-order", 5, scene.jpeg(5)), 409, "StaleFrame");
        assertEquals(5, again.get("lastFrame").asLong());
        assertEquals(5, again.get("frame").asLong());
        assertTrue(again.get("message").asText().contains("not newer than the last processed frame 5"), again.toString());
        JsonNode older = error(send("cam-order", 2, scene.jpeg(2)), 409, "StaleFrame");
        assertEquals(2, older.get("frame").asLong());
        JsonNode next = ok(send("cam-order", 9, scene.jpeg(9)));
        assertEquals(2, next.get("version").asLong(), "refused frames write nothing");
        assertEquals(2, next.get("step").asLong(), "a gap of four frames is one tracker step");
        assertEquals(3, next.get("tracks").size());
    }

    @Test
    void deleteResetsTheStreamAndTheNextFrameStartsNewIds() {
        SyntheticScene scene = env.scene(104, 3);
        for (long f = 1; f <= 5; f++) {
            ok(send("cam-reset", f, scene.jpeg(f)));
        }
        APIGatewayV2HTTPResponse del = handler.handleRequest(Requests.delete("cam-reset"), null);
        assertEquals(204, del.getStatusCode());
        // A second reset finds no stream: the same 404 as for another caller's stream (nothing to tell apart).
        error(handler.handleRequest(Requests.delete("cam-reset"), null), 404, "StreamNotFound");
        error(handler.handleRequest(Requests.get("cam-reset"), null), 404, "StreamNotFound");
        JsonNode fresh = ok(send("cam-reset", 1, scene.jpeg(1)));
        assertEquals(1, fresh.get("version").asLong());
        assertEquals(1, fresh.get("step").asLong());
        assertEquals(List.of(1, 2, 3), fresh.get("tracks").findValues("id").stream().map(JsonNode::asInt).toList());
    }

    @Test
    void stateExpiresAfterTheTtlEvenBeforeDynamoDbDeletesIt() {
        SyntheticScene scene = env.scene(105, 2);
        for (long f = 100; f <= 103; f++) {
            ok(send("cam-ttl", f, scene.jpeg(f)));
        }
        Map<String, AttributeValue> item = env.aws.dynamo().getItem(b -> b.tableName(env.table)
                .key(Map.of("pk", AttributeValue.fromS("STREAM#cam-ttl"), "sk", AttributeValue.fromS("STATE")))).item();
        assertEquals(Long.toString(clock.instant().getEpochSecond() + 86400), item.get(StreamStateStore.EXPIRES_AT).n());
        assertEquals("103", item.get("lastFrame").n());
        clock.advance(Duration.ofSeconds(86400));
        try {
            error(handler.handleRequest(Requests.get("cam-ttl"), null), 404, "StreamNotFound");
            JsonNode restarted = ok(send("cam-ttl", 1, scene.jpeg(1)));
            assertEquals(1, restarted.get("step").asLong(), "a new tracker");
            assertEquals(5, restarted.get("version").asLong(), "the version continues over the expired item");
            assertEquals(List.of(1, 2), restarted.get("tracks").findValues("id").stream().map(JsonNode::asInt).toList());
        } finally {
            clock.advance(Duration.ofSeconds(-86400));
        }
    }

    @Test
    void badRequestsGetClearJsonErrorsAndCallNothing() {
        SyntheticScene scene = env.scene(106, 2);
        int calls = env.modelCalls.get();
        error(send("bad id!", 1, scene.jpeg(1)), 400, "InvalidStreamId");
        error(send("x".repeat(129), 1, scene.jpeg(1)), 400, "InvalidStreamId");
        error(handler.handleRequest(Requests.frame("cam-bad", Map.of(), null, scene.jpeg(1)), null), 400,
                "MissingFrameIndex");
        error(handler.handleRequest(Requests.frame("cam-bad", Map.of("x-frame-index", "-1"), null, scene.jpeg(1)), null),
                400, "InvalidFrameIndex");
        error(handler.handleRequest(Requests.frame("cam-bad", Map.of("x-frame-index", "abc"), null, scene.jpeg(1)), null),
                400, "InvalidFrameIndex");
        error(handler.handleRequest(Requests.frame("cam-bad", Map.of("x-frame-index", "3"), Map.of("frame", "4"),
                scene.jpeg(1)), null), 400, "InvalidFrameIndex");
        error(handler.handleRequest(Requests.frame("cam-bad", Map.of("x-frame-index", "3"), Map.of("policy", "sort"),
                scene.jpeg(1)), null), 400, "InvalidPolicy");
        error(send("cam-bad", 1, new byte[0]), 400, "EmptyBody");
        JsonNode gif = error(send("cam-bad", 1, "GIF89a....".getBytes()), 400, "UnsupportedImage");
        assertTrue(gif.get("message").asText().contains("0x47494638"), gif.toString());
        byte[] huge = new byte[4 * 1024 * 1024 + 1];
        huge[0] = (byte) 0xFF;
        huge[1] = (byte) 0xD8;
        huge[2] = (byte) 0xFF;
        error(send("cam-bad", 1, huge), 413, "FrameTooLarge");
        error(handler.handleRequest(Requests.event("POST", "/streams/{streamId}/frames", "/streams/cam-bad/frames",
                "cam-bad", Map.of("x-frame-index", "1"), null, "not base64 ***", true), null), 400, "InvalidBody");
        error(handler.handleRequest(Requests.event("POST", "/streams/{streamId}/frames", "/streams/cam-bad/frames",
                "cam-bad", Map.of("x-frame-index", "1"), null, "plain text body", false), null), 400, "UnsupportedImage");
        error(handler.handleRequest(Requests.event("GET", "/streams/{streamId}/frames", "/streams/cam-bad/frames",
                "cam-bad", Map.of(), null, null, false), null), 405, "MethodNotAllowed");
        error(handler.handleRequest(Requests.event("GET", "$default", "/other", null, Map.of(), null, null, false), null),
                404, "NotFound");
        assertEquals(calls, env.modelCalls.get(), "no model call for a refused request");
        error(handler.handleRequest(Requests.get("cam-bad"), null), 404, "StreamNotFound");
    }

    @Test
    void endpointFailuresAre4xx502Or503WithAReasonAndWriteNoState() {
        SyntheticScene scene = env.scene(107, 2);
        env.sm.injectFaults(dev.motflow.testsupport.FaultPlan.always(dev.motflow.testsupport.Fault.THROTTLING));
        try {
            APIGatewayV2HTTPResponse r = send("cam-faults", 1, scene.jpeg(1));
            JsonNode body = error(r, 503, "ModelUnavailable");
            assertEquals("1", r.getHeaders().get("Retry-After"));
            assertTrue(body.get("message").asText().contains("ThrottlingException"), body.toString());
            env.sm.injectFaults(dev.motflow.testsupport.FaultPlan.always(dev.motflow.testsupport.Fault.SERVICE_UNAVAILABLE));
            error(send("cam-faults", 1, scene.jpeg(1)), 503, "ModelUnavailable");
        } finally {
            env.sm.injectFaults(null);
        }
        // The container refused the image (the stub model knows no scene 999): the client's mistake, 422
        // with the container's message (not its JSON).
        JsonNode undecodable = error(send("cam-faults", 1, new SyntheticScene(999, 1, 4, 0).jpeg(1)), 422,
                "UndecodableImage");
        assertTrue(undecodable.get("message").asText().contains("not a decodable image/jpeg image"), undecodable.toString());
        assertFalse(undecodable.get("message").asText().contains("{"), undecodable.toString());
        // An endpoint that does not exist.
        StreamApiHandler wrongEndpoint = env.handler(dev.motflow.streams.service.StreamsConfig.of(env.table, "no-such-endpoint"), clock);
        JsonNode missing = error(wrongEndpoint.handleRequest(Requests.frame("cam-faults", 1, scene.jpeg(1)), null), 502,
                "EndpointError");
        assertTrue(missing.get("message").asText().contains("not found"), missing.toString());
        // An answer that is not the container's detection JSON.
        String odd = env.aws.uniqueName("odd");
        env.sm.onInvoke(odd, (type, body) -> dev.motflow.testsupport.SageMakerStub.InvokeResponse.json("{\"boxes\":[]}"));
        StreamApiHandler oddModel = env.handler(dev.motflow.streams.service.StreamsConfig.of(env.table, odd), clock);
        JsonNode bad = error(oddModel.handleRequest(Requests.frame("cam-faults", 1, scene.jpeg(1)), null), 502,
                "BadModelResponse");
        assertTrue(bad.get("message").asText().contains("no 'detections'"), bad.toString());
        error(handler.handleRequest(Requests.get("cam-faults"), null), 404, "StreamNotFound");
    }

    @Test
    void everyRequestLogsOneJsonLineWithStreamAndFrame() throws Exception {
        SyntheticScene scene = env.scene(110, 2);
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        dev.motflow.common.JsonLog.output(new java.io.PrintStream(captured, true, "UTF-8"));
        dev.motflow.common.JsonLog.threshold(dev.motflow.common.JsonLog.Level.INFO);
        try {
            ok(send("cam-log", 7, scene.jpeg(7)));
            error(send("cam-log", 7, scene.jpeg(7)), 409, "StaleFrame");
        } finally {
            dev.motflow.common.JsonLog.output(System.out);
            dev.motflow.common.JsonLog.threshold(dev.motflow.common.JsonLog.Level.WARN);
        }
        String[] lines = captured.toString("UTF-8").strip().split("\n");
        assertEquals(2, lines.length, captured.toString("UTF-8"));
        JsonNode tracked = Requests.JSON.readTree(lines[0]);
        assertEquals("INFO", tracked.get("level").asText());
        assertEquals("frame tracked", tracked.get("message").asText());
        assertEquals("cam-log", tracked.get("streamId").asText());
        assertEquals(7, tracked.get("frame").asLong());
        assertEquals(1, tracked.get("version").asLong());
        assertEquals(2, tracked.get("tracks").asInt());
        assertTrue(tracked.get("modelMs").asDouble() > 0);
        JsonNode refused = Requests.JSON.readTree(lines[1]);
        assertEquals("request refused", refused.get("message").asText());
        assertEquals("cam-log", refused.get("streamId").asText());
        assertEquals(7, refused.get("frame").asLong());
        assertEquals(409, refused.get("status").asInt());
        assertEquals("StaleFrame", refused.get("error").asText());
    }

    @Test
    void anUnreachableStateStoreIs503() {
        SyntheticScene scene = env.scene(111, 2);
        // Nothing listens on the discard port; no SDK retries, so the refusal is immediate.
        software.amazon.awssdk.services.dynamodb.DynamoDbClient down = software.amazon.awssdk.services.dynamodb.DynamoDbClient
                .builder().endpointOverride(java.net.URI.create("http://127.0.0.1:9")).region(dev.motflow.testsupport.LocalAws.REGION)
                .credentialsProvider(dev.motflow.testsupport.LocalAws.CREDENTIALS)
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1))).build();
        StreamApiHandler noStore = new StreamApiHandler(env.runtime(env.config(), clock, down, StreamsEnv.fastBackoff()));
        APIGatewayV2HTTPResponse r = noStore.handleRequest(Requests.frame("cam-nodb", 1, scene.jpeg(1)), null);
        error(r, 503, "StateStoreUnavailable");
        assertEquals("1", r.getHeaders().get("Retry-After"));
        error(noStore.handleRequest(Requests.delete("cam-nodb"), null), 503, "StateStoreUnavailable");
    }

    @Test
    void jdeNeedsEmbeddingsWhileByteTrackRunsOnBoxesAlone() {
        SyntheticScene scene = env.scene(108, 3);
        env.withEmbeddings = false;
        try {
            JsonNode body = error(send("cam-noemb", 1, scene.jpeg(1)), 502, "BadModelResponse");
            assertTrue(body.get("message").asText().contains("bytetrack"), body.toString());
            JsonNode bt = ok(handler.handleRequest(Requests.frame("cam-noemb-bt", Map.of("x-frame-index", "1"),
                    Map.of("policy", "bytetrack"), scene.jpeg(1)), null));
            assertEquals(3, bt.get("tracks").size());
        } finally {
            env.withEmbeddings = true;
        }
    }

    @Test
    void framesWithoutDetectionsBeforeTheFirstObjectKeepNoTrackerButAdvanceTheFrame() {
        String empty = env.aws.uniqueName("empty");
        SyntheticScene scene = env.scene(109, 2);
        env.sm.onInvoke(empty, (type, body) -> dev.motflow.testsupport.SageMakerStub.InvokeResponse.json(
                "{\"width\":1280,\"height\":720,\"detections\":[]}"));
        StreamApiHandler emptyModel = env.handler(dev.motflow.streams.service.StreamsConfig.of(env.table, empty), clock);
        JsonNode first = ok(emptyModel.handleRequest(Requests.frame("cam-empty", 1, scene.jpeg(1)), null));
        assertEquals(0, first.get("tracks").size());
        assertEquals(0, first.get("step").asInt());
        JsonNode status = ok(handler.handleRequest(Requests.get("cam-empty"), null));
        assertEquals(0, status.get("stateBytes").asInt());
        assertEquals(1, status.get("lastFrame").asLong());
        // The first frame with objects starts the tracker: its tracks are confirmed at once.
        JsonNode second = ok(send("cam-empty", 2, scene.jpeg(2)));
        assertEquals(1, second.get("step").asInt());
        assertEquals(2, second.get("tracks").size());
        assertNotNull(second.get("version"));
        assertNull(second.get("error"));
    }
}
