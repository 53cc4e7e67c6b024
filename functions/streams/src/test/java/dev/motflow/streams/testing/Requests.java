package dev.motflow.streams.testing;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.common.http.Caller;

/** HTTP API payload v2 events as API Gateway sends them for the stream routes, and response helpers. */
public final class Requests {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** The IAM user every request is signed by unless a test names another. */
    public static final String USER_ARN = "arn:aws:iam::123456789012:user/streams-test";
    /** {@link #USER_ARN} as the service sees it. */
    public static final Caller CALLER = Caller.iam(USER_ARN);

    private Requests() {
    }

    /** {@code POST /streams/{id}/frames} with the frame index in the X-Frame-Index header. */
    public static APIGatewayV2HTTPEvent frame(String streamId, long frame, byte[] image) {
        return frame(streamId, Map.of("x-frame-index", Long.toString(frame)), null, image);
    }

    public static APIGatewayV2HTTPEvent frame(String streamId, Map<String, String> headers, Map<String, String> query,
                                              byte[] image) {
        Map<String, String> h = new HashMap<>(headers);
        h.put("content-type", "image/jpeg");
        h.put("content-length", Integer.toString(image == null ? 0 : image.length));
        return event("POST", "/streams/{streamId}/frames", "/streams/" + streamId + "/frames", streamId, h, query,
                image == null ? null : Base64.getEncoder().encodeToString(image), image != null);
    }

    public static APIGatewayV2HTTPEvent delete(String streamId) {
        return event("DELETE", "/streams/{streamId}", "/streams/" + streamId, streamId, Map.of(), null, null, false);
    }

    /** {@code GET /streams} with {@code query} (limit, nextToken). */
    public static APIGatewayV2HTTPEvent list(Map<String, String> query) {
        return event("GET", "/streams", "/streams", null, Map.of(), query, null, false);
    }

    public static APIGatewayV2HTTPEvent get(String streamId) {
        return event("GET", "/streams/{streamId}", "/streams/" + streamId, streamId, Map.of(), null, null, false);
    }

    public static APIGatewayV2HTTPEvent event(String method, String route, String rawPath, String streamId,
                                              Map<String, String> headers, Map<String, String> query, String body,
                                              boolean base64) {
        APIGatewayV2HTTPEvent.RequestContext.Http http = APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                .withMethod(method).withPath(rawPath).withProtocol("HTTP/1.1").withSourceIp("127.0.0.1").build();
        APIGatewayV2HTTPEvent.RequestContext ctx = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withHttp(http).withStage("$default").withAuthorizer(iam(USER_ARN)).withRouteKey(method + " " + route).withRequestId("req")
                .withApiId("api").withDomainName("api.example").build();
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey(method + " " + route)
                .withRawPath(rawPath).withRawQueryString("").withHeaders(headers).withQueryStringParameters(query)
                .withPathParameters(streamId == null ? null : Map.of("streamId", streamId)).withRequestContext(ctx)
                .withBody(body).withIsBase64Encoded(base64).build();
    }

    /** {@code event} as signed by the IAM principal {@code userArn} (null: no authenticated caller). */
    public static APIGatewayV2HTTPEvent as(String userArn, APIGatewayV2HTTPEvent event) {
        event.getRequestContext().setAuthorizer(userArn == null ? null : iam(userArn));
        return event;
    }

    /** {@code event} as a Cognito user of the console, with its groups as the JWT authorizer passes them. */
    public static APIGatewayV2HTTPEvent asCognito(String sub, String groupsClaim, APIGatewayV2HTTPEvent event) {
        Map<String, String> claims = new HashMap<>();
        claims.put("sub", sub);
        if (groupsClaim != null) {
            claims.put("cognito:groups", groupsClaim);
        }
        event.getRequestContext().setAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder().withClaims(claims).build()).build());
        return event;
    }

    private static APIGatewayV2HTTPEvent.RequestContext.Authorizer iam(String userArn) {
        return APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                .withIam(APIGatewayV2HTTPEvent.RequestContext.IAM.builder().withUserArn(userArn).build()).build();
    }

    public static JsonNode json(APIGatewayV2HTTPResponse r) {
        try {
            return JSON.readTree(r.getBody());
        } catch (Exception e) {
            throw new AssertionError("response body is not JSON: " + r.getBody(), e);
        }
    }

    /** A Server-Timing metric's duration in milliseconds. */
    public static double serverTiming(APIGatewayV2HTTPResponse r, String metric) {
        String header = r.getHeaders().get("Server-Timing");
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.startsWith(metric + ";dur=")) {
                return Double.parseDouble(p.substring(metric.length() + 5));
            }
        }
        throw new AssertionError("no " + metric + " in Server-Timing: " + header);
    }
}
