package dev.motflow.jobs.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.common.JsonLog;
import dev.motflow.common.LogContext;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.testing.Local;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.Fault;
import dev.motflow.testsupport.FaultPlan;
import dev.motflow.testsupport.Videos;

/** What a handler invocation writes to the log: every line names the request and the job. */
class HandlerLoggingTest {
    private static final Local LOCAL = new Local();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    /** A Lambda Context as the runtime passes it, with the fields the logger reads. */
    record TestContext(String getAwsRequestId) implements Context {
        public String getFunctionName() {
            return "motflow-ingest";
        }

        public String getFunctionVersion() {
            return "3";
        }

        public String getLogGroupName() {
            return "/aws/lambda/motflow-ingest";
        }

        public String getLogStreamName() {
            return "2026/12/03/[3]abc";
        }

        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:123456789012:function:motflow-ingest:3";
        }

        public CognitoIdentity getIdentity() {
            return null;
        }

        public ClientContext getClientContext() {
            return null;
        }

        public int getRemainingTimeInMillis() {
            return 60_000;
        }

        public int getMemoryLimitInMB() {
            return 1024;
        }

        public LambdaLogger getLogger() {
            return null;
        }
    }

    @BeforeEach
    void capture() {
        LOCAL.sm.reset();
        JsonLog.threshold(JsonLog.Level.INFO);
        JsonLog.output(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LogContext.rearmColdStart(); // as in a fresh execution environment
    }

    @AfterEach
    void restore() {
        JsonLog.output(null);
        LOCAL.sm.injectFaults(FaultPlan.none());
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).strip().split("\n")) {
            out.add(JSON.readTree(line));
        }
        captured.reset();
        return out;
    }

    private static SQSEvent sqs(String messageId, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(messageId);
        m.setBody(body);
        m.setEventSource("aws:sqs");
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(m));
        return e;
    }

    private String upload(String key) {
        byte[] video = Videos.mp4(100);
        String eTag = LOCAL.put(LOCAL.drop, key, video);
        String sequencer = AwsEvents.nextSequencer();
        return AwsEvents.s3Put(LOCAL.drop, key, eTag, video.length, sequencer) + "\n"
                + JobIds.forObject(new S3ObjectRef(LOCAL.drop, key, null, eTag, sequencer, video.length));
    }

    @Test
    void everyLineOfAnIngestInvocationCarriesTheRequestIdAndTheJobIdAndOnlyTheFirstIsCold() throws Exception {
        JobsRuntime runtime = LOCAL.runtime(LOCAL.config(), Clock.systemUTC(), LOCAL.sageMakerWithRetries(),
                LOCAL.runtimeWithRetries(), Local.fastTuning());
        IngestHandler handler = new IngestHandler(runtime.ingest());
        String[] first = upload("incoming/logged-1.mp4").split("\n");
        // One throttled start: the SDK retries it, and the launcher's line about it names no job itself.
        LOCAL.sm.injectFaults(FaultPlan.firstN(1, Fault.THROTTLING));
        assertTrue(handler.handleRequest(sqs("msg-1", first[0]), new TestContext("req-1")).getBatchItemFailures().isEmpty());

        List<JsonNode> lines = lines();
        assertTrue(lines.size() >= 3, "job created, video accepted, retried start, job running: " + lines);
        for (JsonNode line : lines) {
            assertEquals("req-1", line.path("function_request_id").asText(), line.toString());
            assertEquals("motflow-ingest", line.path("function_name").asText(), line.toString());
            assertEquals("3", line.path("function_version").asText(), line.toString());
            assertEquals(first[1], line.path("jobId").asText(), line.toString());
            assertEquals("msg-1", line.path("messageId").asText(), line.toString());
            assertTrue(line.path("cold_start").asBoolean(false), "first invocation of the environment: " + line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.path("logger").asText().equals("SageMakerLauncher")
                && l.path("attempts").asInt() == 2), "the retried start is logged with its job: " + lines);
        JobRepository jobs = new JobRepository(LOCAL.aws.dynamo(), LOCAL.table, Clock.systemUTC());
        assertEquals(2L, jobs.get(first[1]).orElseThrow().start().calls().longValue(), "the SDK's attempts are counted");

        String[] second = upload("incoming/logged-2.mp4").split("\n");
        LOCAL.sm.injectFaults(FaultPlan.none());
        handler.handleRequest(sqs("msg-2", second[0]), new TestContext("req-2"));
        lines = lines();
        assertFalse(lines.isEmpty());
        for (JsonNode line : lines) {
            assertEquals("req-2", line.path("function_request_id").asText(), line.toString());
            assertEquals(second[1], line.path("jobId").asText(), line.toString());
            assertTrue(line.path("cold_start").isBoolean() && !line.path("cold_start").asBoolean(), "warm: " + line);
        }
    }

    @Test
    void aProcessingEventInvocationCarriesTheJobIdOnItsLines() throws Exception {
        JobsRuntime runtime = LOCAL.runtime(LOCAL.config(), Clock.systemUTC());
        ProcessingJobEventHandler handler = new ProcessingJobEventHandler(runtime.completion());
        String jobId = JobIds.random();
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> event = JSON.convertValue(AwsEvents.processingStateChange(
                JobIds.processingJobName(jobId), "InProgress", null, null), java.util.Map.class);
        handler.handleRequest(event, new TestContext("req-p"));
        List<JsonNode> lines = lines();
        assertFalse(lines.isEmpty());
        for (JsonNode line : lines) {
            assertEquals("req-p", line.path("function_request_id").asText(), line.toString());
            assertEquals(jobId, line.path("jobId").asText(), line.toString());
        }
    }
}
