package dev.motflow.retraining.handler;

import java.time.Clock;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.common.JsonLog;
import dev.motflow.common.LogContext;
import dev.motflow.common.http.HttpApiEvents;
import dev.motflow.common.http.HttpRequest;
import dev.motflow.common.http.HttpResponse;
import dev.motflow.retraining.Env;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.RetryableException;
import dev.motflow.retraining.store.RetrainingQueries;
import dev.motflow.retraining.store.RunCoordinator;
import dev.motflow.retraining.store.RunCoordinator.Admitted;
import dev.motflow.retraining.trigger.LabelledDataTrigger;
import dev.motflow.retraining.trigger.RequestOptions;
import dev.motflow.retraining.trigger.RunRequest;

/**
 * {@code POST /retraining} (HTTP API, payload v2): body {@code {"dataset": "...", "manifestKey":
 * optional, "hpo": optional, "coldStart": optional, "importModel": optional {"s3Uri", "force"}}}
 * (docs/handlers.md). Same rules as the S3 trigger: one run per dataset version (or imported model
 * version), one at a time, at most one queued. 202 with the execution name and what happened.
 * Reads for the console: {@code GET /retraining/runs?dataset=NAME[&limit=N]} (that dataset's runs,
 * newest first) and {@code GET /retraining/models} (the registry's versions with their scores and
 * the production pointer).
 */
