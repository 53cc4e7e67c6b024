package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * kill -9 of the local stack's dynalite (as the issue's adversarial run did): the jobs API answers
 * every route with 503 + Retry-After within 2 s. For comparison it prints how long a DynamoDB client
 * with the job handlers' retry strategy (the stack's shared client) takes to give up on the same call.
 */
class JobsApiOutageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void dynaliteKilledGivesFast503s(@TempDir Path dir) throws Exception {
        try (LocalStack stack = LocalStack.start(new LocalStack.Options(RepoRoot.find(), dir.resolve("data"), 0, Map.of(),
                line -> { }))) {
            HttpClient http = HttpClient.newHttpClient();
            String base = stack.apiUrl().toString().replaceAll("/$", "");
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/jobs"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            String job = JSON.readTree(created.body()).path("jobId").asText();

            ProcessHandle dynalite = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("dynalite-server.mjs")).findFirst()
                    .orElseThrow(() -> new AssertionError("the stack's dynalite process was not found"));
            stack.unsuperviseStorage(); // the outage must last: the supervisor would bring dynalite back within a second
            dynalite.destroyForcibly(); // SIGKILL
            dynalite.onExit().get(10, TimeUnit.SECONDS);

            for (String path : List.of("/jobs/" + job, "/jobs?status=RUNNING", "/jobs/" + job + "/tracks")) {
                long start = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.printf("dynalite killed: GET %s -> %d in %d ms%n", path, r.statusCode(), millis);
                assertEquals(503, r.statusCode(), r.body());
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                JsonNode b = JSON.readTree(r.body());
                assertEquals("ServiceUnavailable", b.path("error").asText(), r.body());
                assertTrue(millis < 2_000, path + " took " + millis + " ms");
            }

            // The stack's shared client (the job handlers' retry strategy), for comparison (a figure, not asserted).
            DynamoDbClient shared = stack.dynamo();
            long start = System.nanoTime();
            try {
                shared.getItem(b -> b.tableName(LocalStack.TABLE).key(Map.of("pk", AttributeValue.fromS("JOB#" + job),
                        "sk", AttributeValue.fromS("JOB"))));
            } catch (RuntimeException expected) {
                System.out.printf("dynalite killed: GetItem on the shared client (storage retries) gave up after %d ms (%s)%n",
                        (System.nanoTime() - start) / 1_000_000, expected.getClass().getSimpleName());
            }
        }
    }
}
