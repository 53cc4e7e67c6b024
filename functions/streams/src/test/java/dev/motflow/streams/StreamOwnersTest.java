package dev.motflow.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.http.Admins;
import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.handler.StreamsRuntime;
import dev.motflow.streams.store.StoredState;
import dev.motflow.streams.store.StreamStateStore;
import dev.motflow.streams.testing.Requests;
import dev.motflow.streams.testing.StreamsEnv;
import dev.motflow.streams.testing.SyntheticScene;
import dev.motflow.testsupport.MutableClock;
import dev.motflow.tracking.Policy;

/**
 * A stream belongs to the caller whose frame started it: another caller's frames, status and reset
 * are 404 like a missing stream (the model is never called for them), admins see every stream, a
 * request without a caller is 401. Against dynalite and the SageMaker stub.
 */
class StreamOwnersTest {
    static final String ANA = "arn:aws:iam::123456789012:user/ana";
    static final String BO = "arn:aws:iam::123456789012:user/bo";
    static final String OPS = "arn:aws:iam::123456789012:role/ops";
    static StreamsEnv env;
    static MutableClock clock;
    static StreamApiHandler handler;

    @BeforeAll
    static void setUp() {
        env = new StreamsEnv();
        clock = new MutableClock(Instant.parse("2026-12-04T08:00:00Z"));
        // OPS is an admin the way the CDK app names one: a bare ARN in ADMIN_PRINCIPALS.
        StreamsRuntime runtime = StreamsRuntime.create(env.config(), env.aws.dynamo(), env.runtimeClient(), clock,
                StreamsEnv.fastBackoff(), Admins.fromMap(Map.of(Admins.ADMIN_PRINCIPALS_ENV, OPS)));
        handler = new StreamApiHandler(runtime);
    }

    private static APIGatewayV2HTTPResponse as(String who, APIGatewayV2HTTPEvent event) {
        return handler.handleRequest(Requests.as(who, event), null);
    }

    private static JsonNode status(APIGatewayV2HTTPResponse r, int status, String code) {
        assertEquals(status, r.getStatusCode(), r.getBody());
        JsonNode body = Requests.json(r);
        if (code != null) {
            assertEquals(code, body.get("error").asText(), r.getBody());
            assertFalse(body.get("message").asText().isBlank());
        }
        return body;
    }

    @Test
    void anotherCallersStreamIsAnsweredLikeAMissingOneAndNeverReachesTheModel() {
        SyntheticScene scene = env.scene(301, 3);
        for (long f = 1; f <= 3; f++) {
            status(as(ANA, Requests.frame("cam-ana", f, scene.jpeg(f))), 200, null);
        }
        JsonNode mine = status(as(ANA, Requests.get("cam-ana")), 200, null);
        assertEquals("iam:" + ANA, mine.get("owner").asText());

        int modelCalls = env.modelCalls.get();
        JsonNode theirs = status(as(BO, Requests.get("cam-ana")), 404, "StreamNotFound");
        JsonNode missing = status(as(BO, Requests.get("cam-none")), 404, "StreamNotFound");
        assertEquals(missing.get("message").asText().replace("cam-none", "cam-ana"), theirs.get("message").asText(),
                "the 404 of another caller's stream reads as the 404 of a missing one");
        status(as(BO, Requests.frame("cam-ana", 4, scene.jpeg(4))), 404, "StreamNotFound");
        status(as(BO, Requests.delete("cam-ana")), 404, "StreamNotFound");
        assertEquals(modelCalls, env.modelCalls.get(), "no model call for another caller's stream");

        // Nothing of Ana's stream changed: her next frame continues it.
        JsonNode next = status(as(ANA, Requests.frame("cam-ana", 4, scene.jpeg(4))), 200, null);
        assertEquals(4, next.get("version").asLong());
        assertEquals(3, next.get("tracks").size());
    }

