package dev.motflow.local;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The CLI's side of the HTTP API (docs/handlers.md): plain HTTP to the local server, as a user's client would do. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiClient(URI base) {
        this.base = base;
    }

    URI base() {
        return base;
    }

    /** An answer of the API: status and JSON body. */
    record Answer(int status, JsonNode body) {
        Answer expect(int wanted, String what) {
            if (status != wanted) {
                throw new LocalStackException(what + " failed: HTTP " + status + " " + body.path("message").asText(body.toString()));
            }
            return this;
        }
    }

    Answer get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).GET().build());
    }

    Answer delete(String pathAndQuery) {
        return send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).DELETE().build());
    }

    Answer postJson(String path, JsonNode body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
            return new Answer(r.statusCode(), body);
        } catch (IOException e) {
            throw new LocalStackException("the motflow API at " + base + " did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted");
        }
    }

    /** PUT a file to a presigned upload as POST /jobs described it (method, url, headers). */
    void upload(JsonNode upload, Path file) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(upload.path("url").asText())).timeout(Duration.ofMinutes(30))
                    .method(upload.path("method").asText("PUT"), HttpRequest.BodyPublishers.ofFile(file));
        } catch (java.io.FileNotFoundException e) {
            throw new LocalStackException("no such file: " + file);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = upload.path("headers").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> h = it.next();
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            if (!name.equals("host") && !name.equals("content-length")) {
                b.header(h.getKey(), h.getValue().asText());
            }
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new LocalStackException("upload refused: HTTP " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new LocalStackException("upload failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted");
        }
    }

    byte[] download(String url) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new LocalStackException("download of " + url + " failed: HTTP " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new LocalStackException("download failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted");
        }
    }

    /** Every page of GET /jobs/{id}/tracks, as one document. */
    ObjectNode allTracks(String jobId) {
        ObjectNode all = null;
        String token = null;
        do {
            String q = "/jobs/" + jobId + "/tracks?limit=500" + (token == null ? "" : "&nextToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            JsonNode page = get(q).expect(200, "GET /jobs/" + jobId + "/tracks").body();
            if (all == null) {
                all = ((ObjectNode) page).deepCopy();
                all.remove("nextToken");
            } else {
                ((ArrayNode) all.withArray("tracks")).addAll((ArrayNode) page.path("tracks"));
            }
            token = page.path("nextToken").asText(null);
        } while (token != null);
        return all;
    }
}