public final class RetrainingApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final LabelledDataTrigger trigger;
    private final String bucket;
    private final String artifactsBucket;
    private final JsonLog log;
    private RetrainingQueries queries;

    public RetrainingApiHandler() {
        this(Clients.trigger(Env.system()), Env.system().required("LABELLED_BUCKET"),
                Env.system().optional("ARTIFACTS_BUCKET", null), Clock.systemUTC());
        this.queries = new RetrainingQueries(Clients.dynamo(), Env.system().required("TABLE_NAME"),
                Env.system().optional("MODEL_NAME", Steps.DEFAULT_MODEL_NAME));
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

    /** With the console's read routes. */
    public RetrainingApiHandler withQueries(RetrainingQueries queries) {
        this.queries = queries;
        return this;
    }

    /** An error body of the read routes. */
    record Error(String error, String message) {
    }

    /** An error body. */
    record Message(String message) {
    }

    /** The 202 body: what happened to the request; {@code replaced}: the queued request of the same dataset it replaced. */
    record Accepted(String executionName, String admission, String dataset, String manifestVersion, String replaced) {
    }

    /** The 200 body of an operator release. */
    record Released(String released, String outcome, String followUp) {
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            HttpRequest request;
            try {
                request = HttpApiEvents.request(event);
            } catch (HttpApiEvents.Refused e) {
                return respond(e.status(), new Message(e.getMessage()));
            }
            return HttpApiEvents.response(handle(request));
        }
    }

    /** {@code POST /retraining}, whoever delivered it. */
    public HttpResponse handle(HttpRequest request) {
        String path = request.path();
        String trimmed = path == null ? "" : path.replaceAll("/+$", "");
        if (trimmed.endsWith("/retraining/lock")) {
            return lock(request);
        }
        if (trimmed.endsWith("/retraining/runs") || trimmed.endsWith("/retraining/models")) {
            return read(request, trimmed.endsWith("/runs"));
        }
        if (path == null || !trimmed.endsWith("/retraining")) {
            return response(404, new Message("no such route"));
        }
        if (!"POST".equals(request.method())) {
            return response(405, new Message("use POST"));
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(request.bodyText());
        } catch (Exception e) {
            return response(400, new Message("body must be JSON"));
        }
        if (body == null || !body.isObject()) {
            return response(400, new Message("body must be a JSON object with \"dataset\""));
        }
        JsonNode hpo = body.get("hpo");
        if (hpo != null && !hpo.isBoolean()) {
            return response(400, new Message("hpo must be true or false"));
        }
        try {
            RequestOptions options = RequestOptions.fromBody(body);
            RunRequest run = options.isImport()
                    ? trigger.importRequest(bucket, artifactsBucket, Json.text(body, "dataset"), Json.text(body, "manifestKey"),
                            options.importS3Uri(), options.force())
                    : trigger.manualRequest(bucket, Json.text(body, "dataset"), Json.text(body, "manifestKey"),
                            hpo != null && hpo.booleanValue()).withColdStart(options.coldStart());
            Admitted admitted = trigger.admit(run);
            log.with("executionName", admitted.executionName()).info("manual-request", "admission", admitted.admission().name(),
                    "replaced", admitted.replaced() == null ? "-" : admitted.replaced());
            return response(202, new Accepted(admitted.executionName(), admitted.admission().name(), run.dataset(),
                    run.manifestVersion(), admitted.replaced()));
        } catch (IllegalArgumentException e) {
            return response(400, new Message(e.getMessage()));
        } catch (LabelledDataTrigger.NotFound e) {
            return response(404, new Message(e.getMessage()));
        } catch (RetryableException e) {
            log.log(JsonLog.Level.WARN, "manual-request-busy", e);
            return response(503, new Message("busy, try again"));
        }
    }

    /**
     * {@code GET /retraining/lock}: who holds the run lock, since when, until when, and what the
     * workflow service says about its execution. {@code DELETE /retraining/lock?holder=NAME} (or body
     * {@code {"holder": NAME}}): an operator frees it, only if NAME still holds it (409 otherwise).
     */
    private HttpResponse lock(HttpRequest request) {
        RunCoordinator coordinator = trigger.coordinator();
        try {
            if ("GET".equals(request.method())) {
                RunCoordinator.LockView view = coordinator.view();
                ObjectNode body = Json.object();
                body.put("holder", view.holder());
                if (view.holder() != null) {
                    body.put("executionArn", view.executionArn());
                    body.put("since", view.since());
                    body.put("expiry", view.expiry() == null ? null : view.expiry().toString());
                    body.put("leaseExpired", view.leaseExpired());
                    body.put("started", view.started());
                    body.put("status", view.executionStatus());
                    body.put("takenOverFrom", view.takenOverFrom());
                }
                var pending = body.putArray("pending");
                view.pending().forEach(p -> pending.addObject().put("dataset", p.dataset())
                        .put("executionName", p.executionName()).put("queuedAt", p.queuedAt()));
                return response(200, body);
            }
            if (!"DELETE".equals(request.method())) {
                return response(405, new Error("MethodNotAllowed", "use GET or DELETE"));
            }
            String holder = request.query().get("holder");
            if ((holder == null || holder.isBlank()) && request.body().length > 0) {
                try {
                    holder = Json.text(Json.MAPPER.readTree(request.bodyText()), "holder");
                } catch (Exception e) {
                    return response(400, new Error("InvalidBody", "body must be JSON: {\"holder\": \"<execution name>\"}"));
                }
            }
            if (holder == null || holder.isBlank()) {
                return response(400, new Error("InvalidHolder", "name the holder to release: ?holder=<execution name>"
                        + " (GET /retraining/lock says who holds it)"));
            }
            RunCoordinator.OperatorRelease released = coordinator.releaseByOperator(holder.strip());
            log.with("executionName", holder).info("lock-release-request", "outcome", released.outcome().name());
            return switch (released.outcome()) {
                case NOT_HELD -> response(404, new Error("NotHeld", "no run holds the retraining lock"));
                case HOLDER_MISMATCH -> response(409, new Error("HolderMismatch", "the retraining lock is held by "
                        + released.currentHolder() + ", not " + holder));
                case RELEASED, HANDED_OVER -> response(200, new Released(holder, released.outcome().name(), released.followUp()));
            };
        } catch (RetryableException e) {
            log.log(JsonLog.Level.WARN, "lock-request-busy", e);
            return response(503, new Error("ServiceUnavailable", "busy, try again"));
        }
    }

    private HttpResponse read(HttpRequest request, boolean runs) {
        if (!"GET".equals(request.method())) {
            return response(405, new Error("MethodNotAllowed", "use GET"));
        }
        if (queries == null) {
            return response(404, new Error("NotFound", "no read routes here"));
        }
        if (!runs) {
            return response(200, queries.models());
        }
        String dataset = request.query().get("dataset");
        if (dataset == null || dataset.isBlank() || !LabelledDataTrigger.DATASET.matcher(dataset).matches()) {
            return response(400, new Error("InvalidDataset", "dataset is required: the name under labelled/, e.g. ?dataset=demo"));
        }
        int limit = 50;
        String rawLimit = request.query().get("limit");
        if (rawLimit != null && !rawLimit.isBlank()) {
            try {
                limit = Integer.parseInt(rawLimit.strip());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > RetrainingQueries.MAX_RUNS) {
                return response(400, new Error("InvalidParameter", "limit must be 1.." + RetrainingQueries.MAX_RUNS));
            }
        }
        ObjectNode body = Json.object().put("dataset", dataset);
        body.set("runs", queries.runs(dataset, limit));
        return response(200, body);
    }

    private static HttpResponse response(int status, Object body) {
        return new HttpResponse(status, Map.of("Content-Type", "application/json"), Json.write(body));
    }

    private static APIGatewayV2HTTPResponse respond(int status, Object body) {
        return HttpApiEvents.response(response(status, body));
    }
}
