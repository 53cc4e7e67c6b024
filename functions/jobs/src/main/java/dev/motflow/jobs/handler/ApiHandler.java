package dev.motflow.jobs.handler;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.motflow.common.LogContext;
import dev.motflow.jobs.service.ApiRequest;
import dev.motflow.jobs.service.ApiResponse;
import dev.motflow.jobs.service.JobApi;

/** API Gateway HTTP API (payload v2) -> {@link JobApi} (docs/handlers.md). */
public final class ApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final JobApi api;

    public ApiHandler() {
        this(JobsRuntime.FromEnvironment.INSTANCE.api());
    }

    public ApiHandler(JobApi api) {
        this.api = api;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            return handle(event);
        }
    }

    private APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        if (event == null) {
            return respond(new ApiResponse(400, Map.of("Content-Type", "application/json"),
                    "{\"error\":\"InvalidRequest\",\"message\":\"empty request\"}"));
        }
        String method = null;
        if (event.getRequestContext() != null && event.getRequestContext().getHttp() != null) {
            method = event.getRequestContext().getHttp().getMethod();
        }
        String path = event.getRawPath();
        if ((method == null || path == null) && event.getRouteKey() != null && event.getRouteKey().contains(" ")) {
            String[] parts = event.getRouteKey().split(" ", 2);
            method = method == null ? parts[0] : method;
            path = path == null ? parts[1] : path;
        }
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((k, v) -> {
                if (k != null && v != null) {
                    headers.put(k.toLowerCase(Locale.ROOT), v);
                }
            });
        }
        String body = event.getBody();
        long bytes = 0;
        if (body != null) {
            if (event.getIsBase64Encoded()) {
                try {
                    byte[] raw = Base64.getDecoder().decode(body);
                    bytes = raw.length;
                    body = new String(raw, StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return respond(new ApiResponse(400, Map.of("Content-Type", "application/json"),
                            "{\"error\":\"InvalidBody\",\"message\":\"the body is marked base64 but is not valid base64\"}"));
                }
            } else {
                bytes = body.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        ApiResponse r = api.handle(new ApiRequest(method, path, headers, event.getQueryStringParameters(), body, bytes));
        return respond(r);
    }

    private static APIGatewayV2HTTPResponse respond(ApiResponse r) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(r.status()).withHeaders(r.headers())
                .withBody(r.body()).withIsBase64Encoded(false).build();
    }
}
