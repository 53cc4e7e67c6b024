package dev.motflow.retraining.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.motflow.retraining.Json;
import dev.motflow.retraining.RetryableException;
import dev.motflow.retraining.TestTables;
import dev.motflow.retraining.store.RunCoordinator;
import dev.motflow.retraining.trigger.ExecutionStarter;
import dev.motflow.retraining.trigger.LabelledDataTrigger;
import dev.motflow.testsupport.LocalAws;
import software.amazon.awssdk.core.sync.RequestBody;

/** The SQS and HTTP entry points: which objects start runs, and what callers get back. */
class TriggerHandlersTest {
    private final LocalAws local = LocalAws.shared();
    private final List<String> started = new ArrayList<>();
    private final AtomicInteger throttled = new AtomicInteger();
    private String bucket;
    private LabelledDataTrigger trigger;
    private RunCoordinator coordinator;

    @BeforeEach
    void setUp() {
        bucket = local.newBucket("labelled");
        ExecutionStarter starter = (name, input) -> {
            if (throttled.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new RetryableException("throttled");
            }
            started.add(name + " " + Json.parse(input).path("format").asText());
            return ExecutionStarter.Started.STARTED;
        };
        coordinator = new RunCoordinator(local.dynamo(), TestTables.create(local), starter, Clock.systemUTC(),
                Duration.ofDays(11));
        trigger = new LabelledDataTrigger(local.s3(), coordinator, Clock.systemUTC());
    }

    private SQSEvent.SQSMessage message(String id, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setBody(body);
        return m;
    }

    private String s3Event(String key) {
        var rec = Json.object();
        rec.putArray("Records").addObject().put("eventName", "ObjectCreated:Put").putObject("s3")
                .set("bucket", Json.object().put("name", bucket));
        ((com.fasterxml.jackson.databind.node.ObjectNode) rec.path("Records").get(0).path("s3"))
                .putObject("object").put("key", key).put("eTag", "0123456789abcdef0123456789abcdef");
        return rec.toString();
    }

