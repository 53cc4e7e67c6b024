package dev.motflow.testsupport.sfn;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Stand-in for {@code arn:aws:states:::sns:publish}: checks the request as SNS does (topic ARN,
 * message size, subject rules) and records every published message.
 */
public final class SnsTasks implements TaskHandler {
    public static final String RESOURCE = "arn:aws:states:::sns:publish";
    private static final Pattern TOPIC_ARN = Pattern.compile("arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One published message. */
    public record Published(String execution, String topicArn, String subject, String message, JsonNode attributes) {
        public JsonNode messageJson() {
            try {
                return JSON.readTree(message);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("message is not JSON: " + message, e);
            }
        }
    }

    private final List<Published> published = new CopyOnWriteArrayList<>();

    @Override
    public JsonNode handle(TaskCall call) throws TaskFailure {
        JsonNode in = call.input();
        String topic = in.path("TopicArn").asText("");
        if (!TOPIC_ARN.matcher(topic).matches()) {
            throw new TaskFailure("SNS.InvalidParameterException", "Invalid parameter: TopicArn '" + topic + "'");
        }
        String message = in.path("Message").asText("");
        if (message.isEmpty() || message.getBytes(StandardCharsets.UTF_8).length > 262144) {
            throw new TaskFailure("SNS.InvalidParameterException", "Invalid parameter: Message must be 1 byte to 256 KiB");
        }
        String subject = in.hasNonNull("Subject") ? in.get("Subject").asText() : null;
        if (subject != null && (subject.isEmpty() || subject.length() >= 100 || !subject.matches("[\\x20-\\x7E]+"))) {
            throw new TaskFailure("SNS.InvalidParameterException",
                    "Invalid parameter: Subject must be ASCII, start with a letter, number or punctuation, and be under 100 characters");
        }
        published.add(new Published(call.execution(), topic, subject, message, in.path("MessageAttributes")));
        return JSON.createObjectNode().put("MessageId", UUID.randomUUID().toString());
    }

    public List<Published> published() {
        return List.copyOf(published);
    }

    public List<Published> published(String execution) {
        return published.stream().filter(p -> p.execution().equals(execution)).toList();
    }

    public void reset() {
        published.clear();
    }
}
