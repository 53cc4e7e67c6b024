package dev.motflow.streams.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import dev.motflow.common.http.HttpApiEvents;

class StreamApiHandlerPathTest {
    static APIGatewayV2HTTPEvent event(String routeKey, String rawPath, String stage, Map<String, String> params) {
        return APIGatewayV2HTTPEvent.builder().withRouteKey(routeKey).withRawPath(rawPath).withPathParameters(params)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage(stage).build()).build();
    }

    private static String path(APIGatewayV2HTTPEvent e) {
        return HttpApiEvents.request(e).path();
    }

    @Test
    void thePathComesFromTheMatchedRouteWhateverTheStage() {
        assertEquals("/streams/cam-1/frames", path(event("POST /streams/{streamId}/frames",
                "/prod/streams/cam-1/frames", "prod", Map.of("streamId", "cam-1"))));
        assertEquals("/streams/cam-1", path(event("DELETE /streams/{streamId}", "/streams/cam-1",
                "$default", Map.of("streamId", "cam-1"))));
    }

    @Test
    void withoutARouteTheRawPathLosesANamedStage() {
        assertEquals("/streams/x/frames", path(event("$default", "/prod/streams/x/frames", "prod", null)));
        assertEquals("/streams/x/frames", path(event("$default", "/streams/x/frames", "$default", null)));
        assertEquals("/streams/x", path(event("ANY /{proxy+}", "/streams/x", "$default",
                Map.of("proxy", "streams/x"))));
    }

    @Test
    void warmUpRunsWithoutNetworkOrEnvironment() {
        StreamsRuntime.warmUp();
    }
}
