package dev.motflow.testsupport.sfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The local ASL runner: tasks reach the dispatcher, error names drive Retry and Catch, waits are skipped. */
class AslRunnerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFINITION = """
            {
              "StartAt": "Work",
              "States": {
                "Work": {
                  "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "${WorkFunction}", "Payload": {"n.$": "$.n"}},
                  "ResultSelector": {"doubled.$": "$.Payload.doubled"},
                  "ResultPath": "$.work",
                  "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 30, "MaxAttempts": 2, "JitterStrategy": "FULL"}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
                  "Next": "Pause"
                },
                "Pause": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
                "Done": {"Type": "Succeed"},
                "Failed": {"Type": "Fail", "Error": "Work.Failed", "Cause": "gave up"}
              }
            }
            """;

    @TempDir
    Path dir;
    private final TaskDispatcher dispatcher = TaskDispatcher.start();

    @AfterEach
    void stop() {
        dispatcher.close();
    }

    private ExecutionResult run(Map<String, String> substitutions) throws Exception {
        Path asl = dir.resolve("test.asl.json");
        Files.writeString(asl, DEFINITION);
        dispatcher.route(LambdaTasks.RESOURCE, new LambdaTasks().register("arn:aws:lambda:us-east-1:000000000000:function:work",
                payload -> "{\"doubled\":" + 2 * JSON.readTree(payload).path("n").asInt() + "}"));
        return AslRunner.local().run(new AslRunner.Run(asl, substitutions, "exec-1", JSON.readTree("{\"n\":21}"), dispatcher));
    }

    @Test
    void retriesMatchingErrorsThenSucceedsWithoutWaiting() throws Exception {
        dispatcher.failNext("Work", 2, "Flaky", "try again");
        long start = System.nanoTime();
        ExecutionResult r = run(Map.of("WorkFunction", "arn:aws:lambda:us-east-1:000000000000:function:work"));
        assertTrue(r.succeeded(), r.historyJson());
        assertEquals(42, r.output().path("work").path("doubled").asInt());
        assertEquals(List.of("Work", "Pause", "Done"), r.visited());
        assertEquals(2, r.events("StateRetried").size());
        assertEquals(3, dispatcher.calls("exec-1", "Work").size());
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "retry pauses and the 1 h wait were skipped");
    }

    @Test
    void exhaustedRetriesAreCaught() throws Exception {
        dispatcher.failNext("Work", 3, "Flaky", "still broken");
        ExecutionResult r = run(Map.of("WorkFunction", "arn:aws:lambda:us-east-1:000000000000:function:work"));
        assertEquals("FAILED", r.status());
        assertEquals("Work.Failed", r.error());
        assertEquals(List.of("Work", "Failed"), r.visited());
        assertEquals(1, r.events("StateCaught").size());
    }

    @Test
    void aMissingSubstitutionIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(Map.of()));
        assertTrue(e.getMessage().contains("WorkFunction"), e.getMessage());
    }
}
