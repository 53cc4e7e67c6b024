package dev.motflow.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class JsonLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        JsonLog.output(new PrintStream(captured, true, StandardCharsets.UTF_8));
        JsonLog.threshold(JsonLog.Level.INFO);
    }

    @AfterEach
    void restore() {
        JsonLog.output(null);
        JsonLog.threshold(JsonLog.Level.INFO);
    }

    private List<JsonNode> lines() throws Exception {
        String text = captured.toString(StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return List.of();
        }
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String line : text.split("\n")) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void writesOneObjectPerLineWithTypedFields() throws Exception {
        JsonLog.get(JsonLogTest.class).info("frame tracked", "streamId", "cam-1", "frame", 7, "modelMs", 12.5,
                "stale", false, "skipped", null);
        List<JsonNode> lines = lines();
        assertEquals(1, lines.size());
        JsonNode line = lines.get(0);
        assertEquals("INFO", line.get("level").asText());
        assertEquals("JsonLogTest", line.get("logger").asText());
        assertEquals("frame tracked", line.get("message").asText());
        assertEquals("cam-1", line.get("streamId").asText());
        assertTrue(line.get("frame").isIntegralNumber());
        assertEquals(7, line.get("frame").asLong());
        assertEquals(12.5, line.get("modelMs").asDouble());
        assertTrue(line.get("stale").isBoolean());
        assertFalse(line.has("skipped"), "null values are left out");
        Instant.parse(line.get("time").asText());
    }

    @Test
    void contextFieldsApplyToEveryLine() throws Exception {
        JsonLog run = JsonLog.named("gate").with("executionName", "cams-1");
        run.info("gate-decision", "decision", "PROMOTE");
        run.with("executionName", "cams-2").info("next");
        JsonLog.named("api").with("executionName", null).info("no run yet");
        List<JsonNode> lines = lines();
        assertEquals("gate", lines.get(0).get("logger").asText());
        assertEquals("cams-1", lines.get(0).get("executionName").asText());
        assertEquals("PROMOTE", lines.get(0).get("decision").asText());
        assertEquals("cams-2", lines.get(1).get("executionName").asText());
        assertEquals(1, lines.get(1).properties().stream().filter(e -> e.getKey().equals("executionName")).count(),
                "a context field given again replaces the old value");
        assertFalse(lines.get(2).has("executionName"));
    }

    @Test
    void nestedValuesBecomeJson() throws Exception {
        JsonLog.named("score").info("scored", "scores", Map.of("hota", 0.5),
                "sequences", List.of("MOT17-02", "MOT17-04"), "tree", JSON.readTree("{\"a\":[1,2]}"));
        JsonNode line = lines().get(0);
        assertEquals(0.5, line.path("scores").path("hota").asDouble());
        assertEquals("MOT17-04", line.path("sequences").get(1).asText());
        assertEquals(2, line.path("tree").path("a").get(1).asInt());
    }

    @Test
    void errorsCarryTypeMessageFrameAndRootCause() throws Exception {
        IllegalStateException failure = new IllegalStateException("store down",
                new java.io.IOException("connection refused"));
        JsonLog.named("finish-run").error("finish-failed", failure, "jobId", "j-1");
        JsonNode line = lines().get(0);
        assertEquals("ERROR", line.get("level").asText());
        assertEquals("java.lang.IllegalStateException", line.get("errorType").asText());
        assertEquals("store down", line.get("errorMessage").asText());
        assertTrue(line.get("errorAt").asText().contains("JsonLogTest"), line.toString());
        assertEquals("java.io.IOException: connection refused", line.get("errorCause").asText());
        assertEquals("j-1", line.get("jobId").asText());
    }

    @Test
    void theThresholdDropsQuieterLines() throws Exception {
        JsonLog.threshold(JsonLog.Level.WARN);
        JsonLog log = JsonLog.named("t");
        log.info("dropped");
        log.debug("dropped");
        log.warn("kept");
        log.log(JsonLog.Level.WARN, "kept too", new IllegalStateException("x"));
        assertFalse(JsonLog.enabled(JsonLog.Level.INFO));
        assertEquals(List.of("kept", "kept too"), lines().stream().map(l -> l.get("message").asText()).toList());
    }

    @Test
    void levelNamesParseCaseInsensitivelyWithInfoAsFallback() {
        assertEquals(JsonLog.Level.DEBUG, JsonLog.parseLevel(" debug "));
        assertEquals(JsonLog.Level.INFO, JsonLog.parseLevel("verbose"));
        assertEquals(JsonLog.Level.INFO, JsonLog.parseLevel(null));
    }

    @Test
    void textIsEscaped() throws Exception {
        JsonLog.named("t").info("quote \" and\nnewline", "key", "tab\there");
        List<JsonNode> lines = lines();
        assertEquals(1, lines.size(), "a message with a newline still makes one line");
        assertEquals("quote \" and\nnewline", lines.get(0).get("message").asText());
        assertEquals("tab\there", lines.get(0).get("key").asText());
    }
}
