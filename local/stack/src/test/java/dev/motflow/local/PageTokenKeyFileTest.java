package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The local stack's page token key: 32 random bytes made in the data folder on first start
 * (owner-only), kept across a restart so that a token issued before it still pages; a token
 * signed with any other key is a 400 over HTTP.
 */
class PageTokenKeyFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalStack start(Path data) {
        return LocalStack.start(new LocalStack.Options(RepoRoot.find(), data, 0, Map.of(), line -> { }));
    }

    private static HttpResponse<String> send(LocalStack stack, String method, String pathAndQuery, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.apiUrl().toString().replaceAll("/$", "") + pathAndQuery))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void keyIsMadeOnceOwnerOnlyAndTokensOutliveARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Path keyFile = data.resolve(LocalStack.PAGE_TOKEN_KEY_FILE);
        String token;
        byte[] key;
        try (LocalStack stack = start(data)) {
            key = Files.readAllBytes(keyFile);
            assertEquals(32, key.length);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
            for (int i = 0; i < 2; i++) {
                assertEquals(201, send(stack, "POST", "/jobs", "{\"fileName\":\"k" + i
                        + ".mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10}").statusCode());
            }
            JsonNode first = JSON.readTree(send(stack, "GET", "/jobs?status=AWAITING_UPLOAD&limit=1", null).body());
            token = first.path("nextToken").asText();
            // a token shaped like a real one, tagged with a key that is not the stack's
            byte[] raw = Base64.getUrlDecoder().decode(token);
            raw[raw.length - 3] ^= 0x55;
            String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            HttpResponse<String> refused = send(stack, "GET", "/jobs?status=AWAITING_UPLOAD&nextToken="
                    + URLEncoder.encode(forged, StandardCharsets.UTF_8), null);
            assertEquals(400, refused.statusCode(), refused.body());
            assertEquals("InvalidPageToken", JSON.readTree(refused.body()).path("error").asText());
        }
        try (LocalStack stack = start(data)) {
            assertArrayEquals(key, Files.readAllBytes(keyFile), "a restart keeps the key");
            HttpResponse<String> second = send(stack, "GET", "/jobs?status=AWAITING_UPLOAD&limit=1&nextToken="
                    + URLEncoder.encode(token, StandardCharsets.UTF_8), null);
            assertEquals(200, second.statusCode(), second.body());
            assertEquals(1, JSON.readTree(second.body()).path("jobs").size());
        }
    }
}
