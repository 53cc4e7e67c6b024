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

import dev.motflow.common.http.Caller;
import dev.motflow.common.http.HttpResponse;
import dev.motflow.jobs.api.JobApi;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.testing.Local;
import dev.motflow.jobs.service.Tenancy;
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

    private static final Caller TESTER = Caller.iam("arn:aws:iam::000000000000:user/test");

    private HttpResponse call(String method, String path, Map<String, String> query, String body) {
        return callAs(rt.api(), TESTER, method, path, query, body);
    }

    private static HttpResponse callAs(JobApi api, Caller who, String method, String path, Map<String, String> query,
                                       String body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        return api.handle(new dev.motflow.common.http.HttpRequest(method, path, headers, query, bytes(body), who));
    }

    /** A caller of its own for one test: its lists hold only what the test made. */
    private static Caller freshUser(String name) {
        return Caller.iam("arn:aws:iam::000000000000:user/" + name + "-" + JobIds.random().substring(0, 8));
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
        assertError(415, rt.api().handle(new dev.motflow.common.http.HttpRequest("POST", "/jobs", Map.of("content-type", "text/plain"), Map.of(), bytes("{}"), TESTER)));
        assertError(400, call("POST", "/jobs", Map.of(), "{\"fileName\":"));
        assertError(400, call("POST", "/jobs", Map.of(), "[1,2]"));
        assertError(413, rt.api().handle(new dev.motflow.common.http.HttpRequest("POST", "/jobs", Map.of("content-type", "application/json"), Map.of(),
                new byte[JobApi.MAX_BODY_BYTES + 1], TESTER)));
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

    private static final String ADMIN_ARN = "arn:aws:iam::000000000000:role/motflow-operator";

    /** The API with {@code ADMIN_PRINCIPALS} naming {@link #ADMIN_ARN}. */
    private JobApi adminAwareApi() {
        return JobsRuntime.api(LOCAL.config(1L << 30, 5L << 30), LOCAL.aws.dynamo(), LOCAL.aws.s3Presigner(),
                dev.motflow.jobs.store.PageTokens.withKey(dev.motflow.jobs.store.PageTokenKeys.random()), clock,
                Tenancy.fromMap(Map.of(Tenancy.ADMIN_PRINCIPALS_ENV, " " + ADMIN_ARN + ", cognito:nobody")));
    }

    private static String create(JobApi api, Caller who, String fileName) throws Exception {
        HttpResponse r = callAs(api, who, "POST", "/jobs", Map.of(),
                "{\"fileName\":\"" + fileName + "\",\"contentType\":\"video/mp4\",\"sizeBytes\":10}");
        assertEquals(201, r.status(), r.body());
        return json(r).path("jobId").asText();
    }

    private static java.util.List<String> ids(HttpResponse list) throws Exception {
        assertEquals(200, list.status(), list.body());
        java.util.List<String> out = new java.util.ArrayList<>();
        json(list).path("jobs").forEach(j -> out.add(j.path("jobId").asText()));
        return out;
    }

    @Test
    void aJobIsItsCreatorsAndAnotherCallerSeesNoSuchJob() throws Exception {
        JobApi api = adminAwareApi();
        Caller ana = freshUser("ana");
        Caller bo = Caller.cognito("bo-" + JobIds.random().substring(0, 8), java.util.Set.of("viewers"));
        String anas = create(api, ana, "ana.mp4");
        String bos = create(api, bo, "bo.mp4");

        assertEquals(200, callAs(api, ana, "GET", "/jobs/" + anas, Map.of(), null).status());
        // another owner's job reads exactly as a missing one: same status, same error code
        HttpResponse hidden = callAs(api, bo, "GET", "/jobs/" + anas, Map.of(), null);
        assertError(404, hidden);
        assertEquals(json(callAs(api, bo, "GET", "/jobs/" + JobIds.random(), Map.of(), null)).path("error"),
                json(hidden).path("error"));
        assertError(404, callAs(api, bo, "GET", "/jobs/" + anas + "/tracks", Map.of(), null));
        assertEquals(200, callAs(api, bo, "GET", "/jobs/" + bos + "/tracks", Map.of(), null).status());

        Map<String, String> waiting = Map.of("status", "AWAITING_UPLOAD", "limit", "100");
        assertEquals(java.util.List.of(anas), ids(callAs(api, ana, "GET", "/jobs", waiting, null)));
        assertEquals(java.util.List.of(bos), ids(callAs(api, bo, "GET", "/jobs", waiting, null)));

        Caller admin = Caller.iam(ADMIN_ARN);
        assertEquals(200, callAs(api, admin, "GET", "/jobs/" + anas, Map.of(), null).status());
        assertEquals(200, callAs(api, admin, "GET", "/jobs/" + bos + "/tracks", Map.of(), null).status());
        java.util.List<String> all = ids(callAs(api, admin, "GET", "/jobs", waiting, null));
        assertTrue(all.contains(anas) && all.contains(bos), "an admin lists every owner's jobs: " + all);
        Caller groupAdmin = Caller.cognito("ops", java.util.Set.of(Tenancy.ADMIN_GROUP));
        assertEquals(200, callAs(api, groupAdmin, "GET", "/jobs/" + anas, Map.of(), null).status());

        // an admin-named principal of the env list is not an admin on an API without that list
        assertError(404, callAs(rt.api(), admin, "GET", "/jobs/" + anas, Map.of(), null));
    }

    @Test
    void aRequestWithoutAnAuthenticatedCallerIs401() throws Exception {
        for (String path : java.util.List.of("/jobs", "/jobs/" + JobIds.random(), "/jobs/" + JobIds.random() + "/tracks")) {
            HttpResponse r = callAs(rt.api(), null, "GET", path, Map.of("status", "RUNNING"), null);
            assertError(401, r);
            assertEquals("Unauthenticated", json(r).path("error").asText());
        }
        assertError(401, callAs(rt.api(), null, "POST", "/jobs", Map.of(),
                "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10}"));
    }

    @Test
    void aDroppedObjectsJobIsOwnedByItsDropAndOnlyAdminsSeeIt() throws Exception {
        JobApi api = adminAwareApi();
        byte[] video = Videos.mp4(200);
        String key = "incoming/cams/" + JobIds.random().substring(0, 6) + ".mp4";
        LOCAL.aws.s3().putObject(b -> b.bucket(LOCAL.drop).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(video));
        String eTag = LOCAL.aws.s3().headObject(b -> b.bucket(LOCAL.drop).key(key)).eTag().replace("\"", "");
        String sequencer = AwsEvents.nextSequencer();
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("m", AwsEvents.s3Put(LOCAL.drop, key, eTag, video.length, sequencer)));
        String jobId = JobIds.forObject(new dev.motflow.jobs.model.S3ObjectRef(LOCAL.drop, key, null, eTag, sequencer, video.length));
        assertEquals("drop:" + LOCAL.drop + "/incoming/cams/",
                new dev.motflow.jobs.store.JobRepository(LOCAL.aws.dynamo(), LOCAL.table, clock).get(jobId).orElseThrow().owner());
        assertError(404, callAs(api, TESTER, "GET", "/jobs/" + jobId, Map.of(), null));
        assertEquals(200, callAs(api, Caller.iam(ADMIN_ARN), "GET", "/jobs/" + jobId, Map.of(), null).status());
    }

    @Test
    void anOwnersListPagesThroughOtherOwnersJobsWithoutSkippingOrRepeating() throws Exception {
        JobApi api = adminAwareApi();
        Caller ana = freshUser("ana");
        Caller bo = freshUser("bo");
        java.util.List<String> anas = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            clock.advance(java.time.Duration.ofSeconds(1));
            if (i % 3 == 0) {
                anas.add(0, create(api, ana, "a" + i + ".mp4"));
            } else {
                create(api, bo, "b" + i + ".mp4");
            }
        }
        java.util.List<String> seen = new java.util.ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            Map<String, String> q = new HashMap<>(Map.of("status", "AWAITING_UPLOAD", "limit", "2"));
            if (token != null) {
                q.put("nextToken", token);
            }
            HttpResponse r = callAs(api, ana, "GET", "/jobs", q, null);
            seen.addAll(ids(r));
            token = json(r).path("nextToken").isTextual() ? json(r).path("nextToken").asText() : null;
            pages++;
        } while (token != null && pages < 10);
        assertEquals(anas, seen, "ana's jobs, newest first, each once");
        assertEquals(2, pages);

        // a token of ana's list is refused in bo's
        HttpResponse first = callAs(api, ana, "GET", "/jobs", Map.of("status", "AWAITING_UPLOAD", "limit", "1"), null);
        assertError(400, callAs(api, bo, "GET", "/jobs", Map.of("status", "AWAITING_UPLOAD", "limit", "1",
                "nextToken", json(first).path("nextToken").asText()), null));
    }

    @Test
    void thePresignedPutSignsTheDeclaredSize() throws Exception {
        byte[] video = Videos.mp4(300);
        HttpResponse created = call("POST", "/jobs", Map.of(),
                "{\"fileName\":\"sized.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":" + video.length + "}");
        JsonNode upload = json(created).path("upload");
        assertEquals(Integer.toString(video.length), upload.at("/headers/Content-Length").asText());
        String url = upload.path("url").asText();
        String signed = java.net.URLDecoder.decode(url.replaceAll(".*[?&]X-Amz-SignedHeaders=([^&]*).*", "$1"),
                java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(java.util.Arrays.asList(signed.split(";")).contains("content-length"), "signed headers: " + signed);

        // S3 refuses a PUT whose Content-Length differs from the signed one (SignatureDoesNotMatch).
        // s3rver does not check it: such an upload lands, and ingest rejects it against the declared size.
        byte[] bigger = java.util.Arrays.copyOf(video, video.length + 4096);
        java.net.http.HttpResponse<String> put = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "video/mp4")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(bigger)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        String key = upload.path("key").asText();
        String eTag = LOCAL.aws.s3().headObject(b -> b.bucket(LOCAL.drop).key(key)).eTag().replace("\"", "");
        assertEquals(Outcome.DONE, rt.ingest().handleMessage("m", AwsEvents.s3Put(LOCAL.drop, key, eTag, bigger.length,
                AwsEvents.nextSequencer())));
        JsonNode job = json(call("GET", "/jobs/" + json(created).path("jobId").asText(), Map.of(), null));
        assertEquals("REJECTED", job.path("status").asText(), job.toString());
        assertTrue(job.path("reason").asText().contains("declared " + video.length), job.toString());
        assertTrue(LOCAL.sm.calls("InvokeEndpointAsync").isEmpty(), "nothing was started for it");
    }
}
