package dev.motflow.jobs.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import dev.motflow.common.http.HttpRequest;
import dev.motflow.common.http.HttpResponse;
import dev.motflow.jobs.JobsJson;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.store.PageTokenKeys;
import dev.motflow.jobs.store.PageTokens;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.MutableClock;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The AWS key source: the secret is read with GetSecretValue once, on the first request that needs
 * it, and kept; while Secrets Manager is unreachable a request that needs the key is a fast 503.
 * Secrets Manager has no local emulator here: a small server answers its JSON protocol.
 */
class PageTokenSecretTest {
    private static final Local LOCAL = new Local();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));

    private static SecretsManagerClient secretsAt(URI endpoint) {
        return SecretsManagerClient.builder().endpointOverride(endpoint).region(LocalAws.REGION)
                .credentialsProvider(LocalAws.CREDENTIALS).httpClient(JobsRuntime.apiHttpClient())
                .overrideConfiguration(JobsRuntime.apiClientOverrides()).build();
    }

    private static HttpResponse get(JobApi api, Map<String, String> query) {
        return api.handle(new HttpRequest("GET", "/jobs", new HashMap<>(), query, null).withCaller(dev.motflow.common.http.Caller.iam("arn:aws:iam::000000000000:user/test")));
    }

    private void createJobs(JobApi api, int n) {
        for (int i = 0; i < n; i++) {
            clock.advance(Duration.ofSeconds(1));
            HttpResponse r = api.handle(new HttpRequest("POST", "/jobs", Map.of("content-type", "application/json"), Map.of(),
                    ("{\"fileName\":\"s" + i + ".mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10}").getBytes(StandardCharsets.UTF_8)).withCaller(dev.motflow.common.http.Caller.iam("arn:aws:iam::000000000000:user/test")));
            assertEquals(201, r.status(), r.body());
        }
    }

    @Test
    void theSecretIsReadOnceOnFirstUseAndSignsTheTokens() throws Exception {
        String secretValue = "k".repeat(64);
        List<String> calls = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            synchronized (calls) {
                calls.add(exchange.getRequestHeaders().getFirst("X-Amz-Target") + " " + body);
            }
            byte[] out = ("{\"ARN\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:page-AbCdEf\",\"Name\":\"page\","
                    + "\"SecretString\":\"" + secretValue + "\",\"VersionId\":\"v1\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(200, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        try {
            JobApi api = JobsRuntime.api(LOCAL.config(), LOCAL.aws.dynamo(), LOCAL.aws.s3Presigner(),
                    new PageTokens(PageTokenKeys.secretsManager(secretsAt(URI.create("http://127.0.0.1:"
                            + server.getAddress().getPort())), "page")), clock);
            createJobs(api, 3);
            assertEquals(List.of(), calls, "no key is needed until a page has a token");
            String token = JobsJson.MAPPER.readTree(get(api, Map.of("status", "AWAITING_UPLOAD", "limit", "1")).body())
                    .path("nextToken").asText();
            HttpResponse second = get(api, Map.of("status", "AWAITING_UPLOAD", "limit", "1", "nextToken", token));
            assertEquals(200, second.status(), second.body());
            assertEquals(1, calls.size(), "read once, then kept: " + calls);
            assertTrue(calls.get(0).startsWith("secretsmanager.GetSecretValue ") && calls.get(0).contains("\"SecretId\":\"page\""),
                    calls.toString());
            // the token is tagged with the secret's value: another API with the same value accepts it
            JobApi same = JobsRuntime.api(LOCAL.config(), LOCAL.aws.dynamo(), LOCAL.aws.s3Presigner(),
                    PageTokens.withKey(secretValue.getBytes(StandardCharsets.UTF_8)), clock);
            assertEquals(200, get(same, Map.of("status", "AWAITING_UPLOAD", "limit", "1", "nextToken", token)).status());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void secretsManagerUnreachableIsAFast503() throws Exception {
        JobApi api = JobsRuntime.api(LOCAL.config(), LOCAL.aws.dynamo(), LOCAL.aws.s3Presigner(),
                new PageTokens(PageTokenKeys.secretsManager(secretsAt(URI.create("http://127.0.0.1:"
                        + JobApiOutageTest.closedPort())), "page")), clock);
        createJobs(api, 2);
        long start = System.nanoTime();
        HttpResponse r = get(api, Map.of("status", "AWAITING_UPLOAD", "limit", "1"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, r.status(), r.body());
        assertEquals("1", r.headers().get("Retry-After"));
        JsonNode b = JobsJson.MAPPER.readTree(r.body());
        assertEquals("ServiceUnavailable", b.path("error").asText());
        assertTrue(millis < 2_000, millis + " ms");
    }
}
