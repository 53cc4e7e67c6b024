package dev.motflow.jobs.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.service.JobsConfig;
import dev.motflow.jobs.store.PageTokenKeys;
import dev.motflow.jobs.store.PageTokens;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.MutableClock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The API's answer when DynamoDB is down, hangs, throttles or fails: 503 + Retry-After +
 * {@code {"error": "ServiceUnavailable", ...}} within 2 s (the API clients' timeouts and retries of
 * {@link JobsRuntime#apiClientOverrides}); an error that is not an outage stays a 500.
 */
class JobApiOutageTest {
    /** The answer must come within this (the bound; the clients' own budget is 1.5 s). */
    private static final long FAST_MILLIS = 2_000;

    private final JobsConfig config = new JobsConfig("motflow-jobs", "results", "drop", "motflow-tracker",
            JobsConfig.DEFAULT_MAX_ASYNC_BYTES, JobsConfig.DEFAULT_MAX_UPLOAD_BYTES, "incoming/batch/", null, null,
            "ml.g5.xlarge", null, 3600, null, java.time.Duration.ofMinutes(15));

    /** A port nothing listens on (bound and released; connections to it are refused). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private JobApi apiOn(URI dynamoEndpoint) {
        DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(dynamoEndpoint).region(LocalAws.REGION)
                .credentialsProvider(LocalAws.CREDENTIALS).httpClient(JobsRuntime.apiHttpClient())
                .overrideConfiguration(JobsRuntime.apiClientOverrides()).build();
        return JobsRuntime.api(config, dynamo, LocalAws.s3Presigner(URI.create("http://127.0.0.1:1")),
                PageTokens.withKey(PageTokenKeys.random()), new MutableClock(Instant.parse("2026-12-01T08:00:00Z")));
    }

    /** Every route that reads or writes the table. */
    private static List<HttpRequest> requests() {
        String job = JobIds.random();
        Map<String, String> json = Map.of("content-type", "application/json");
        List<HttpRequest> r = new ArrayList<>();
        r.add(new HttpRequest("POST", "/jobs", json, Map.of(),
                "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10}".getBytes(StandardCharsets.UTF_8)));
        r.add(new HttpRequest("GET", "/jobs/" + job, new HashMap<>(), Map.of(), null));
        r.add(new HttpRequest("GET", "/jobs", new HashMap<>(), Map.of("status", "RUNNING"), null));
        r.add(new HttpRequest("GET", "/jobs/" + job + "/tracks", new HashMap<>(), Map.of(), null));
        return r.stream().map(q -> q.withCaller(dev.motflow.common.http.Caller.iam("arn:aws:iam::000000000000:user/test"))).toList();
    }

    private static void assertFast503(JobApi api) throws Exception {
        for (HttpRequest req : requests()) {
            long start = System.nanoTime();
            HttpResponse r = api.handle(req);
            long millis = (System.nanoTime() - start) / 1_000_000;
            String what = req.method() + " " + req.path() + " -> " + r.status() + " " + r.body() + " in " + millis + " ms";
            System.out.println("outage: " + what);
            assertEquals(503, r.status(), what);
            assertEquals("1", r.headers().get("Retry-After"), what);
            JsonNode b = JobsJson.MAPPER.readTree(r.body());
            assertEquals("ServiceUnavailable", b.path("error").asText(), what);
            assertTrue(b.path("message").asText().contains("retry"), what);
            assertEquals(2, b.size(), what);
            assertTrue(millis < FAST_MILLIS, what);
        }
    }

    @Test
    void dynamoDbRefusingConnectionsIsAFast503() throws Exception {
        assertFast503(apiOn(URI.create("http://127.0.0.1:" + closedPort())));
    }

    @Test
    void dynamoDbThatAcceptsButNeverAnswersIsA503WithinTheCallTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress("127.0.0.1", 0));
            List<Socket> held = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket s = silent.accept();
                        synchronized (held) {
                            held.add(s); // read nothing, answer nothing
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            try {
                assertFast503(apiOn(URI.create("http://127.0.0.1:" + silent.getLocalPort())));
            } finally {
                silent.close();
                acceptor.join();
                synchronized (held) {
                    for (Socket s : held) {
                        s.close();
                    }
                }
            }
        }
    }

    @Test
    void throttlingAnd5xxAre503ButAValidationErrorIsA500() throws Exception {
        // A DynamoDB-protocol endpoint answering every call with one error, as the service does under load.
        for (String[] answer : new String[][] {
                {"400", "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "503"},
                {"400", "com.amazonaws.dynamodb.v20120810#ThrottlingException", "503"},
                {"500", "com.amazonaws.dynamodb.v20120810#InternalServerError", "503"},
                {"503", "com.amazonaws.dynamodb.v20120810#ServiceUnavailable", "503"},
                {"400", "com.amazon.coral.validate#ValidationException", "500"}}) {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    in.readAllBytes();
                }
                byte[] body = ("{\"__type\":\"" + answer[1] + "\",\"message\":\"injected\"}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                exchange.getResponseHeaders().add("x-amzn-ErrorType", answer[1].substring(answer[1].indexOf('#') + 1));
                exchange.sendResponseHeaders(Integer.parseInt(answer[0]), body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            try {
                JobApi api = apiOn(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
                if (answer[2].equals("503")) {
                    assertFast503(api);
                } else {
                    HttpResponse r = api.handle(requests().get(1));
                    assertEquals(500, r.status(), r.body());
                    JsonNode b = JobsJson.MAPPER.readTree(r.body());
                    assertEquals("InternalError", b.path("error").asText());
                    assertEquals(null, r.headers().get("Retry-After"));
                }
            } finally {
                server.stop(0);
            }
        }
    }
}
