package dev.motflow.jobs.service;

import java.io.IOException;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.jobs.JobsJson;

/**
 * Recognises the container's word that the input itself cannot be tracked (containers/README.md), so
 * that such a job ends REJECTED with the container's reason instead of FAILED:
 * <ul>
 * <li>async inference: SageMaker's failure reason quotes the serving container's 4xx body,
 * {@code ClientError: Received client error (400) from primary with message "{"error":
 * "undecodable_video", "message": "..."}"}; the codes {@link #INPUT_CODES} are the input's fault;</li>
 * <li>processing job: the failure reason holds the container's failure file,
 * {@code InputRejected: <file>: <reason>} (SageMaker may put {@code AlgorithmError: } before it).</li>
 * </ul>
 * Anything else (a 5xx, a protocol error, a crash) stays a failure of the pipeline.
 */
final class ContainerRejections {
    static final Set<String> INPUT_CODES = Set.of("undecodable_video", "undecodable_image", "too_many_pixels");
    static final String PROCESSING_MARKER = "InputRejected: ";
    private static final int MAX_REASON_CHARS = 1000;

    private ContainerRejections() {
    }

    /** The container's message when an async failure reason carries an input error, else null. */
    static String fromAsyncFailure(String failureReason) {
        if (failureReason == null || !failureReason.contains("client error (4")) {
            return null;
        }
        int brace = failureReason.indexOf('{');
        if (brace < 0) {
            return null;
        }
        // The body is quoted into the reason as it came; the parser reads its one object and stops there.
        try (JsonParser p = JobsJson.MAPPER.getFactory().createParser(failureReason.substring(brace))) {
            JsonNode body = JobsJson.MAPPER.readTree(p);
            if (body == null || !INPUT_CODES.contains(body.path("error").asText(""))) {
                return null;
            }
            String message = body.path("message").asText("").strip();
            return message.isEmpty() ? body.path("error").asText() : clip(message);
        } catch (IOException | RuntimeException notTheContainersBody) {
            return null;
        }
    }

    /** The reason after {@value #PROCESSING_MARKER} in a processing job's failure reason, else null. */
    static String fromProcessingFailure(String failureReason) {
        if (failureReason == null) {
            return null;
        }
        int at = failureReason.indexOf(PROCESSING_MARKER);
        if (at < 0) {
            return null;
        }
        String reason = failureReason.substring(at + PROCESSING_MARKER.length()).strip();
        return reason.isEmpty() ? null : clip(reason);
    }

    private static String clip(String s) {
        return s.length() <= MAX_REASON_CHARS ? s : s.substring(0, MAX_REASON_CHARS) + "...";
    }
}
