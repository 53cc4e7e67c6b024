package dev.motflow.common;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.TreeNode;

/**
 * Structured logs for the Lambdas: one JSON object per line on stdout, which Lambda ships to
 * CloudWatch Logs as one event, so Logs Insights can filter on any field. A line is
 * {@code time, level, logger, message}, then the invocation's fields ({@link LogContext}: the Lambda
 * request id, function name and version, {@code cold_start}, and ids such as the {@code jobId} of the
 * message being handled), then the logger's context fields (a {@code jobId}, {@code streamId} or
 * {@code executionName} bound once with {@link #with}), then the call's fields, then for a failure {@code errorType, errorMessage, errorAt} (first stack frame) and
 * {@code errorCause} (the exception's cause, if any).
 *
 * <p>Field values: numbers and booleans stay JSON numbers and booleans, maps, collections and
 * Jackson trees become nested JSON, anything else its {@code toString()}; null values are left out.
 * Only jackson-core is used, so a Lambda jar without databind can log. A key is written once: the
 * call's value wins over the logger's context, which wins over the invocation's.
 *
 * <p>The level threshold is shared by all loggers: {@code MOTFLOW_LOG_LEVEL} or the system property
 * {@code motflow.log.level} (default INFO); tests change it and the output with
 * {@link #threshold} and {@link #output}.
 */
public final class JsonLog {
    public enum Level { DEBUG, INFO, WARN, ERROR }

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final Object[] NO_CONTEXT = {};
    /** Null: whatever {@code System.out} is when a line is written. */
    private static volatile PrintStream out;
    private static volatile Level threshold = initialThreshold();

    private final String logger;
    /** Key/value pairs written on every line of this logger. */
    private final Object[] context;

    private JsonLog(String logger, Object[] context) {
        this.logger = logger;
        this.context = context;
    }

    /** A logger named after a class (its simple name). */
    public static JsonLog get(Class<?> type) {
        return named(type.getSimpleName());
    }

    /** A logger named after a component (for example a Lambda step). */
    public static JsonLog named(String logger) {
        return new JsonLog(logger, NO_CONTEXT);
    }

    /**
     * The same logger with one more field on every line, or with another value for a context field
     * it already has (a null value writes nothing).
     */
    public JsonLog with(String key, Object value) {
        for (int i = 0; i < context.length; i += 2) {
            if (context[i].equals(key)) {
                Object[] replaced = context.clone();
                replaced[i + 1] = value;
                return new JsonLog(logger, replaced);
            }
        }
        Object[] more = Arrays.copyOf(context, context.length + 2);
        more[context.length] = key;
        more[context.length + 1] = value;
        return new JsonLog(logger, more);
    }

    /** Redirects all loggers (tests capture lines with it); null goes back to {@code System.out}. */
    public static void output(PrintStream stream) {
        out = stream;
    }

    public static void threshold(Level level) {
        threshold = level;
    }

    public static boolean enabled(Level level) {
        return level.ordinal() >= threshold.ordinal();
    }

    static Level parseLevel(String v) {
        if (v == null) {
            return Level.INFO;
        }
        try {
            return Level.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Level.INFO;
        }
    }

    private static Level initialThreshold() {
        return parseLevel(System.getProperty("motflow.log.level", System.getenv("MOTFLOW_LOG_LEVEL")));
    }

    public void debug(String message, Object... keyValues) {
        log(Level.DEBUG, message, null, keyValues);
    }

    public void info(String message, Object... keyValues) {
        log(Level.INFO, message, null, keyValues);
    }

    public void warn(String message, Object... keyValues) {
        log(Level.WARN, message, null, keyValues);
    }

    public void error(String message, Throwable error, Object... keyValues) {
        log(Level.ERROR, message, error, keyValues);
    }

    public void log(Level level, String message, Throwable error, Object... keyValues) {
        if (!enabled(level)) {
            return;
        }
        StringWriter line = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("level", level.name());
            g.writeStringField("logger", logger);
            g.writeStringField("message", message);
            Object[] invocation = LogContext.fields();
            writePairs(g, invocation, context, keyValues);
            writePairs(g, context, keyValues, NO_CONTEXT);
            writePairs(g, keyValues, NO_CONTEXT, NO_CONTEXT);
            if (error != null) {
                g.writeStringField("errorType", error.getClass().getName());
                g.writeStringField("errorMessage", String.valueOf(error.getMessage()));
                StackTraceElement[] st = error.getStackTrace();
                if (st.length > 0) {
                    g.writeStringField("errorAt", st[0].toString());
                }
                Throwable cause = error.getCause();
                if (cause != null) {
                    g.writeStringField("errorCause", cause.getClass().getName() + ": " + cause.getMessage());
                }
            }
            g.writeEndObject();
        } catch (IOException | RuntimeException e) {
            line = new StringWriter().append("{\"level\":\"ERROR\",\"message\":\"log formatting failed\"}");
        }
        PrintStream stream = out;
        (stream == null ? System.out : stream).println(line);
    }

    /** Writes the pairs with a value, except those whose key {@code overriding1} or {@code overriding2} writes. */
    private static void writePairs(JsonGenerator g, Object[] keyValues, Object[] overriding1, Object[] overriding2)
            throws IOException {
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            String key = String.valueOf(keyValues[i]);
            if (keyValues[i + 1] != null && !hasValue(overriding1, key) && !hasValue(overriding2, key)) {
                g.writeFieldName(key);
                writeValue(g, keyValues[i + 1]);
            }
        }
    }

    private static boolean hasValue(Object[] keyValues, String key) {
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null && key.equals(String.valueOf(keyValues[i]))) {
                return true;
            }
        }
        return false;
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            // A finite Java number prints as a valid JSON number (integers stay exact).
            g.writeNumber(n.toString());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof TreeNode tree) {
            // A Jackson tree prints itself as JSON; no databind codec is needed for that.
            g.writeRawValue(tree.toString());
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object x : c) {
                writeValue(g, x);
            }
            g.writeEndArray();
        } else if (v == null) {
            g.writeNull();
        } else {
            g.writeString(v.toString());
        }
    }
}
