package dev.motflow.jobs.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.jobs.JobsJson;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.store.PageTokenKeys;
import dev.motflow.jobs.store.PageTokens;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.MutableClock;

/** Every error the jobs API answers through its Lambda handler has the body {@code {"error", "message"}}, nothing else. */
class ApiErrorBodiesTest {
    private static final Local LOCAL = new Local();
    private final ApiHandler handler = new ApiHandler(JobsRuntime.api(LOCAL.config(), LOCAL.aws.dynamo(),
            LOCAL.aws.s3Presigner(), PageTokens.withKey(PageTokenKeys.random()),
            new MutableClock(Instant.parse("2026-12-01T08:00:00Z"))));

    private static APIGatewayV2HTTPEvent event(String method, String path, Map<String, String> query, String body,
                                               boolean base64, String contentType) {
        APIGatewayV2HTTPEvent.RequestContext ctx = new APIGatewayV2HTTPEvent.RequestContext();
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath(path);
        ctx.setHttp(http);
        ctx.setStage("$default");
        ctx.setAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                .withIam(APIGatewayV2HTTPEvent.RequestContext.IAM.builder()
                        .withUserArn("arn:aws:iam::000000000000:user/test").build()).build());
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("$default").withRawPath(path)
                .withRequestContext(ctx).withQueryStringParameters(query)
                .withHeaders(contentType == null ? Map.of() : Map.of("content-type", contentType))
                .withBody(body).withIsBase64Encoded(base64).build();
    }

    @Test
    void everyErrorBodyIsErrorAndMessageOnly() throws Exception {
        String job = JobIds.random();
        String json = "application/json";
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {400, null});
        cases.add(new Object[] {400, event("POST", "/jobs", null, "%%%", true, json)});
        cases.add(new Object[] {400, event("POST", "/jobs", null, "{", false, json)});
        cases.add(new Object[] {400, event("POST", "/jobs", null, "[]", false, json)});
        cases.add(new Object[] {400, event("POST", "/jobs", null, "{\"fileName\":\"a/b.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":1}", false, json)});
        cases.add(new Object[] {413, event("POST", "/jobs", null, "{\"pad\":\"" + "x".repeat(20_000) + "\"}", false, json)});
        cases.add(new Object[] {413, event("POST", "/jobs", null,
                Base64.getEncoder().encodeToString(new byte[40_000]), true, json)});
        cases.add(new Object[] {413, event("POST", "/jobs", null, "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":1000000000000000}", false, json)});
        cases.add(new Object[] {415, event("POST", "/jobs", null, "fileName=a.mp4", false, "application/x-www-form-urlencoded")});
        cases.add(new Object[] {415, event("POST", "/jobs", null, "{\"fileName\":\"a.mp4\",\"contentType\":\"text/plain\",\"sizeBytes\":1}", false, json)});
        cases.add(new Object[] {405, event("DELETE", "/jobs/" + job, null, null, false, null)});
        cases.add(new Object[] {405, event("PUT", "/jobs", null, null, false, null)});
        cases.add(new Object[] {404, event("GET", "/jobs/" + job, null, null, false, null)});
        cases.add(new Object[] {404, event("GET", "/jobs/" + job + "/tracks", null, null, false, null)});
        cases.add(new Object[] {404, event("GET", "/jobs/" + job + "/other", null, null, false, null)});
        cases.add(new Object[] {400, event("GET", "/jobs/not-a-job", null, null, false, null)});
        cases.add(new Object[] {400, event("GET", "/jobs", null, null, false, null)});
        cases.add(new Object[] {400, event("GET", "/jobs", Map.of("status", "NOPE"), null, false, null)});
        cases.add(new Object[] {400, event("GET", "/jobs", Map.of("status", "RUNNING", "limit", "x"), null, false, null)});
        cases.add(new Object[] {400, event("GET", "/jobs", Map.of("status", "RUNNING", "nextToken", "!!"), null, false, null)});
        cases.add(new Object[] {400, event("GET", "/jobs/" + job + "/tracks", Map.of("fromFrame", "-1"), null, false, null)});
        cases.add(new Object[] {400, event("GET", "/jobs/" + job + "/tracks", Map.of("nextToken", "A".repeat(5000)), null, false, null)});
        // an event without a request context (not one API Gateway sends): no caller, still a JSON error
        cases.add(new Object[] {401, APIGatewayV2HTTPEvent.builder().withRawPath("/jobs").build()});
        APIGatewayV2HTTPEvent anonymous = event("GET", "/jobs", Map.of("status", "RUNNING"), null, false, null);
        anonymous.getRequestContext().setAuthorizer(null);
        cases.add(new Object[] {401, anonymous});
        for (Object[] c : cases) {
            APIGatewayV2HTTPEvent e = (APIGatewayV2HTTPEvent) c[1];
            String what = e == null ? "null event" : e.getRequestContext() == null ? "no method"
                    : e.getRequestContext().getHttp().getMethod() + " " + e.getRawPath() + " " + e.getQueryStringParameters();
            APIGatewayV2HTTPResponse r = handler.handleRequest(e, null);
            assertEquals((int) c[0], r.getStatusCode(), what + ": " + r.getBody());
            assertEquals("application/json", r.getHeaders().get("Content-Type"), what);
            JsonNode body = JobsJson.MAPPER.readTree(r.getBody());
            List<String> fields = new ArrayList<>();
            for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
                fields.add(it.next());
            }
            assertEquals(List.of("error", "message"), fields, what + ": " + r.getBody());
            assertTrue(body.path("error").isTextual() && !body.path("error").asText().isEmpty(), what);
            assertTrue(body.path("message").isTextual() && body.path("message").asText().length() > 5, what);
            assertFalse(r.getIsBase64Encoded(), what);
        }
    }
}
