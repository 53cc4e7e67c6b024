package dev.motflow.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

/**
 * SageMaker Runtime's InvokeEndpoint in front of the serving container ({@code motflow_ml.serve} of
 * the deployed model): the request goes to its {@code /invocations}; its errors become SageMaker's
 * 424 ModelError, as a real endpoint reports them.
 */
final class ServingProxy {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Containers containers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ServingProxy(Containers containers) {
        this.containers = containers;
    }

    /** One call of the serving container's /invocations (started first if needed). */
    HttpResponse<byte[]> call(String contentType, String accept, byte[] body) {
        URI base = containers.endpoint();
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/invocations")).timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new LocalStackException("the model server did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted");
        }
    }

    /** Answers an InvokeEndpoint exchange the way SageMaker Runtime does. */
    void invoke(HttpExchange ex, byte[] body) throws IOException {
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        String accept = ex.getRequestHeaders().getFirst("Accept");
        HttpResponse<byte[]> r;
        try {
            r = call(contentType, accept, body);
        } catch (LocalStackException e) {
            byte[] err = JSON.createObjectNode().put("message", e.getMessage()).toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("x-amzn-ErrorType", "ValidationError:http://internal.amazon.com/coral/com.amazon.sagemaker/");
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(400, err.length);
            ex.getResponseBody().write(err);
            return;
        }
        if (r.statusCode() / 100 == 2) {
            ex.getResponseHeaders().add("Content-Type", r.headers().firstValue("content-type").orElse("application/octet-stream"));
            ex.getResponseHeaders().add("x-Amzn-Invoked-Production-Variant", "AllTraffic");
            ex.sendResponseHeaders(200, r.body().length == 0 ? -1 : r.body().length);
            if (r.body().length > 0) {
                ex.getResponseBody().write(r.body());
            }
            return;
        }
        String message = new String(r.body(), StandardCharsets.UTF_8);
        byte[] err = JSON.createObjectNode().put("OriginalStatusCode", r.statusCode()).put("OriginalMessage", message)
                .put("message", "Received client error (" + r.statusCode() + ") from primary with message \"" + message + "\".")
                .toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("x-amzn-ErrorType", "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/");
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(424, err.length);
        ex.getResponseBody().write(err);
    }
}
