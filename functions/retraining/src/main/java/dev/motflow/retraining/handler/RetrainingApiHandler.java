package dev.motflow.retraining.handler;

import java.time.Clock;
import java.util.Base64;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.JsonLog;
import dev.motflow.common.LogContext;
import dev.motflow.retraining.Env;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.RetryableException;
import dev.motflow.retraining.store.RunCoordinator.Admitted;
import dev.motflow.retraining.trigger.LabelledDataTrigger;
import dev.motflow.retraining.trigger.RequestOptions;
import dev.motflow.retraining.trigger.RunRequest;

/**
 * {@code POST /retraining} (HTTP API, payload v2): body {@code {"dataset": "...", "manifestKey":
 * optional, "hpo": optional, "coldStart": optional, "importModel": optional {"s3Uri", "force"}}}
 * (docs/handlers.md). Same rules as the S3 trigger: one run per dataset version (or imported model
 * version), one at a time, at most one queued. 202 with the execution name and what happened.
 */
public final class RetrainingApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final LabelledDataTrigger trigger;
    private final String bucket;
    private final String artifactsBucket;
    private final JsonLog log;

    public RetrainingApiHandler() {
        this(Clients.trigger(Env.system()), Env.system().required("LABELLED_BUCKET"),
                Env.system().optional("ARTIFACTS_BUCKET", null), Clock.systemUTC());
    }

    /** Without an artifacts bucket: model imports are answered 400. */
    public RetrainingApiHandler(LabelledDataTrigger trigger, String labelledBucket, Clock clock) {
        this(trigger, labelledBucket, null, clock);
    }

    public RetrainingApiHandler(LabelledDataTrigger trigger, String labelledBucket, String artifactsBucket, Clock clock) {
        this.trigger = trigger;
        this.bucket = labelledBucket;
        this.artifactsBucket = artifactsBucket;
        this.log = JsonLog.named("retraining-api");
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            return handle(event);
        }
    }

    private APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        var http = event.getRequestContext() == null ? null : event.getRequestContext().getHttp();
        String method = http == null ? "" : http.getMethod();
        String path = http == null ? event.getRawPath() : http.getPath();
        if (path == null || !path.replaceAll("/+$", "").endsWith("/retraining")) {
            return respond(404, Map.of("message", "no such route"));
        }
        if (!"POST".equals(method)) {
            return respond(405, Map.of("message", "use POST"));
        }
        JsonNode body;
        try {
            String raw = event.getBody() == null ? "" : event.getBody();
            if (event.getIsBase64Encoded()) {
                raw = new String(Base64.getDecoder().decode(raw), java.nio.charset.StandardCharsets.UTF_8);
            }
            body = Json.MAPPER.readTree(raw);
        } catch (Exception e) {
            return respond(400, Map.of("message", "body must be JSON"));
        }
        if (body == null || !body.isObject()) {
            return respond(400, Map.of("message", "body must be a JSON object with \"dataset\""));
        }
        JsonNode hpo = body.get("hpo");
        if (hpo != null && !hpo.isBoolean()) {
            return respond(400, Map.of("message", "hpo must be true or false"));
        }
        try {
            RequestOptions options = RequestOptions.fromBody(body);
            RunRequest request = options.isImport()
                    ? trigger.importRequest(bucket, artifactsBucket, Json.text(body, "dataset"), Json.text(body, "manifestKey"),
                            options.importS3Uri(), options.force())
                    : trigger.manualRequest(bucket, Json.text(body, "dataset"), Json.text(body, "manifestKey"),
                            hpo != null && hpo.booleanValue()).withColdStart(options.coldStart());
            Admitted admitted = trigger.admit(request);
            log.with("executionName", admitted.executionName()).info("manual-request", "admission", admitted.admission().name());
            return respond(202, Map.of("executionName", admitted.executionName(), "admission", admitted.admission().name(),
                    "dataset", request.dataset(), "manifestVersion", request.manifestVersion()));
        } catch (IllegalArgumentException e) {
            return respond(400, Map.of("message", e.getMessage()));
        } catch (LabelledDataTrigger.NotFound e) {
            return respond(404, Map.of("message", e.getMessage()));
        } catch (RetryableException e) {
            log.log(JsonLog.Level.WARN, "manual-request-busy", e);
            return respond(503, Map.of("message", "busy, try again"));
        }
    }

    private static APIGatewayV2HTTPResponse respond(int status, Map<String, ?> body) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status)
                .withHeaders(Map.of("Content-Type", "application/json")).withBody(Json.write(body)).build();
    }
}
