package dev.motflow.common.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

/**
 * The one adaptation between API Gateway HTTP API events (payload format 2.0) and
 * {@link HttpRequest}/{@link HttpResponse}: every API handler, and the local API server through the
 * handlers, goes through it.
 */
public final class HttpApiEvents {
    private HttpApiEvents() {
    }

    /** An event that cannot become a request; the handler answers it with {@link #status()}. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;

        public Refused(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        /** A short error code, e.g. {@code InvalidBody}. */
        public String code() {
            return code;
        }
    }

    /** The request of {@code event}, with no limit on the body size (the API checks it). */
    public static HttpRequest request(APIGatewayV2HTTPEvent event) {
        return request(event, Long.MAX_VALUE, "body");
    }

    /**
     * The request of {@code event}. A base64 body that would decode to more than
     * {@code maxBodyBytes} is refused before it is decoded, so an oversized upload costs no memory.
     *
     * @param bodyName what the body is, for the 413 message ("frame")
     * @throws Refused 400 {@code InvalidRequest} for no event, 400 {@code InvalidBody} for a body
     *     marked base64 that is not, 413 {@code BodyTooLarge} over {@code maxBodyBytes}
     */
    public static HttpRequest request(APIGatewayV2HTTPEvent event, long maxBodyBytes, String bodyName) {
        if (event == null) {
            throw new Refused(400, "InvalidRequest", "empty request");
        }
        return new HttpRequest(method(event), path(event), headers(event), event.getQueryStringParameters(),
                body(event, maxBodyBytes, bodyName), caller(event));
    }

    /**
     * The caller API Gateway authenticated: the IAM authorizer's {@code userArn}, else the JWT
     * authorizer's {@code sub} claim with its {@code cognito:groups}; null when neither is there.
     * Only the request context counts (API Gateway sets it; a client cannot), never a header.
     */
    static Caller caller(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext ctx = event.getRequestContext();
        if (ctx == null || ctx.getAuthorizer() == null) {
            return null;
        }
        APIGatewayV2HTTPEvent.RequestContext.Authorizer auth = ctx.getAuthorizer();
        if (auth.getIam() != null && notBlank(auth.getIam().getUserArn())) {
            return Caller.iam(auth.getIam().getUserArn());
        }
        if (auth.getJwt() != null && auth.getJwt().getClaims() != null) {
            Map<String, String> claims = auth.getJwt().getClaims();
            String sub = claims.get("sub");
            if (notBlank(sub)) {
                return Caller.cognito(sub, groups(claims.get("cognito:groups")));
            }
        }
        return null;
    }

    /**
     * The groups of a {@code cognito:groups} claim as the HTTP API passes it: a JSON-like array
     * flattened to text, e.g. {@code [a b]} or {@code ["a","b"]}.
     */
    static Set<String> groups(String claim) {
        if (claim == null || claim.isBlank()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String g : claim.replaceAll("[\\[\\]\"]", " ").split("[\\s,]+")) {
            if (!g.isBlank()) {
                out.add(g);
            }
        }
        return out;
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /** The payload v2 response of {@code response} (text body, never base64). */
    public static APIGatewayV2HTTPResponse response(HttpResponse response) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(response.status()).withHeaders(response.headers())
                .withBody(response.body()).withIsBase64Encoded(false).build();
    }

    private static String method(APIGatewayV2HTTPEvent event) {
        if (event.getRequestContext() != null && event.getRequestContext().getHttp() != null
                && event.getRequestContext().getHttp().getMethod() != null) {
            return event.getRequestContext().getHttp().getMethod();
        }
        String routeKey = event.getRouteKey();
        return routeKey != null && routeKey.contains(" ") ? routeKey.split(" ", 2)[0] : null;
    }

    /**
     * The request path without the stage: from the route key and path parameters when API Gateway
     * matched a route (a named stage prefixes rawPath), else rawPath as is ($default stage, local
     * server).
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

    private static Map<String, String> headers(APIGatewayV2HTTPEvent event) {
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((k, v) -> {
                if (k != null && v != null) {
                    headers.put(k.toLowerCase(Locale.ROOT), v);
                }
            });
        }
        return headers;
    }

    private static byte[] body(APIGatewayV2HTTPEvent event, long maxBodyBytes, String bodyName) {
        String body = event.getBody();
        if (body == null) {
            return new byte[0];
        }
        if (!event.getIsBase64Encoded()) {
            return body.getBytes(StandardCharsets.UTF_8);
        }
        long decodedUpperBound = (long) body.length() / 4 * 3;
        // base64 padding makes the bound up to 2 bytes high: allow for it rather than refuse a body at the limit.
        if (maxBodyBytes < Long.MAX_VALUE && decodedUpperBound > maxBodyBytes + 3L) {
            throw new Refused(413, "BodyTooLarge", "the " + bodyName + " has about " + decodedUpperBound
                    + " bytes, more than the limit of " + maxBodyBytes + " bytes");
        }
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "InvalidBody", "the body is marked base64 but is not valid base64");
        }
    }
}
