package dev.motflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.common.JsonLog;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.UnroutableLog;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.Videos;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A corpus of bad inputs through the real handlers: each must end in a REJECTED job with an
 * actionable reason, a recorded unroutable message, a 4xx JSON error, or a logged and
 * acknowledged ignore; no handler throws, no SQS message is retried in vain, nothing vanishes.
 */
class BadInputCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Stack stack;
    private static JobRepository jobs;
    private static final List<String> REPORT = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        JsonLog.threshold(JsonLog.Level.ERROR);
        stack = new Stack(64 * 1024, Stack.fastBackoff());
        jobs = new JobRepository(stack.aws.dynamo(), stack.table, java.time.Clock.systemUTC());
    }

    @AfterAll
    static void report() {
        JsonLog.threshold(JsonLog.Level.INFO);
        System.out.println("(d) bad-input corpus: " + REPORT.size() + " cases, each with its outcome:");
        REPORT.forEach(r -> System.out.println("    " + r));
    }

    // --- S3 objects and keys through IngestHandler ---------------------------------------------

    /** Ingests one event, asserts no retry was asked for and the job is REJECTED with {@code fragment}. */
    private void expectRejected(String name, String bucketKey, String eventKey, String eTag, String sequencer, long size, String fragment) {
        String body = AwsEvents.s3Event("ObjectCreated:Put", stack.drop, eventKey, eTag, size, sequencer);
        SQSBatchResponse r = stack.ingest.handleRequest(Stack.sqs(List.of(body)), null);
        assertTrue(r.getBatchItemFailures().isEmpty(), name + ": bad input must not be retried");
        Job job = jobs.get(JobIds.forObject(new S3ObjectRef(stack.drop, bucketKey, null, eTag, sequencer, size))).orElseThrow();
        assertEquals(JobStatus.REJECTED, job.status(), name + ": " + job.statusReason());
        assertTrue(job.statusReason().contains(fragment), name + ": " + job.statusReason());
        REPORT.add(name + " -> REJECTED: " + job.statusReason());
    }

    private void expectRejectedObject(String name, String key, byte[] bytes, String fragment) {
        String eTag = stack.put(key, bytes);
        expectRejected(name, key, encode(key), eTag, AwsEvents.nextSequencer(), bytes.length, fragment);
    }

    private static String encode(String key) {
        return java.net.URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    @Test
    void badObjectsAreRejectedWithAnActionableReason() {
        byte[] good = Videos.mp4(300);
        expectRejectedObject("zero bytes", "incoming/empty.mp4", new byte[0], "empty");
        expectRejectedObject("truncated MP4", "incoming/cut.mp4", Arrays.copyOf(good, good.length - 50), "truncated");
        expectRejectedObject("MP4 of an ftyp header only", "incoming/header-only.mp4", Arrays.copyOf(good, 32), "moov");
        expectRejectedObject("fake MP4 (ftyp then text)", "incoming/fake.mp4",
                Videos.concat(Arrays.copyOf(good, 32), "this is not a box structure at all".getBytes(StandardCharsets.US_ASCII)), "MP4");
        expectRejectedObject("text file named .mp4", "incoming/readme.mp4",
                "Hello! This file is plain text.\n".getBytes(StandardCharsets.UTF_8), "text");
        expectRejectedObject("PNG named .mp4", "incoming/picture.mp4",
                new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'}, "PNG");
        expectRejectedObject("video over the size limit (64 KiB here)", "incoming/huge.mp4", Videos.mp4(70_000), "limit");
        expectRejectedObject("wrong extension", "incoming/notes.txt", "notes".getBytes(StandardCharsets.UTF_8), "video extension");
        expectRejectedObject("key outside incoming/", "elsewhere/a.mp4", good, "incoming/");
    }

    @Test
    void badKeysAndVanishedObjectsAreRejected() {
        // Events only: the key rules reject before the object is read.
        expectRejected("path traversal key", "incoming/../secrets/a.mp4", "incoming/../secrets/a.mp4", "e1", AwsEvents.nextSequencer(), 10, "path traversal");
        expectRejected("bidi override in key", "incoming/evil\u202Egpj.mp4", encode("incoming/evil\u202Egpj.mp4"), "e2",
                AwsEvents.nextSequencer(), 10, "formatting character");
        expectRejected("NUL in key", "incoming/a\u0000b.mp4", "incoming/a%00b.mp4", "e3", AwsEvents.nextSequencer(), 10, "control character");
        expectRejected("invalid UTF-8 in key", "incoming/caf\uFFFD.mp4", "incoming/caf%E9.mp4", "e4", AwsEvents.nextSequencer(), 10, "UTF-8");
        expectRejected("broken URL encoding", "incoming/bad%zz.mp4", "incoming/bad%zz.mp4", "e5", AwsEvents.nextSequencer(), 10, "URL encoding");
        expectRejected("object deleted before processing", "incoming/gone.mp4", "incoming/gone.mp4", "e6", AwsEvents.nextSequencer(), 10, "no longer exists");
        byte[] v1 = Videos.mp4(100);
        String oldTag = stack.put("incoming/overwritten.mp4", v1);
        stack.put("incoming/overwritten.mp4", Videos.mp4(200));
        expectRejected("object overwritten before processing", "incoming/overwritten.mp4", "incoming/overwritten.mp4", oldTag,
                AwsEvents.nextSequencer(), v1.length, "overwritten");

        // The same bad event again changes nothing.
        String seq = AwsEvents.nextSequencer();
        expectRejected("duplicate of a rejected event (1st)", "incoming/dupe-empty.mp4",
                encode("incoming/dupe-empty.mp4"), stack.put("incoming/dupe-empty.mp4", new byte[0]), seq, 0, "empty");
        String eTag = stack.aws.s3().headObject(b -> b.bucket(stack.drop).key("incoming/dupe-empty.mp4")).eTag().replace("\"", "");
        long version = jobs.get(JobIds.forObject(new S3ObjectRef(stack.drop, "incoming/dupe-empty.mp4", null, eTag, seq, 0))).orElseThrow().version();
        expectRejected("duplicate of a rejected event (2nd)", "incoming/dupe-empty.mp4", encode("incoming/dupe-empty.mp4"), eTag, seq, 0, "empty");
        assertEquals(version, jobs.get(JobIds.forObject(new S3ObjectRef(stack.drop, "incoming/dupe-empty.mp4", null, eTag, seq, 0)))
                .orElseThrow().version());
    }

    // --- malformed messages: recorded as unroutable, acknowledged -------------------------------

    private int unroutableCount() {
        return stack.aws.dynamo().query(b -> b.tableName(stack.table).keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(UnroutableLog.dayPk(java.time.Instant.now())))))
                .count();
    }

    private void expectUnroutable(String name, Runnable delivery) {
        int before = unroutableCount();
        delivery.run();
        assertEquals(before + 1, unroutableCount(), name + ": recorded exactly once");
        REPORT.add(name + " -> recorded as unroutable, acknowledged");
    }

    private void ingestBody(String name, String body) {
        SQSBatchResponse r = stack.ingest.handleRequest(Stack.sqs(java.util.Collections.singletonList(body)), null);
        assertTrue(r.getBatchItemFailures().isEmpty(), name);
    }

    private void completionBody(String name, String body) {
        SQSBatchResponse r = stack.completion.handleRequest(Stack.sqs(List.of(body)), null);
        assertTrue(r.getBatchItemFailures().isEmpty(), name);
    }

    @Test
    void malformedMessagesAreRecordedAndAcknowledged() {
        expectUnroutable("SQS body not JSON", () -> ingestBody("a", "{\"Records\": [ {"));
        expectUnroutable("SQS body JSON without Records", () -> ingestBody("b", "{\"hello\":\"world\"}"));
        expectUnroutable("S3 record without a key", () -> ingestBody("c",
                "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"}}}]}"));
        expectUnroutable("SQS message with no body", () -> ingestBody("d", null));
        expectUnroutable("SNS envelope not JSON", () -> completionBody("e", "<xml/>"));
        expectUnroutable("SNS Message not JSON", () -> completionBody("f", AwsEvents.sns("Notification", "not json")));
        expectUnroutable("SNS SubscriptionConfirmation", () -> completionBody("g", AwsEvents.sns("SubscriptionConfirmation", "{}")));
        expectUnroutable("notification for an unknown job id", () -> completionBody("h", AwsEvents.sns("Notification",
                Stack.asyncNotification(JobIds.random(), "Completed", "s3://a/b", "s3://a/c", null))));
        expectUnroutable("inferenceId that is no job id", () -> completionBody("i", AwsEvents.sns("Notification",
                Stack.asyncNotification("../../etc", "Completed", "s3://a/b", "s3://a/c", null))));
        expectUnroutable("EventBridge event without detail", () -> stack.processing.handleRequest(
                Map.of("detail-type", "SageMaker Processing Job State Change", "id", "ev-1"), null));
        expectUnroutable("processing event for an unknown job", () -> stack.processing.handleRequest(
                Stack.processingEvent(JobIds.processingJobName(JobIds.random()), "Completed", null), null));

        int before = unroutableCount();
        ingestBody("test event", "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"" + stack.drop + "\"}");
        ingestBody("delete event", AwsEvents.s3Event("ObjectRemoved:Delete", stack.drop, "incoming/x.mp4", "e", 0, AwsEvents.nextSequencer()));
        stack.processing.handleRequest(Stack.processingEvent("someone-elses-job", "Completed", null), null);
        stack.processing.handleRequest(null, null);
        assertEquals(before + 1, unroutableCount(), "only the null event is recorded; the rest are normal traffic");
        REPORT.add("s3:TestEvent, ObjectRemoved event, foreign processing job -> logged and acknowledged; null EventBridge event -> recorded");
    }

    // --- API -------------------------------------------------------------------------------------

    private void expectHttp(String name, int status, APIGatewayV2HTTPEvent event) throws Exception {
        APIGatewayV2HTTPResponse r = stack.api.handleRequest(event, null);
        assertEquals(status, r.getStatusCode(), name + ": " + r.getBody());
        JsonNode body = JSON.readTree(r.getBody());
        assertTrue(body.path("message").asText().length() > 5, name);
        REPORT.add(name + " -> HTTP " + status + " " + body.path("error").asText() + ": " + body.path("message").asText());
    }

    @Test
    void badApiRequestsGetJsonErrors() throws Exception {
        expectHttp("API malformed JSON", 400, Stack.http("POST", "/jobs", null, "{\"fileName\": \"a.mp4\""));
        expectHttp("API 10 GB declared size", 413, Stack.http("POST", "/jobs", null,
                "{\"fileName\":\"big.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10000000000}"));
        expectHttp("API unsupported content type", 415, Stack.http("POST", "/jobs", null,
                "{\"fileName\":\"a.mp4\",\"contentType\":\"application/pdf\",\"sizeBytes\":100}"));
        expectHttp("API path traversal file name", 400, Stack.http("POST", "/jobs", null,
                "{\"fileName\":\"../../a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":100}"));
        expectHttp("API odd unicode file name", 400, Stack.http("POST", "/jobs", null,
                "{\"fileName\":\"a\\u202Egpj.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":100}"));
        expectHttp("API unknown job id", 404, Stack.http("GET", "/jobs/" + JobIds.random(), null, null));
        expectHttp("API tampered nextToken", 400, Stack.http("GET", "/jobs", Map.of("status", "RUNNING", "nextToken", "eyJzIjoi"), null));
        expectHttp("API wrong method", 405, Stack.http("PUT", "/jobs", null, "{}"));
        APIGatewayV2HTTPEvent b64 = Stack.http("POST", "/jobs", null, "!!not base64!!");
        b64.setIsBase64Encoded(true);
        expectHttp("API invalid base64 body", 400, b64);
        expectHttp("API request body over 16 KiB", 413, Stack.http("POST", "/jobs", null, "{\"fileName\":\"" + "a".repeat(17_000) + ".mp4\"}"));
        expectHttp("API empty event", 400, null);
    }
}
