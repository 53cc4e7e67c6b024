package dev.motflow.streams.handler;

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
import dev.motflow.streams.api.HttpRequest;
import dev.motflow.streams.api.HttpResponse;
import dev.motflow.streams.api.StreamApi;
import dev.motflow.streams.service.StreamException;

/**
 * API Gateway HTTP API (payload v2) -> {@link StreamApi} (docs/handlers.md, "Stream tracking").
 * The runtime is built in the init phase (the no-argument constructor), so SnapStart snapshots it.
 */
public final class StreamApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final StreamApi api;
    private final int maxFrameBytes;

    public StreamApiHandler() {
        this(StreamsRuntime.FromEnvironment.INSTANCE);
    }

    public StreamApiHandler(StreamsRuntime runtime) {
        this.api = runtime.api();
        this.maxFrameBytes = runtime.service().config().maxFrameBytes();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            return handle(event);
        }
    }

    private APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        if (event == null) {
            return respond(errorResponse(StreamException.badRequest("InvalidRequest", "empty request")));
        }
        String method = null;
        if (event.getRequestContext() != null && event.getRequestContext().getHttp() != null) {
            method = event.getRequestContext().getHttp().getMethod();
        }
        String path = path(event);
        if (method == null && event.getRouteKey() != null && event.getRouteKey().contains(" ")) {
            method = event.getRouteKey().split(" ", 2)[0];
        }
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((k, v) -> {
                if (k != null && v != null) {
                    headers.put(k.toLowerCase(Locale.ROOT), v);
                }
            });
        }
        byte[] body;
        try {
            body = body(event);
        } catch (StreamException e) {
            return respond(errorResponse(e));
        }
        return respond(api.handle(new HttpRequest(method, path, headers, event.getQueryStringParameters(), body)));
    }

    /**
     * The request path without the stage: from the route key and path parameters when API Gateway
     * matched a route (a named stage prefixes rawPath), else rawPath as is ($default stage, local server).
     */
    static String path(APIGatewayV2HTTPEvent event) {
        String routeKey = event.getRouteKey();
        Map<String, String> params = event.getPathParameters();
        if (routeKey != null && routeKey.contains(" /")) {
            String template = routeKey.substring(routeKey.indexOf(' ') + 1);
            if (!template.contains("{proxy+}")) {
                String path = template;
                if (params != null) {
                    for (Map.Entry<String, String> p : params.entrySet()) {
                        path = path.replace("{" + p.getKey() + "}", p.getValue() == null ? "" : p.getValue());
                    }
                }
                if (!path.contains("{")) {
                    return path;
                }
            }
        }
        String raw = event.getRawPath();
        String stage = event.getRequestContext() == null ? null : event.getRequestContext().getStage();
        if (raw != null && stage != null && !"$default".equals(stage) && raw.startsWith("/" + stage + "/")) {
            return raw.substring(stage.length() + 1);
        }
        return raw;
    }

    private byte[] body(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null) {
            return new byte[0];
        }
        if (!event.getIsBase64Encoded()) {
            // A text body cannot be an image; the magic-byte check will say so.
            return body.getBytes(StandardCharsets.UTF_8);
        }
        long decodedUpperBound = (long) body.length() / 4 * 3;
        if (decodedUpperBound > maxFrameBytes + 3L) {
            throw new StreamException(413, "FrameTooLarge", "the frame has about " + decodedUpperBound
                    + " bytes, more than the limit of " + maxFrameBytes + " bytes");
        }
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw StreamException.badRequest("InvalidBody", "the body is marked base64 but is not valid base64");
        }
    }

    private static HttpResponse errorResponse(StreamException e) {
        return StreamApi.error(e);
    }

    private static APIGatewayV2HTTPResponse respond(HttpResponse r) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(r.status()).withHeaders(r.headers())
                .withBody(r.body()).withIsBase64Encoded(false).build();
    }
}