    private SQSBatchResponse handle(SQSEvent.SQSMessage... messages) {
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(messages));
        return new LabelledDataHandler(trigger, Clock.systemUTC()).handleRequest(e, null);
    }

    @Test
    void onlyCompletingManifestsStartRuns() {
        local.s3().putObject(b -> b.bucket(bucket).key("labelled/cams/manifest.json"), RequestBody.fromString("{\"version\":\"7\"}"));
        local.s3().putObject(b -> b.bucket(bucket).key("labelled/gt set/job/manifests/output/output.manifest"), RequestBody.fromString("{}"));
        SQSBatchResponse r = handle(
                message("1", s3Event("labelled/cams/seq/img1/000001.jpg")),
                message("2", s3Event("labelled/cams/seq/gt/gt.txt")),
                message("3", s3Event("incoming/video.mp4")),
                message("4", "{\"Event\":\"s3:TestEvent\"}"),
                message("5", "not json"),
                message("6", s3Event("labelled/cams/manifest.json")),
                message("7", s3Event("labelled/gt+set/job/manifests/output/output.manifest")));
        assertTrue(r.getBatchItemFailures().isEmpty());
        assertEquals(1, started.size(), started.toString()); // "gt set" is not an acceptable dataset name
        assertEquals("cams-7 MOTCHALLENGE", started.get(0));
        coordinator.release("cams-7"); // one run at a time: let the first finish
        local.s3().putObject(b -> b.bucket(bucket).key("labelled/gtset/job/manifests/output/output.manifest"), RequestBody.fromString("{}"));
        handle(message("8", s3Event("labelled/gtset/job/manifests/output/output.manifest")));
        assertEquals("gtset-gt-0123456789abcdef GROUND_TRUTH", started.get(1));
    }

    @Test
    void aThrottledStartIsABatchItemFailureForThatMessageOnly() {
        local.s3().putObject(b -> b.bucket(bucket).key("labelled/a/manifest.json"), RequestBody.fromString("{\"version\":\"1\"}"));
        local.s3().putObject(b -> b.bucket(bucket).key("labelled/b/manifest.json"), RequestBody.fromString("{\"version\":\"1\"}"));
        throttled.set(1);
        SQSBatchResponse r = handle(message("a", s3Event("labelled/a/manifest.json")), message("b", s3Event("labelled/b/manifest.json")));
        assertEquals(1, r.getBatchItemFailures().size());
        assertEquals("a", r.getBatchItemFailures().get(0).getItemIdentifier());
        assertEquals(List.of("b-1 MOTCHALLENGE"), started);
        assertTrue(handle(message("a", s3Event("labelled/a/manifest.json"))).getBatchItemFailures().isEmpty(),
                "the redelivery is admitted: queued behind b, which holds the lock now");
        assertEquals(List.of("b-1 MOTCHALLENGE"), started);
        assertEquals(java.util.Optional.of("a-1"), coordinator.release("b-1"));
        assertEquals(List.of("b-1 MOTCHALLENGE", "a-1 MOTCHALLENGE"), started);
    }

    private APIGatewayV2HTTPResponse post(String method, String path, String body) {
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withRawPath(path)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build()).build())
                .withBody(body).build();
        return new RetrainingApiHandler(trigger, bucket, Clock.systemUTC()).handleRequest(event, null);
    }

    @Test
    void theApiAnswersWhatHappenedOrWhatIsWrong() {
        assertEquals(405, post("GET", "/retraining", null).getStatusCode());
        assertEquals(400, post("POST", "/retraining", "[1]").getStatusCode());
        assertEquals(400, post("POST", "/retraining", "{\"dataset\":\"../etc\"}").getStatusCode());
        assertEquals(400, post("POST", "/retraining", "{\"dataset\":\"cams\",\"hpo\":\"yes\"}").getStatusCode());
        assertEquals(400, post("POST", "/retraining", "{\"dataset\":\"cams\",\"manifestKey\":\"labelled/other/manifest.json\"}").getStatusCode());
        APIGatewayV2HTTPResponse missing = post("POST", "/retraining", "{\"dataset\":\"cams\"}");
        assertEquals(404, missing.getStatusCode());
        assertTrue(missing.getBody().contains("labelled/cams/manifest.json"), missing.getBody());

        local.s3().putObject(b -> b.bucket(bucket).key("labelled/cams/manifest.json"), RequestBody.fromString("{\"version\":\"3\"}"));
        APIGatewayV2HTTPResponse ok = post("POST", "/retraining", "{\"dataset\":\"cams\"}");
        assertEquals(202, ok.getStatusCode());
        assertEquals("STARTED", Json.parse(ok.getBody()).path("admission").asText());
        APIGatewayV2HTTPResponse second = post("POST", "/retraining", "{\"dataset\":\"cams\",\"hpo\":true}");
        assertEquals("QUEUED", Json.parse(second.getBody()).path("admission").asText(), "one run at a time");
        assertEquals("cams-3-hpo", Json.parse(second.getBody()).path("executionName").asText());
        throttled.set(100);
        local.s3().putObject(b -> b.bucket(bucket).key("labelled/d/manifest.json"), RequestBody.fromString("{\"version\":\"1\"}"));
        assertEquals(202, post("POST", "/retraining", "{\"dataset\":\"d\"}").getStatusCode(), "queued behind cams-3: no start needed");
    }

    private APIGatewayV2HTTPResponse lockRequest(String method, String holder, String body) {
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withRawPath("/retraining/lock")
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath("/retraining/lock")
                                .build()).build())
                .withQueryStringParameters(holder == null ? null : java.util.Map.of("holder", holder))
                .withBody(body).build();
        return new RetrainingApiHandler(trigger, bucket, Clock.systemUTC()).handleRequest(event, null);
    }

    @Test
    void theLockCanBeReadAndReleasedByTheNamedHolderOnly() {
        var free = lockRequest("GET", null, null);
        assertEquals(200, free.getStatusCode());
        assertTrue(Json.parse(free.getBody()).path("holder").isNull(), free.getBody());
        assertEquals(404, lockRequest("DELETE", "cams-1", null).getStatusCode());

        local.s3().putObject(b -> b.bucket(bucket).key("labelled/cams/manifest.json"), RequestBody.fromString("{\"version\":\"1\"}"));
        local.s3().putObject(b -> b.bucket(bucket).key("labelled/park/manifest.json"), RequestBody.fromString("{\"version\":\"1\"}"));
        assertEquals("STARTED", Json.parse(post("POST", "/retraining", "{\"dataset\":\"cams\"}").getBody()).path("admission").asText());
        post("POST", "/retraining", "{\"dataset\":\"park\"}");
        var queued = Json.parse(post("POST", "/retraining", "{\"dataset\":\"park\",\"hpo\":true}").getBody());
        assertEquals("QUEUED", queued.path("admission").asText());
        assertEquals("park-1", queued.path("replaced").asText(), "the caller learns which queued request it replaced");

        var held = Json.parse(lockRequest("GET", null, null).getBody());
        assertEquals("cams-1", held.path("holder").asText());
        assertTrue(held.path("expiry").asText().endsWith("Z"), held.toString());
        assertEquals("UNKNOWN", held.path("status").asText(), "no status source in this wiring");
        assertEquals("park-1-hpo", held.path("pending").get(0).path("executionName").asText());

        var missing = lockRequest("DELETE", null, null);
        assertEquals(400, missing.getStatusCode());
        assertEquals("InvalidHolder", Json.parse(missing.getBody()).path("error").asText());
        var wrong = lockRequest("DELETE", "park-1", null);
        assertEquals(409, wrong.getStatusCode());
        assertTrue(Json.parse(wrong.getBody()).path("message").asText().contains("cams-1"), wrong.getBody());
        assertEquals(405, lockRequest("PUT", null, null).getStatusCode());

        var released = lockRequest("DELETE", null, "{\"holder\":\"cams-1\"}");
        assertEquals(200, released.getStatusCode(), released.getBody());
        assertEquals("HANDED_OVER", Json.parse(released.getBody()).path("outcome").asText());
        assertEquals("park-1-hpo", Json.parse(released.getBody()).path("followUp").asText());
        assertEquals(List.of("cams-1 MOTCHALLENGE", "park-1-hpo MOTCHALLENGE"), started);
        assertEquals("park-1-hpo", Json.parse(lockRequest("GET", null, null).getBody()).path("holder").asText());
    }
}
