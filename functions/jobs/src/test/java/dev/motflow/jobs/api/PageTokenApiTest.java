package dev.motflow.jobs.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.Backoff;
import dev.motflow.common.http.HttpRequest;
import dev.motflow.common.http.HttpResponse;
import dev.motflow.jobs.JobsJson;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.TrackSummary;
import dev.motflow.jobs.store.BatchWriter;
import dev.motflow.jobs.store.PageTokenKeys;
import dev.motflow.jobs.store.PageTokens;
import dev.motflow.jobs.store.TrackRepository;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.MutableClock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Page tokens through the API on dynalite: real ones page through, forged, mis-shaped, foreign and
 * huge ones are a 400 {@code InvalidPageToken}, decided before any DynamoDB call.
 */
class PageTokenApiTest {
    private static final Local LOCAL = new Local();
    private final byte[] key = PageTokenKeys.random();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
    private final JobApi api = JobsRuntime.api(LOCAL.config(), LOCAL.aws.dynamo(), LOCAL.aws.s3Presigner(),
            PageTokens.withKey(key), clock);

    private static final dev.motflow.common.http.Caller CALLER =
            dev.motflow.common.http.Caller.iam("arn:aws:iam::000000000000:user/test");
    /** The scope of CALLER's AWAITING_UPLOAD list: a non-admin's list tokens name their owner. */
    private static final String SCOPE = "status:AWAITING_UPLOAD:owner:" + CALLER.owner();

