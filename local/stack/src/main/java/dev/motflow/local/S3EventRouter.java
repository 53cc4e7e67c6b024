package dev.motflow.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.motflow.jobs.service.JobsConfig;

/**
 * S3 event notifications, locally: s3rver posts its events to this webhook, and each ObjectCreated
 * record becomes one SQS message (the notification JSON as the body, as S3 sends it) on the queue
 * the CDK app routes it to: {@code incoming/} of the drop bucket to the ingest, {@code labelled/} to
 * the retraining trigger. The webhook answers only once every record is stored in its durable queue;
 * until then s3rver keeps the event in its journal ({@code <data>/s3-events/}) and retries.
 */
final class S3EventRouter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server = LoopbackServers.bind(0);
    private final String dropBucket;
    private final String labelledBucket;

    S3EventRouter(String dropBucket, String labelledBucket) {
        this.dropBucket = dropBucket;
        this.labelledBucket = labelledBucket;
    }

    /** Where s3rver posts its events. */
    URI webhook() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/s3-events");
    }

    /** Starts delivering: drop-bucket uploads to {@code ingest}, labelled data to {@code labelled}. */
    void start(LocalQueue ingest, LocalQueue labelled) {
        server.createContext("/s3-events", ex -> route(ex, ingest, labelled));
        server.setExecutor(Executors.newSingleThreadExecutor(LoopbackServers.daemon("s3-events")));
        server.start();
    }

    private void route(HttpExchange ex, LocalQueue ingest, LocalQueue labelled) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            JsonNode event = JSON.readTree(body);
            for (JsonNode record : event.path("Records")) {
                if (!record.path("eventName").asText().startsWith("ObjectCreated:")) {
                    continue;
                }
                String bucket = record.path("s3").path("bucket").path("name").asText();
                String key = record.path("s3").path("object").path("key").asText();
                // One record per message, as S3 sends them; the queues see the notification JSON as the body.
                String message = JSON.createObjectNode().set("Records", JSON.createArrayNode().add(record)).toString();
                if (bucket.equals(dropBucket) && key.startsWith(JobsConfig.DROP_PREFIX)) {
                    ingest.send(message);
                } else if (bucket.equals(labelledBucket) && key.startsWith("labelled/")) {
                    labelled.send(message);
                }
            }
            ex.sendResponseHeaders(204, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
