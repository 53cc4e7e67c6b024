package dev.motflow.common.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

class HttpApiEventsTest {
    private static APIGatewayV2HTTPEvent event(String method, String routeKey, String rawPath, String stage,
                                               Map<String, String> params) {
        return APIGatewayV2HTTPEvent.builder().withRouteKey(routeKey).withRawPath(rawPath).withPathParameters(params)
                .withHeaders(Map.of("Content-Type", "application/json", "X-Frame-Index", "3"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage(stage)
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).build()).build())
                .build();
    }

    @Test
    void aMatchedRouteGivesThePathWithoutTheNamedStage() {
        HttpRequest r = HttpApiEvents.request(event("post", "POST /streams/{streamId}/frames", "/prod/streams/cam-1/frames",
                "prod", Map.of("streamId", "cam-1")));
        assertEquals("POST", r.method());
        assertEquals("/streams/cam-1/frames", r.path());
        assertEquals("3", r.header("x-frame-index"));
        assertEquals("application/json", r.header("CONTENT-TYPE"));
        assertEquals(0, r.body().length);
    }

    @Test
    void theDefaultStageAndTheLocalServerUseRawPath() {
        assertEquals("/jobs/abc", HttpApiEvents.request(event("GET", "$default", "/jobs/abc", "$default", null)).path());
        assertEquals("/prod/jobs", HttpApiEvents.request(event("GET", null, "/prod/jobs", "$default", null)).path());
        assertEquals("/jobs", HttpApiEvents.request(event("GET", null, "/prod/jobs", "prod", null)).path());
    }

    @Test
    void theMethodFallsBackToTheRouteKey() {
        APIGatewayV2HTTPEvent e = APIGatewayV2HTTPEvent.builder().withRouteKey("DELETE /streams/{streamId}")
                .withPathParameters(Map.of("streamId", "s")).build();
        HttpRequest r = HttpApiEvents.request(e);
        assertEquals("DELETE", r.method());
        assertEquals("/streams/s", r.path());
        assertEquals("", HttpApiEvents.request(new APIGatewayV2HTTPEvent()).method());
        assertNull(HttpApiEvents.request(new APIGatewayV2HTTPEvent()).path());
    }

    @Test
    void bodiesAreDecodedAndBadOnesRefused() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
        APIGatewayV2HTTPEvent e = event("POST", null, "/x", null, null);
        e.setBody(Base64.getEncoder().encodeToString(png));
        e.setIsBase64Encoded(true);
        assertArrayEquals(png, HttpApiEvents.request(e).body());

        e.setBody("{\"a\":\"é\"}");
        e.setIsBase64Encoded(false);
        assertEquals("{\"a\":\"é\"}", HttpApiEvents.request(e).bodyText());
        assertEquals("{\"a\":\"é\"}".getBytes(StandardCharsets.UTF_8).length, HttpApiEvents.request(e).body().length);

        e.setBody("not base64 ***");
        e.setIsBase64Encoded(true);
        HttpApiEvents.Refused bad = assertThrows(HttpApiEvents.Refused.class, () -> HttpApiEvents.request(e));
        assertEquals(400, bad.status());
        assertEquals("InvalidBody", bad.code());

        e.setBody(Base64.getEncoder().encodeToString(new byte[4000]));
        HttpApiEvents.Refused big = assertThrows(HttpApiEvents.Refused.class,
                () -> HttpApiEvents.request(e, 1000, "frame"));
        assertEquals(413, big.status());
        assertEquals("the frame has about 4002 bytes, more than the limit of 1000 bytes", big.getMessage());
        assertEquals(4000, HttpApiEvents.request(e, 4000, "frame").body().length);

        HttpApiEvents.Refused none = assertThrows(HttpApiEvents.Refused.class, () -> HttpApiEvents.request(null));
        assertEquals("InvalidRequest", none.code());
    }

    @Test
    void responsesAreTextPayloads() {
        APIGatewayV2HTTPResponse r = HttpApiEvents.response(new HttpResponse(201, Map.of("Location", "/jobs/a"), "{}"));
        assertEquals(201, r.getStatusCode());
        assertEquals("/jobs/a", r.getHeaders().get("Location"));
        assertEquals("{}", r.getBody());
        assertFalse(r.getIsBase64Encoded());
    }

    private static APIGatewayV2HTTPEvent withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer auth) {
        return APIGatewayV2HTTPEvent.builder().withRouteKey("GET /jobs").withRawPath("/jobs")
                .withHeaders(Map.of("X-Motflow-Caller", "forged"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default")
                        .withAuthorizer(auth)
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build()).build())
                .build();
    }

    @Test
    void theCallerIsTheIamPrincipalOfTheRequestContextNeverAHeader() {
        HttpRequest r = HttpApiEvents.request(withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                .withIam(APIGatewayV2HTTPEvent.RequestContext.IAM.builder()
                        .withUserArn("arn:aws:iam::123456789012:user/ana").build()).build()));
        assertEquals(new Caller("iam:arn:aws:iam::123456789012:user/ana", java.util.Set.of()), r.caller());
        assertNull(HttpApiEvents.request(withAuthorizer(null)).caller(), "a header alone is no identity");
        assertNull(HttpApiEvents.request(withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                .withIam(APIGatewayV2HTTPEvent.RequestContext.IAM.builder().withUserArn(" ").build()).build())).caller());
    }

    @Test
    void aCognitoJwtGivesItsSubAndGroups() {
        HttpRequest r = HttpApiEvents.request(withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                        .withClaims(Map.of("sub", "5f1c-77", "cognito:groups", "[motflow-admins viewers]")).build())
                .build()));
        assertEquals("cognito:5f1c-77", r.caller().owner());
        assertEquals(java.util.Set.of("motflow-admins", "viewers"), r.caller().groups());
        assertEquals(java.util.Set.of("a", "b"), HttpApiEvents.groups("[\"a\",\"b\"]"));
        assertEquals(java.util.Set.of(), HttpApiEvents.groups(null));
        assertNull(HttpApiEvents.request(withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                        .withClaims(Map.of("email", "a@b")).build()).build())).caller(), "no sub, no caller");
    }
}
