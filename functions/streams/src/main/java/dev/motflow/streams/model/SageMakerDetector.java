package dev.motflow.streams.model;

import java.util.Map;

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
 * image as body, {@code Accept: application/json}). Errors become 503 when trying again later can
 * help (throttling, 5xx, model not ready, timeouts, connection failures) and 502 when the endpoint
 * answered something unusable (the container's own error, an unknown endpoint, a malformed answer).
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
            String original = e.originalMessage() != null ? e.originalMessage() : message(e);
            throw new StreamException(502, "ModelError", "the model could not process the frame (status "
                    + e.originalStatusCode() + "): " + original, Map.of("endpoint", endpointName), 0, e);
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
