package dev.motflow.testsupport.sfn;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The outcome of one local execution: status ({@code SUCCEEDED}, {@code FAILED}, {@code TIMED_OUT}),
 * output, the error and cause of a failed execution, the states in the order they were entered and
 * the full event history ({@code ExecutionStarted}, {@code StateEntered}, {@code StateFailed},
 * {@code StateRetried}, {@code StateCaught}, {@code StateExited}, ...).
 */
public record ExecutionResult(String executionName, String status, JsonNode output, String error, String cause,
                              List<String> visited, List<JsonNode> events) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ExecutionResult parse(String executionName, JsonNode json) {
        List<String> visited = new ArrayList<>();
        json.path("visited").forEach(v -> visited.add(v.asText()));
        List<JsonNode> events = new ArrayList<>();
        json.path("events").forEach(events::add);
        return new ExecutionResult(executionName, json.path("status").asText(), json.get("output"),
                json.path("error").isNull() ? null : json.path("error").asText(null),
                json.path("cause").isNull() ? null : json.path("cause").asText(null), List.copyOf(visited), List.copyOf(events));
    }

    public boolean succeeded() {
        return "SUCCEEDED".equals(status);
    }

    /** Events of one type, e.g. {@code StateRetried}. */
    public List<JsonNode> events(String type) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : events) {
            if (type.equals(e.path("type").asText())) {
                out.add(e);
            }
        }
        return out;
    }

    /** How many times a state was entered. */
    public long entered(String state) {
        return visited.stream().filter(state::equals).count();
    }

    /** The states visited as one line: {@code A -> B -> C}. */
    public String path() {
        return String.join(" -> ", visited);
    }

    /** The event history as JSON (one object per line), for logs and reports. */
    public String historyJson() {
        StringBuilder b = new StringBuilder();
        for (JsonNode e : events) {
            try {
                b.append(JSON.writeValueAsString(e)).append('\n');
            } catch (java.io.IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }
        return b.toString();
    }
}
