package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.common.http.HttpResponse;
import dev.motflow.jobs.api.JobApi;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.MutableClock;
import dev.motflow.testsupport.Videos;

class JobApiTest {
    private static final Local LOCAL = new Local();
    private static final ObjectMapper JSON = dev.motflow.jobs.JobsJson.MAPPER;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T06:00:00Z"));
    private JobsRuntime rt;

    @BeforeEach
    void setUp() {
        LOCAL.sm.reset();
        rt = LOCAL.runtime(LOCAL.config(1L << 30, 5L << 30), clock);
    }

    private HttpResponse call(String method, String path, Map<String, String> query, String body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        return rt.api().handle(new dev.motflow.common.http.HttpRequest(method, path, headers, query, bytes(body)));
    }

    private static byte[] bytes(String body) {
        return body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static JsonNode json(HttpResponse r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void postReservesAJobThatTheUploadThroughThePresignedUrlClaims() throws Exception {
        byte[] video = Videos.mp4(300);
        HttpResponse created = call("POST", "/jobs", Map.of(),
                "{\"fileName\":\"Caf\u00e9 cam.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":" + video.length + "}");
        assertEquals(201, created.status(), created.body());
        JsonNode body = json(created);
        String jobId = body.path("jobId").asText();
        assertTrue(JobIds.valid(jobId));
        String key = body.at("/upload/key").asText();
        assertEquals("incoming/" + jobId + "/Caf\u00e9 cam.mp4", key);
        assertEquals("AWAITING_UPLOAD", json(call("GET", "/jobs/" + jobId, Map.of(), null)).path("status").asText());

        java.net.http.HttpResponse<String> put = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(body.at("/upload/url").asText()))
                .header("Content-Type", "video/mp4").PUT(HttpRequest.BodyPublishers.ofByteArray(video)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        String eTag = LOCAL.aws.s3().headObject(b -> b.bucket(LOCAL.drop).key(key)).eTag().replace("\"", "");
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("m", AwsEvents.s3Put(LOCAL.drop, key, eTag, video.length, AwsEvents.nextSequencer())));
        JsonNode job = json(call("GET", "/jobs/" + jobId, Map.of(), null));
        assertEquals("RUNNING", job.path("status").asText(), job.toString());
        assertEquals(jobId, LOCAL.sm.calls("InvokeEndpointAsync").get(0).header("X-Amzn-SageMaker-Inference-Id"));
        assertEquals("AWAITING_UPLOAD", job.at("/history/0/status").asText());
        assertEquals("RECEIVED", job.at("/history/1/status").asText());

        // the console plays the upload through the job's presigned GET: the bytes that were PUT
        java.net.http.HttpResponse<byte[]> played = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(URI.create(job.path("videoUrl").asText())).GET().build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, played.statusCode());
        assertTrue(java.util.Arrays.equals(video, played.body()), "the presigned GET serves the uploaded video");
        assertTrue(job.path("annotatedVideoUrl").isMissingNode(), "the async route has no annotated video: " + job);
    }

    @Test
    void aJobWithoutItsObjectYetHasNoVideoLink() throws Exception {
        HttpResponse created = call("POST", "/jobs", Map.of(),
                "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10}");
        JsonNode job = json(call("GET", "/jobs/" + json(created).path("jobId").asText(), Map.of(), null));
        assertEquals("AWAITING_UPLOAD", job.path("status").asText());
        assertTrue(job.path("videoUrl").isMissingNode(), job.toString());
    }

    @Test
    void rejectsBadRequestsWithTheRightStatus() throws Exception {
        assertError(415, rt.api().handle(new dev.motflow.common.http.HttpRequest("POST", "/jobs", Map.of("content-type", "text/plain"), Map.of(), bytes("{}"))));
        assertError(400, call("POST", "/jobs", Map.of(), "{\"fileName\":"));
        assertError(400, call("POST", "/jobs", Map.of(), "[1,2]"));
        assertError(413, rt.api().handle(new dev.motflow.common.http.HttpRequest("POST", "/jobs", Map.of("content-type", "application/json"), Map.of(),
                new byte[JobApi.MAX_BODY_BYTES + 1])));
        assertError(413, call("POST", "/jobs", Map.of(), "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10000000000}"));
        assertError(415, call("POST", "/jobs", Map.of(), "{\"fileName\":\"a.mp4\",\"contentType\":\"image/png\",\"sizeBytes\":10}"));
        assertError(400, call("POST", "/jobs", Map.of(), "{\"fileName\":\"../a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10}"));
        assertError(400, call("POST", "/jobs", Map.of(), "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":\"10\"}"));
        assertError(400, call("POST", "/jobs", Map.of(), "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10,\"x\":1}"));
        assertError(404, call("GET", "/jobs/" + JobIds.random(), Map.of(), null));
        assertError(404, call("GET", "/jobs/" + JobIds.random() + "/tracks", Map.of(), null));
        assertError(400, call("GET", "/jobs/not-an-id", Map.of(), null));
        HttpResponse method = call("DELETE", "/jobs/" + JobIds.random(), Map.of(), null);
        assertError(405, method);
        assertEquals("GET", method.headers().get("Allow"));
        assertError(404, call("GET", "/elsewhere", Map.of(), null));
        assertError(400, call("GET", "/jobs", Map.of(), null));
        assertError(400, call("GET", "/jobs", Map.of("status", "DONE"), null));
        assertError(400, call("GET", "/jobs", Map.of("status", "RUNNING", "limit", "0"), null));
        assertError(400, call("GET", "/jobs", Map.of("status", "RUNNING", "nextToken", "abc"), null));
    }

    private static void assertError(int status, HttpResponse r) throws Exception {
        assertEquals(status, r.status(), r.body());
        JsonNode b = json(r);
        assertNotNull(b.get("error"), r.body());
        assertTrue(b.path("message").asText().length() > 5, r.body());
        assertEquals("application/json", r.headers().get("Content-Type"));
    }

    @Test
    void listsJobsByStatusInPagesWithTamperCheckedTokens() throws Exception {
        for (int i = 0; i < 5; i++) {
            clock.advance(java.time.Duration.ofSeconds(1));
            assertEquals(201, call("POST", "/jobs", Map.of(), "{\"fileName\":\"v" + i + ".mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10}").status());
        }
        JsonNode first = json(call("GET", "/jobs", Map.of("status", "awaiting_upload", "limit", "2"), null));
        assertEquals(2, first.path("jobs").size());
        assertEquals("v4.mp4", first.at("/jobs/0/fileName").asText(), "newest first");
        String token = first.path("nextToken").asText();
        JsonNode second = json(call("GET", "/jobs", Map.of("status", "AWAITING_UPLOAD", "limit", "2", "nextToken", token), null));
        assertEquals("v2.mp4", second.at("/jobs/0/fileName").asText());
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
        assertEquals(400, call("GET", "/jobs", Map.of("status", "AWAITING_UPLOAD", "nextToken", tampered), null).status());
        assertEquals(400, call("GET", "/jobs", Map.of("status", "RUNNING", "nextToken", token), null).status());
    }
}