    @Test
    void adminsSeeAndResetEveryStreamWhichKeepsItsOwner() {
        SyntheticScene scene = env.scene(302, 2);
        status(as(ANA, Requests.frame("cam-adm", 1, scene.jpeg(1))), 200, null);
        JsonNode seen = status(as(OPS, Requests.get("cam-adm")), 200, null);
        assertEquals("iam:" + ANA, seen.get("owner").asText());
        // An admin's frame continues the stream; it stays Ana's.
        status(as(OPS, Requests.frame("cam-adm", 2, scene.jpeg(2))), 200, null);
        assertEquals("iam:" + ANA, status(as(ANA, Requests.get("cam-adm")), 200, null).get("owner").asText());
        // A console user in the motflow-admins group is an admin too; one without it is not.
        APIGatewayV2HTTPResponse groupAdmin = handler.handleRequest(
                Requests.asCognito("sub-1", "[motflow-admins]", Requests.get("cam-adm")), null);
        status(groupAdmin, 200, null);
        status(handler.handleRequest(Requests.asCognito("sub-2", "[viewers]", Requests.get("cam-adm")), null), 404,
                "StreamNotFound");
        assertEquals(204, as(OPS, Requests.delete("cam-adm")).getStatusCode());
        status(as(ANA, Requests.get("cam-adm")), 404, "StreamNotFound");
    }

    @Test
    void aResetOrExpiredStreamIsFreeForTheNextCaller() {
        SyntheticScene scene = env.scene(303, 2);
        status(as(ANA, Requests.frame("cam-free", 1, scene.jpeg(1))), 200, null);
        assertEquals(204, as(ANA, Requests.delete("cam-free")).getStatusCode());
        JsonNode bo = status(as(BO, Requests.frame("cam-free", 7, scene.jpeg(7))), 200, null);
        assertEquals(1, bo.get("version").asLong());
        assertEquals("iam:" + BO, status(as(BO, Requests.get("cam-free")), 200, null).get("owner").asText());
        status(as(ANA, Requests.get("cam-free")), 404, "StreamNotFound");

        // Bo's stream expires (the item lingers until DynamoDB's TTL sweep): Ana may start it again.
        clock.advance(env.config().stateTtl().plus(Duration.ofSeconds(1)));
        JsonNode ana = status(as(ANA, Requests.frame("cam-free", 1, scene.jpeg(1))), 200, null);
        assertEquals(1, ana.get("step").asLong(), "a new tracker, not Bo's");
        status(as(BO, Requests.get("cam-free")), 404, "StreamNotFound");
    }

    @Test
    void aStreamWithoutAnOwnerIsForAdminsOnly() {
        // As written before streams had owners: the same item without the owner attribute.
        Instant now = clock.instant();
        new StreamStateStore(env.aws.dynamo(), env.table).write(new StoredState("cam-old", 3, "inc-old", 30,
                Policy.BYTETRACK, null, 0, now, now, now.getEpochSecond() + 3600, null, 0), null);
        SyntheticScene scene = env.scene(304, 2);
        int modelCalls = env.modelCalls.get();
        status(as(ANA, Requests.get("cam-old")), 404, "StreamNotFound");
        status(as(ANA, Requests.frame("cam-old", 31, scene.jpeg(31))), 404, "StreamNotFound");
        status(as(ANA, Requests.delete("cam-old")), 404, "StreamNotFound");
        assertEquals(modelCalls, env.modelCalls.get());
        JsonNode seen = status(as(OPS, Requests.get("cam-old")), 200, null);
        assertEquals(30, seen.get("lastFrame").asLong());
        assertNull(seen.get("owner"), "no owner is shown for a stream that has none");
        assertEquals(204, as(OPS, Requests.delete("cam-old")).getStatusCode());
    }

    @Test
    void noCallerIs401OnEveryRoute() {
        SyntheticScene scene = env.scene(305, 1);
        int modelCalls = env.modelCalls.get();
        for (APIGatewayV2HTTPEvent e : new APIGatewayV2HTTPEvent[] {Requests.frame("cam-anon", 1, scene.jpeg(1)),
                Requests.get("cam-anon"), Requests.delete("cam-anon"), Requests.list(null),
                Requests.event("GET", "/nowhere", "/nowhere", null, Map.of(), null, null, false)}) {
            status(as(null, e), 401, "Unauthenticated");
        }
        assertEquals(modelCalls, env.modelCalls.get());
        assertNull(new StreamStateStore(env.aws.dynamo(), env.table).load("cam-anon"), "nothing was written");
    }

    @Test
    void aResetLosesNothingToAConcurrentRestartByAnotherCaller() {
        // The reset deletes only the incarnation it checked: a stream started again in between stays.
        SyntheticScene scene = env.scene(306, 2);
        status(as(ANA, Requests.frame("cam-race", 1, scene.jpeg(1))), 200, null);
        StreamStateStore store = new StreamStateStore(env.aws.dynamo(), env.table);
        StoredState checked = store.load("cam-race");
        assertEquals(204, as(ANA, Requests.delete("cam-race")).getStatusCode());
        status(as(BO, Requests.frame("cam-race", 1, scene.jpeg(1))), 200, null);
        assertFalse(store.delete(checked), "Ana's old incarnation is gone; Bo's is not deleted in its name");
        assertEquals("iam:" + BO, store.load("cam-race").owner());
    }

