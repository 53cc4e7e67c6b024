package dev.motflow.streams.model;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import dev.motflow.streams.StreamsJson;

import dev.motflow.streams.service.StreamException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointResponse;
import software.amazon.awssdk.services.sagemakerruntime.model.ModelErrorException;
import software.amazon.awssdk.services.sagemakerruntime.model.ModelNotReadyException;

/**
 * The real-time SageMaker endpoint running the serving container ({@code InvokeEndpoint} with the
 * image as body, {@code Accept: application/json}). The container's refusals of the frame are the
 * client's: its 413 (a frame over the model's pixel budget) stays 413 {@code TooManyPixels}, its
 * 400/415/422 (an image that does not decode) become 422 {@code UndecodableImage}, each with the
 * container's message. Errors become 503 when trying again later can help (throttling, 5xx, the
 * container's 503, model not ready, timeouts, connection failures) and 502 when the endpoint answered
 * something unusable (another container error, an unknown endpoint, a malformed answer).
 */
public final class SageMakerDetector implements Detector {
    private final SageMakerRuntimeClient runtime;
    private final String endpointName;

    public SageMakerDetector(SageMakerRuntimeClient runtime, String endpointName) {
        this.runtime = runtime;
        this.endpointName = endpointName;
    }

    @Override
    public ModelDetections detect(byte[] image, String contentType) {
        InvokeEndpointResponse response;
        try {
            response = runtime.invokeEndpoint(b -> b.endpointName(endpointName).contentType(contentType)
                    .accept("application/json").body(SdkBytes.fromByteArrayUnsafe(image)));
        } catch (ModelNotReadyException e) {
            throw unavailable("the real-time endpoint's model is not ready: " + message(e), e);
        } catch (ModelErrorException e) {
            throw modelError(e);
        } catch (SdkServiceException e) {
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw unavailable("the real-time endpoint is unavailable (" + e.statusCode() + " "
                        + errorCode(e) + "): " + message(e), e);
            }
            throw new StreamException(502, "EndpointError", "the real-time endpoint refused the call ("
                    + e.statusCode() + " " + errorCode(e) + "): " + message(e), Map.of("endpoint", endpointName), 0, e);
        } catch (SdkClientException e) {
            throw unavailable("the real-time endpoint could not be reached: " + e.getMessage(), e);
        }
        byte[] body = response.body() == null ? new byte[0] : response.body().asByteArrayUnsafe();
        try {
            return DetectionsParser.parse(body);
        } catch (IllegalArgumentException e) {
            throw new StreamException(502, "BadModelResponse", "the real-time endpoint's answer is not the detection JSON"
                    + " of containers/README.md: " + e.getMessage(), Map.of("endpoint", endpointName), 0, e);
        }
    }

    private StreamException modelError(ModelErrorException e) {
        int status = e.originalStatusCode() == null ? 0 : e.originalStatusCode();
        String original = containerMessage(e.originalMessage() != null ? e.originalMessage() : message(e));
        return switch (status) {
            case 413 -> new StreamException(413, "TooManyPixels", "the model refused the frame: " + original,
                    Map.of(), 0, e);
            case 400, 415, 422 -> new StreamException(422, "UndecodableImage", "the model could not decode the frame: "
                    + original, Map.of(), 0, e);
            case 503 -> unavailable("the model is not serving (status 503): " + original, e);
            default -> new StreamException(502, "ModelError", "the model could not process the frame (status "
                    + status + "): " + original, Map.of("endpoint", endpointName), 0, e);
        };
    }

    /**
     * The text of the container's error body: the {@code message} of its {@code {"error", "message"}}
     * JSON (containers/README.md), else the body as it came.
     */
    static String containerMessage(String body) {
        if (body == null) {
            return "(no message)";
        }
        String trimmed = body.strip();
        if (trimmed.startsWith("{")) {
            String message = null;
            String error = null;
            try (JsonParser p = StreamsJson.FACTORY.createParser(trimmed)) {
                p.nextToken();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (value == JsonToken.VALUE_STRING && "message".equals(field)) {
                        message = p.getText();
                    } else if (value == JsonToken.VALUE_STRING && "error".equals(field)) {
                        error = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } catch (IOException notJson) {
                return trimmed; // not the container's JSON: the body as it came is the best message there is
            }
            if (message != null && !message.isBlank()) {
                return message;
            }
            if (error != null && !error.isBlank()) {
                return error;
            }
        }
        return trimmed;
    }

    private StreamException unavailable(String message, Throwable cause) {
        return new StreamException(503, "ModelUnavailable", message, Map.of("endpoint", endpointName), 1, cause);
    }

    private static String errorCode(SdkServiceException e) {
        if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException a && a.awsErrorDetails() != null
                && a.awsErrorDetails().errorCode() != null) {
            return a.awsErrorDetails().errorCode();
        }
        return e.getClass().getSimpleName();
    }

    private static String message(SdkServiceException e) {
        if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException a && a.awsErrorDetails() != null
                && a.awsErrorDetails().errorMessage() != null) {
            return a.awsErrorDetails().errorMessage();
        }
        return e.getMessage();
    }
}