    private static HttpResponse call(JobApi api, String method, String path, Map<String, String> query, String body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        return api.handle(new HttpRequest(method, path, headers, query,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8)).withCaller(CALLER));
    }

    private static JsonNode json(HttpResponse r) throws Exception {
        return JobsJson.MAPPER.readTree(r.body());
    }

    /** A token in the API's format (JSON body + 16 bytes of HMAC-SHA256), signed with {@code key}. */
    static String sign(byte[] key, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] out = Arrays.copyOf(body, body.length + 16);
        System.arraycopy(mac.doFinal(body), 0, out, body.length, 16);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    private String createJob(String name) {
        HttpResponse r = call(api, "POST", "/jobs", Map.of(),
                "{\"fileName\":\"" + name + "\",\"contentType\":\"video/mp4\",\"sizeBytes\":10}");
        assertEquals(201, r.status(), r.body());
        return r.headers().get("Location").substring("/jobs/".length());
    }

    private static void assertInvalidToken(HttpResponse r) throws Exception {
        assertEquals(400, r.status(), r.body());
        JsonNode b = json(r);
        assertEquals("InvalidPageToken", b.path("error").asText(), r.body());
        assertTrue(b.path("message").asText().contains("nextToken"), r.body());
        assertEquals(2, b.size(), "the body is {error, message}: " + r.body());
    }

    @Test
    void realTokensPageThroughJobsAndTracks() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            names.add(0, "p" + i + ".mp4");
            createJob("p" + i + ".mp4");
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            Map<String, String> q = new HashMap<>(Map.of("status", "AWAITING_UPLOAD", "limit", "2"));
            if (token != null) {
                q.put("nextToken", token);
            }
            JsonNode page = json(call(api, "GET", "/jobs", q, null));
            page.path("jobs").forEach(j -> seen.add(j.path("fileName").asText()));
            token = page.path("nextToken").isTextual() ? page.path("nextToken").asText() : null;
            assertTrue(token == null || token.length() < PageTokens.MAX_TOKEN_CHARS, token);
        } while (token != null);
        assertEquals(names, seen.stream().filter(names::contains).toList(), "newest first, each once");

        String job = createJob("tracks.mp4");
        List<TrackSummary> tracks = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            tracks.add(new TrackSummary(i, 1, i * 10, i * 10 + 5, 6, null, List.of(new TrackSummary.Box(i * 10, 1, 2, 3, 4))));
        }
        new TrackRepository(LOCAL.aws.dynamo(), LOCAL.table, new BatchWriter(LOCAL.aws.dynamo(),
                Backoff.of(4, Duration.ofMillis(1), Duration.ofMillis(10)))).putAll(job, tracks);
        List<Integer> ids = new ArrayList<>();
        token = null;
        do {
            Map<String, String> q = new HashMap<>(Map.of("limit", "3"));
            if (token != null) {
                q.put("nextToken", token);
            }
            HttpResponse r = call(api, "GET", "/jobs/" + job + "/tracks", q, null);
            assertEquals(200, r.status(), r.body());
            JsonNode page = json(r);
            page.path("tracks").forEach(t -> ids.add(t.path("trackId").asInt()));
            token = page.path("nextToken").isTextual() ? page.path("nextToken").asText() : null;
        } while (token != null);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), ids);
    }

    @Test
    void forgedMisShapedForeignAndHugeTokensAre400() throws Exception {
        String job = createJob("a.mp4");
        String jobPk = "JOB#" + job;
        String statusKey = "{\"pk\":\"" + jobPk + "\",\"sk\":\"JOB\",\"gsi1pk\":\"STATUS#AWAITING_UPLOAD\","
                + "\"gsi1sk\":\"2026-12-01T08:00:00Z#" + job + "\"}";
        String status = "{\"s\":\"" + SCOPE + "\",\"k\":" + statusKey + "}";
        // the well-formed token is accepted: the cases below fail for the one thing each changes
        assertEquals(200, call(api, "GET", "/jobs", Map.of("status", "AWAITING_UPLOAD", "nextToken", sign(key, status)),
                null).status());

        for (String bad : badTokens(job, status)) {
            assertInvalidToken(call(api, "GET", "/jobs", Map.of("status", "AWAITING_UPLOAD", "nextToken", bad), null));
        }
        // a token of one job's tracks does not page another job's
        String tracksOfA = sign(key, "{\"s\":\"tracks:" + job + ":null:null\",\"k\":{\"pk\":\"" + jobPk
                + "\",\"sk\":\"TRACK#00000001#0000000001\"}}");
        assertEquals(200, call(api, "GET", "/jobs/" + job + "/tracks", Map.of("nextToken", tracksOfA), null).status());
        String other = createJob("b.mp4");
        assertInvalidToken(call(api, "GET", "/jobs/" + other + "/tracks", Map.of("nextToken", tracksOfA), null));
        String otherPartition = sign(key, "{\"s\":\"tracks:" + job + ":null:null\",\"k\":{\"pk\":\"JOB#" + other
                + "\",\"sk\":\"TRACK#00000001#0000000001\"}}");
        assertInvalidToken(call(api, "GET", "/jobs/" + job + "/tracks", Map.of("nextToken", otherPartition), null));
        assertInvalidToken(call(api, "GET", "/jobs/" + job + "/tracks", Map.of("nextToken", sign(key,
                "{\"s\":\"tracks:" + job + ":null:null\",\"k\":{\"pk\":\"" + jobPk + "\",\"sk\":\"JOB\"}}")), null));
    }

    /** Tokens the status list must refuse, each wrong in one way. */
    private List<String> badTokens(String job, String status) throws Exception {
        String jobPk = "JOB#" + job;
        List<String> bad = new ArrayList<>();
        bad.add(sign(PageTokenKeys.random(), status)); // forged: right shape, unknown key
        byte[] raw = Base64.getUrlDecoder().decode(sign(key, status));
        raw[raw.length - 1] ^= 1; // tag edited
        bad.add(Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        bad.add(sign(key, status.replace("status:AWAITING_UPLOAD", "status:RUNNING"))); // another query
        bad.add(sign(key, status.replace(CALLER.owner(), "iam:arn:aws:iam::000000000000:user/other"))); // another owner's list
        bad.add(sign(key, status.replace("\"gsi1pk\":\"STATUS#AWAITING_UPLOAD\"", "\"gsi1pk\":\"STATUS#RUNNING\"")));
        bad.add(sign(key, "{\"s\":\"" + SCOPE + "\",\"k\":{\"pk\":\"" + jobPk + "\"}}")); // key attributes missing
        bad.add(sign(key, status.replace("\"sk\":\"JOB\"", "\"sk\":{\"S\":\"JOB\"}"))); // not a string
        bad.add(sign(key, status.replace("\"sk\":\"JOB\"", "\"sk\":7"))); // a number
        bad.add(sign(key, status.replace("\"sk\":\"JOB\"", "\"sk\":\"JOB\",\"x\":\"y\""))); // extra attribute
        bad.add(sign(key, status.replace("\"pk\":\"" + jobPk + "\"", "\"pk\":\"STREAM#x\""))); // not a job item
        bad.add(sign(key, status.replace("\"k\":", "\"extra\":1,\"k\":"))); // extra field
        bad.add(sign(key, "{\"s\":\"" + SCOPE + "\",\"k\":[]}")); // key not an object
        bad.add(sign(key, "[1,2]")); // not an object at all
        bad.add(sign(key, "not json"));
        bad.add("A".repeat(200_000)); // huge
        bad.add("abc");
        bad.add("%%%%");
        bad.add(Base64.getUrlEncoder().encodeToString(status.getBytes(StandardCharsets.UTF_8))); // untagged, padded
        return bad;
    }

    @Test
    void tokensAreCheckedBeforeAnyDynamoDbCall() throws Exception {
        // The same API on a DynamoDB that is not there: a token check that needed the table would be a 503.
        DynamoDbClient nowhere = DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + JobApiOutageTest.closedPort()))
                .region(LocalAws.REGION).credentialsProvider(LocalAws.CREDENTIALS).httpClient(JobsRuntime.apiHttpClient())
                .overrideConfiguration(JobsRuntime.apiClientOverrides()).build();
        JobApi offline = JobsRuntime.api(LOCAL.config(), nowhere, LOCAL.aws.s3Presigner(), PageTokens.withKey(key), clock);
        String job = JobIds.random();
        String status = "{\"s\":\"" + SCOPE + "\",\"k\":{\"pk\":\"JOB#" + job + "\",\"sk\":\"JOB\","
                + "\"gsi1pk\":\"STATUS#AWAITING_UPLOAD\",\"gsi1sk\":\"2026-12-01T08:00:00Z#" + job + "\"}}";
        for (String bad : badTokens(job, status)) {
            assertInvalidToken(call(offline, "GET", "/jobs", Map.of("status", "AWAITING_UPLOAD", "nextToken", bad), null));
        }
        assertInvalidToken(call(offline, "GET", "/jobs/" + job + "/tracks", Map.of("nextToken", sign(key, status)), null));
        HttpResponse good = call(offline, "GET", "/jobs", Map.of("status", "AWAITING_UPLOAD", "nextToken", sign(key, status)), null);
        assertEquals(503, good.status(), "a good token does reach DynamoDB: " + good.body());
        assertFalse(good.body().contains("InvalidPageToken"));
    }
}
