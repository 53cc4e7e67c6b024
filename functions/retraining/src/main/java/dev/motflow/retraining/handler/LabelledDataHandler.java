package dev.motflow.retraining.handler;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.JsonLog;
import dev.motflow.common.LogContext;
import dev.motflow.retraining.Env;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.store.RunCoordinator.Admitted;
import dev.motflow.retraining.trigger.LabelledDataTrigger;
import dev.motflow.retraining.trigger.RunRequest;

/**
 * S3 ObjectCreated events for {@code labelled/} (via SQS) -> retraining runs. A message whose
 * handling failed for a transient reason is reported as a batch item failure and redelivered;
 * a malformed message is logged and acknowledged (retrying cannot fix it).
 */
public final class LabelledDataHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final LabelledDataTrigger trigger;
    private final JsonLog log;

    public LabelledDataHandler() {
        this(Clients.trigger(Env.system()), Clock.systemUTC());
    }

    public LabelledDataHandler(LabelledDataTrigger trigger, Clock clock) {
        this.trigger = trigger;
        this.log = JsonLog.named("labelled-data-handler");
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            return handleMessages(event);
        }
    }

    private SQSBatchResponse handleMessages(SQSEvent event) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            try {
                handle(message);
            } catch (RuntimeException e) {
                log.error("message-failed", e, "messageId", message.getMessageId());
                failures.add(SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(message.getMessageId()).build());
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    private void handle(SQSEvent.SQSMessage message) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(message.getBody());
        } catch (Exception e) {
            log.log(JsonLog.Level.WARN, "message-not-json", e, "messageId", message.getMessageId());
            return;
        }
        if (body == null || !body.has("Records")) {
            log.info("message-ignored", "messageId", message.getMessageId(),
                    "event", String.valueOf(Json.text(body, "Event")));
            return; // s3:TestEvent and other non-record messages
        }
        for (JsonNode record : body.get("Records")) {
            String eventName = record.path("eventName").asText("");
            if (!eventName.startsWith("ObjectCreated:")) {
                continue;
            }
            JsonNode s3 = record.path("s3");
            String bucket = s3.path("bucket").path("name").asText();
            // S3 event keys are URL-encoded with '+' for spaces.
            String key = URLDecoder.decode(s3.path("object").path("key").asText(), StandardCharsets.UTF_8);
            Optional<RunRequest> request = trigger.requestFor(bucket, key,
                    Json.text(s3.path("object"), "eTag"), Json.text(s3.path("object"), "versionId"));
            if (request.isEmpty()) {
                continue;
            }
            Admitted admitted = trigger.admit(request.get());
            log.with("executionName", admitted.executionName()).info("labelled-data-admitted",
                    "key", key, "admission", admitted.admission().name());
        }
    }
}