    private static List<String> listed(String who, Map<String, String> query, String[] nextToken) {
        JsonNode body = status(as(who, Requests.list(query)), 200, null);
        List<String> ids = new ArrayList<>();
        body.get("streams").forEach(s -> ids.add(s.get("streamId").asText()));
        if (nextToken != null) {
            nextToken[0] = body.has("nextToken") ? body.get("nextToken").asText() : null;
        }
        return ids;
    }

    @Test
    void aListShowsTheCallersLiveStreamsNewestFirstAndAnAdminsShowsAll() {
        String carl = "arn:aws:iam::123456789012:user/carl";
        String dora = "arn:aws:iam::123456789012:user/dora";
        SyntheticScene scene = env.scene(307, 1);
        for (String id : List.of("cam-l1", "cam-l2", "cam-l3")) {
            status(as(carl, Requests.frame(id, 1, scene.jpeg(1))), 200, null);
            clock.advance(Duration.ofSeconds(1));
        }
        status(as(dora, Requests.frame("cam-l4", 1, scene.jpeg(1))), 200, null);
        // A frame of a running stream does not list it again, nor does it move in the list.
        status(as(carl, Requests.frame("cam-l1", 2, scene.jpeg(2))), 200, null);

        assertEquals(List.of("cam-l3", "cam-l2", "cam-l1"), listed(carl, null, null));
        assertEquals(List.of("cam-l4"), listed(dora, null, null));
        List<String> all = listed(OPS, Map.of("limit", "100"), null);
        assertTrue(all.containsAll(List.of("cam-l4", "cam-l3", "cam-l2", "cam-l1")), all.toString());
        assertEquals(List.of("cam-l4", "cam-l3", "cam-l2", "cam-l1"), all.subList(0, 4), "newest first");
        JsonNode entry = status(as(carl, Requests.list(Map.of("limit", "1"))), 200, null).get("streams").get(0);
        assertEquals("iam:" + carl, entry.get("owner").asText());
        assertEquals(1, entry.get("lastFrame").asLong(), "cam-l3's state, not its list entry");

        // Pages: one stream each, then the end.
        String[] token = new String[1];
        assertEquals(List.of("cam-l3"), listed(carl, Map.of("limit", "1"), token));
        assertEquals(List.of("cam-l2"), listed(carl, Map.of("limit", "1", "nextToken", token[0]), token));
        assertEquals(List.of("cam-l1"), listed(carl, Map.of("limit", "2", "nextToken", token[0]), token));
        assertNull(token[0]);

        // A reset stream leaves the list; an expired one is left out though its entries remain.
        assertEquals(204, as(carl, Requests.delete("cam-l2")).getStatusCode());
        assertEquals(List.of("cam-l3", "cam-l1"), listed(carl, null, null));
        assertNull(new StreamStateStore(env.aws.dynamo(), env.table).load("cam-l2"));
        clock.advance(env.config().stateTtl().plus(Duration.ofSeconds(1)));
        assertEquals(List.of(), listed(carl, null, null));
        // The id started again by another caller is listed for that caller only.
        status(as(dora, Requests.frame("cam-l3", 5, scene.jpeg(5))), 200, null);
        assertEquals(List.of(), listed(carl, null, null));
        assertEquals(List.of("cam-l3"), listed(dora, null, null));
    }

    @Test
    void badListParametersAre400BeforeAnyRead() {
        status(as(ANA, Requests.list(Map.of("limit", "0"))), 400, "InvalidLimit");
        status(as(ANA, Requests.list(Map.of("limit", "101"))), 400, "InvalidLimit");
        status(as(ANA, Requests.list(Map.of("limit", "ten"))), 400, "InvalidLimit");
        status(as(ANA, Requests.list(Map.of("nextToken", "not a token"))), 400, "InvalidNextToken");
        String forged = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("2026-12-04T08:00:00Z#../x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        status(as(ANA, Requests.list(Map.of("nextToken", forged))), 400, "InvalidNextToken");
        assertEquals(405, as(ANA, Requests.event("POST", "/streams", "/streams", null, Map.of(), null, null, false))
                .getStatusCode());
    }
}
