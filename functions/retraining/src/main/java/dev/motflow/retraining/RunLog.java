package dev.motflow.retraining;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Structured logs: one JSON object per line on stdout (CloudWatch keeps each line as an event), every
 * line carrying the execution name of the retraining run it belongs to, so one run's story is a
 * single filter away.
 */
public final class RunLog {
    private final String component;
    private final String executionName;
    private final Clock clock;
    private final PrintStream out;

    private RunLog(String component, String executionName, Clock clock, PrintStream out) {
        this.component = component;
        this.executionName = executionName;
        this.clock = clock;
        this.out = out;
    }

    public static RunLog of(String component, String executionName, Clock clock) {
        return new RunLog(component, executionName == null ? "-" : executionName, clock, System.out);
    }

    /** The same logger for another run (the trigger handles several runs in one batch). */
    public RunLog forRun(String otherExecutionName) {
        return new RunLog(component, otherExecutionName, clock, out);
    }

    public void info(String event, Map<String, ?> fields) {
        write("INFO", event, fields, null);
    }

    public void warn(String event, Map<String, ?> fields, Throwable error) {
        write("WARN", event, fields, error);
    }

    public void error(String event, Map<String, ?> fields, Throwable error) {
        write("ERROR", event, fields, error);
    }

    private void write(String level, String event, Map<String, ?> fields, Throwable error) {
        ObjectNode line = Json.object();
        line.put("ts", clock.instant().toString());
        line.put("level", level);
        line.put("component", component);
        line.put("executionName", executionName);
        line.put("event", event);
        if (fields != null) {
            fields.forEach((k, v) -> line.set(k, Json.MAPPER.valueToTree(v)));
        }
        if (error != null) {
            line.put("errorType", error.getClass().getName());
            line.put("errorMessage", String.valueOf(error.getMessage()));
        }
        out.println(line);
    }
}
