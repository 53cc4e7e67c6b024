package dev.motflow.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class LogContextTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonLog LOG = JsonLog.get(LogContextTest.class);
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    /** The parts of a Lambda Context the logger reads. */
    record TestContext(String getAwsRequestId, String getFunctionName, String getFunctionVersion) implements Context {
        public String getLogGroupName() {
            return "/aws/lambda/" + getFunctionName;
        }

        public String getLogStreamName() {
            return "2026/12/03/[$LATEST]0123";
        }

        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:123456789012:function:" + getFunctionName;
        }

        public CognitoIdentity getIdentity() {
            return null;
        }

        public ClientContext getClientContext() {
            return null;
        }

        public int getRemainingTimeInMillis() {
            return 30_000;
        }

        public int getMemoryLimitInMB() {
            return 512;
        }

        public LambdaLogger getLogger() {
            return null;
        }
    }

    @BeforeEach
    void capture() {
        JsonLog.output(new PrintStream(captured, true, StandardCharsets.UTF_8));
        JsonLog.threshold(JsonLog.Level.INFO);
        LogContext.rearmColdStart();
    }

    @AfterEach
    void restore() {
        JsonLog.output(null);
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).strip().split("\n")) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void everyLineOfAnInvocationCarriesTheRequestIdAndOnlyTheFirstIsCold() throws Exception {
        try (LogContext.Scope s = LogContext.invocation(new TestContext("req-1", "motflow-ingest", "7"))) {
            LOG.info("first");
            JsonLog.named("other").warn("second");
        }
        try (LogContext.Scope s = LogContext.invocation(new TestContext("req-2", "motflow-ingest", "7"))) {
            LOG.info("third");
        }
        LOG.info("outside");
        List<JsonNode> lines = lines();
        assertEquals(4, lines.size());
        for (int i = 0; i < 2; i++) {
            assertEquals("req-1", lines.get(i).path("function_request_id").asText());
            assertEquals("motflow-ingest", lines.get(i).path("function_name").asText());
            assertEquals("7", lines.get(i).path("function_version").asText());
            assertTrue(lines.get(i).path("cold_start").asBoolean(false));
        }
        assertEquals("req-2", lines.get(2).path("function_request_id").asText());
        assertTrue(lines.get(2).path("cold_start").isBoolean());
        assertFalse(lines.get(2).path("cold_start").asBoolean(true), "the second invocation is warm");
        assertFalse(lines.get(3).has("function_request_id"), "nothing leaks past the invocation");
        assertFalse(lines.get(3).has("cold_start"));
    }

    @Test
    void anIdPutDuringAMessageIsOnEveryLaterLineUntilTheMessageScopeCloses() throws Exception {
        try (LogContext.Scope s = LogContext.invocation(new TestContext("req-3", "motflow-ingest", "1"))) {
            try (LogContext.Scope m = LogContext.with("messageId", "m-1")) {
                LOG.info("parsing");
                LogContext.put("jobId", "j-1");
                JsonLog.named("launcher").info("starting");
            }
            LOG.info("next message");
        }
        List<JsonNode> lines = lines();
        assertEquals("m-1", lines.get(0).path("messageId").asText());
        assertFalse(lines.get(0).has("jobId"));
        assertEquals("j-1", lines.get(1).path("jobId").asText());
        assertEquals("req-3", lines.get(1).path("function_request_id").asText());
        assertFalse(lines.get(2).has("jobId"));
        assertFalse(lines.get(2).has("messageId"));
        assertEquals("req-3", lines.get(2).path("function_request_id").asText());
        assertNull(LogContext.get("function_request_id"));
    }

    @Test
    void aKeyIsWrittenOnceAndTheMostSpecificValueWins() throws Exception {
        try (LogContext.Scope s = LogContext.with("jobId", "from-invocation")) {
            LOG.with("jobId", "from-logger").info("one", "jobId", "from-call");
            LOG.with("jobId", "from-logger").info("two");
            LOG.info("three");
        }
        List<String> raw = List.of(captured.toString(StandardCharsets.UTF_8).strip().split("\n"));
        assertEquals(1, raw.get(0).split("\"jobId\"", -1).length - 1, raw.get(0));
        List<JsonNode> lines = lines();
        assertEquals("from-call", lines.get(0).path("jobId").asText());
        assertEquals("from-logger", lines.get(1).path("jobId").asText());
        assertEquals("from-invocation", lines.get(2).path("jobId").asText());
    }

    @Test
    void putNullRemovesAFieldAndTheThreadsStayApart() throws Exception {
        try (LogContext.Scope s = LogContext.with("jobId", "j-main")) {
            Thread other = new Thread(() -> LOG.info("other thread"));
            other.start();
            other.join();
            LogContext.put("jobId", null);
            LOG.info("removed");
        }
        List<JsonNode> lines = lines();
        assertFalse(lines.get(0).has("jobId"), "another thread does not see this thread's fields");
        assertFalse(lines.get(1).has("jobId"));
    }

    @Test
    void withoutAContextOnlyTheColdStartFlagIsWritten() throws Exception {
        try (LogContext.Scope s = LogContext.invocation(null)) {
            LOG.info("local call");
        }
        JsonNode line = lines().get(0);
        assertTrue(line.path("cold_start").asBoolean(false));
        assertFalse(line.has("function_request_id"));
    }
}
