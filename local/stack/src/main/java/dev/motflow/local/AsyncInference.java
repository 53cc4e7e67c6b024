package dev.motflow.local;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The work behind InvokeEndpointAsync (the emulator has already accepted the request and chosen
 * the output and failure locations): read the input object, run it through the serving container,
 * write the answer (or the failure) to S3, then send SageMaker's SNS-shaped success or error
 * notification, as the SQS body of the completion queue carries it. Each step rides over a short
 * outage (s3rver restarting, the model server killed and started again) with {@link LocalRetry}.
 */
final class AsyncInference {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One accepted request: where its input is and where its answer goes. */
    record Request(String endpointName, String inferenceId, String inputLocation, String contentType, String accept,
                   String outputLocation, String failureLocation) {
    }

    private final S3Client s3;
    private final ServingProxy serving;
    private final Executor executor;
    private final Consumer<String> progress;
    private final Supplier<Consumer<String>> notifications;

    AsyncInference(S3Client s3, ServingProxy serving, Executor executor, Consumer<String> progress,
                   Supplier<Consumer<String>> notifications) {
        this.s3 = s3;
        this.serving = serving;
        this.executor = executor;
        this.progress = progress;
        this.notifications = notifications;
    }

    void start(Request req) {
        Instant received = Instant.now();
        executor.execute(() -> notifications.get().accept(run(req, received)));
    }

    /** Runs one request; returns the SNS envelope of its notification. */
    private String run(Request req, Instant received) {
        ObjectNode note = JSON.createObjectNode();
        note.put("awsRegion", "us-east-1").put("eventTime", "").put("receivedTime", received.toString())
                .put("inferenceId", req.inferenceId()).put("eventVersion", "1.0").put("eventSource", "aws:sagemaker")
                .put("eventName", "InferenceResult");
        note.putObject("requestParameters").put("endpointName", req.endpointName()).put("inputLocation", req.inputLocation())
                .put("contentType", req.contentType() == null ? "application/octet-stream" : req.contentType());
        try {
            String[] in = S3Files.parse(req.inputLocation());
            progress.accept("async inference " + req.inferenceId() + ": running the model on " + req.inputLocation());
            String id = "async inference " + req.inferenceId() + ": ";
            byte[] video = LocalRetry.call(id + "reading " + req.inputLocation(), progress,
                    () -> s3.getObjectAsBytes(b -> b.bucket(in[0]).key(in[1])).asByteArray());
            HttpResponse<byte[]> r = LocalRetry.call(id + "the model server", progress,
                    () -> serving.call(req.contentType(), req.accept(), video));
            if (r.statusCode() / 100 != 2) {
                throw new LocalStackException("ClientError: Received client error (" + r.statusCode()
                        + ") from primary with message \"" + new String(r.body(), StandardCharsets.UTF_8) + "\"");
            }
            String[] out = S3Files.parse(req.outputLocation());
            LocalRetry.run(id + "writing " + req.outputLocation(), progress, () -> s3.putObject(b -> b.bucket(out[0])
                    .key(out[1]).contentType(r.headers().firstValue("content-type").orElse(req.accept())),
                    RequestBody.fromBytes(r.body())));
            note.put("invocationStatus", "Completed");
            note.putObject("responseParameters").put("contentType", req.accept()).put("outputLocation", req.outputLocation());
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            try {
                String[] f = S3Files.parse(req.failureLocation());
                s3.putObject(b -> b.bucket(f[0]).key(f[1]), RequestBody.fromString(reason));
            } catch (RuntimeException ignored) {
                // the notification still says why
            }
            note.put("invocationStatus", "Failed").put("failureReason", reason);
            note.putObject("responseParameters").put("contentType", "text/plain").put("failureLocation", req.failureLocation());
        }
        note.put("eventTime", Instant.now().toString());
        boolean ok = "Completed".equals(note.path("invocationStatus").asText());
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("Type", "Notification").put("MessageId", UUID.randomUUID().toString())
                .put("TopicArn", "arn:aws:sns:us-east-1:000000000000:motflow-async-" + (ok ? "success" : "error"))
                .put("Message", note.toString()).put("Timestamp", Instant.now().toString())
                .put("SignatureVersion", "1").put("Signature", "local").put("SigningCertURL", "")
                .put("UnsubscribeURL", "");
        return envelope.toString();
    }
}
