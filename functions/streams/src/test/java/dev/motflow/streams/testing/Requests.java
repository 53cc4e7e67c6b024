package dev.motflow.streams.testing;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** HTTP API payload v2 events as API Gateway sends them for the stream routes, and response helpers. */
public final class Requests {
    public static final ObjectMapper JSON = new ObjectMapper();

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

    public static APIGatewayV2HTTPEvent get(String streamId) {
        return event("GET", "/streams/{streamId}", "/streams/" + streamId, streamId, Map.of(), null, null, false);
    }

    public static APIGatewayV2HTTPEvent event(String method, String route, String rawPath, String streamId,
                                              Map<String, String> headers, Map<String, String> query, String body,
                                              boolean base64) {
        APIGatewayV2HTTPEvent.RequestContext.Http http = APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                .withMethod(method).withPath(rawPath).withProtocol("HTTP/1.1").withSourceIp("127.0.0.1").build();
        APIGatewayV2HTTPEvent.RequestContext ctx = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withHttp(http).withStage("$default").withRouteKey(method + " " + route).withRequestId("req")
                .withApiId("api").withDomainName("api.example").build();
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey(method + " " + route)
                .withRawPath(rawPath).withRawQueryString("").withHeaders(headers).withQueryStringParameters(query)
                .withPathParameters(streamId == null ? null : Map.of("streamId", streamId)).withRequestContext(ctx)
                .withBody(body).withIsBase64Encoded(base64).build();
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
