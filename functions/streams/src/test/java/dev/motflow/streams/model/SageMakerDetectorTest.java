package dev.motflow.streams.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.service.StreamException;
import dev.motflow.streams.service.StreamsConfig;
import dev.motflow.streams.testing.Requests;
import dev.motflow.streams.testing.StreamsEnv;
import dev.motflow.streams.testing.SyntheticScene;
import dev.motflow.testsupport.MutableClock;
import dev.motflow.testsupport.SageMakerStub.StubError;

/**
 * The container's own refusals through SageMaker Runtime (a 424 ModelError carrying the container's
 * status and body) as the stream API answers them: the client's mistakes stay 4xx, outages 503, the rest 502.
 */
class SageMakerDetectorTest {
    static StreamsEnv env;
    static MutableClock clock;

    @BeforeAll
    static void setUp() {
        env = new StreamsEnv();
        clock = new MutableClock(Instant.parse("2026-12-04T08:00:00Z"));
    }

    /** An endpoint whose container answers every frame with {@code status} and {@code body}. */
    private static String refusingEndpoint(int status, String body) {
        String endpoint = env.aws.uniqueName("refuse");
        env.sm.onInvoke(endpoint, (type, image) -> {
            throw StubError.modelError(status, body);
        });
        return endpoint;
    }

    @ParameterizedTest(name = "container {0} -> API {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "413|{\"error\":\"too_many_pixels\",\"message\":\"the png image is 20000x20000 = 400,000,000 pixels, over the budget of 33,177,600 pixels (MOTFLOW_MAX_PIXELS)\"}|413|TooManyPixels|20000x20000 = 400,000,000 pixels",
        "400|{\"error\":\"undecodable_image\",\"message\":\"body is not a decodable image/jpeg image: truncated JPEG header\"}|422|UndecodableImage|truncated JPEG header",
        "415|{\"error\":\"unsupported_media_type\",\"message\":\"unsupported content type image/gif\"}|422|UndecodableImage|unsupported content type image/gif",
        "422|the frame is not an image|422|UndecodableImage|the frame is not an image",
        "503|{\"error\":\"model_not_loaded\",\"message\":\"model not loaded yet\"}|503|ModelUnavailable|model not loaded yet",
        "500|{\"error\":\"internal_error\",\"message\":\"internal error: RuntimeError: CUDA out of memory\"}|502|ModelError|CUDA out of memory",
        "406|{\"error\":\"not_acceptable\",\"message\":\"images are answered with application/json\"}|502|ModelError|status 406",
    })
    void containerRefusalsKeepTheirMeaningAndMessageAndWriteNoState(int containerStatus, String containerBody,
                                                                     int apiStatus, String apiCode, String messagePart) {
        StreamApiHandler handler = env.handler(StreamsConfig.of(env.table, refusingEndpoint(containerStatus, containerBody)),
                clock);
        String stream = "cam-refused-" + containerStatus;
        SyntheticScene scene = env.scene(401, 2);
        APIGatewayV2HTTPResponse r = handler.handleRequest(Requests.frame(stream, 1, scene.jpeg(1)), null);
        assertEquals(apiStatus, r.getStatusCode(), r.getBody());
        JsonNode body = Requests.json(r);
        assertEquals(apiCode, body.get("error").asText(), r.getBody());
        String message = body.get("message").asText();
        assertTrue(message.contains(messagePart), message);
        assertFalse(message.contains("{\""), "the container's message, not its JSON: " + message);
        assertEquals(apiStatus == 503 ? "1" : null, r.getHeaders().get("Retry-After"));
        assertEquals(404, handler.handleRequest(Requests.get(stream), null).getStatusCode(), "no state was written");
        // The refused frame did not use up its index: the same index is accepted by a working model.
        StreamApiHandler working = env.handler(env.config(), clock);
        assertEquals(200, working.handleRequest(Requests.frame(stream, 1, scene.jpeg(1)), null).getStatusCode());
    }

    @Test
    void theDetectorThrowsTheMappedException() {
        SageMakerDetector detector = new SageMakerDetector(env.runtimeClient(),
                refusingEndpoint(413, "{\"error\":\"too_many_pixels\",\"message\":\"the jpeg image is 30000x20000\"}"));
        StreamException e = assertThrows(StreamException.class, () -> detector.detect(new byte[] {(byte) 0xFF, (byte) 0xD8},
                "image/jpeg"));
        assertEquals(413, e.status());
        assertEquals("TooManyPixels", e.code());
        assertEquals("the model refused the frame: the jpeg image is 30000x20000", e.getMessage());
        assertEquals(0, e.retryAfterSeconds());
    }

    @Test
    void containerMessagePrefersTheMessageField() {
        assertEquals("m", SageMakerDetector.containerMessage("{\"error\":\"e\",\"message\":\"m\"}"));
        assertEquals("m", SageMakerDetector.containerMessage(" {\"other\":{\"a\":[1,2]},\"message\":\"m\"} "));
        assertEquals("e", SageMakerDetector.containerMessage("{\"error\":\"e\"}"));
        assertEquals("plain text", SageMakerDetector.containerMessage("plain text\n"));
        assertEquals("{not json", SageMakerDetector.containerMessage("{not json"));
        assertEquals("(no message)", SageMakerDetector.containerMessage(null));
    }
}
