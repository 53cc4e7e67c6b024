package dev.motflow.jobs.log;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * One JSON object per line on stdout (what Lambda ships to CloudWatch Logs): {@code time, level,
 * logger, message}, then the given key/value pairs (a {@code jobId} on every line about a job),
 * then {@code cause} for errors. The level threshold comes from {@code MOTFLOW_LOG_LEVEL} or the
 * system property {@code motflow.log.level} (default INFO).
 */
public final class JsonLog {
    public enum Level { DEBUG, INFO, WARN, ERROR }

    private static final JsonFactory FACTORY = new JsonFactory();
    private static volatile PrintStream out = System.out;
    private static volatile Level threshold = initialThreshold();

    private final String logger;

    private JsonLog(String logger) {
        this.logger = logger;
    }

    public static JsonLog get(Class<?> type) {
        return new JsonLog(type.getSimpleName());
    }

    /** Redirects all loggers (tests capture lines with it). */
    public static void output(PrintStream stream) {
        out = stream;
    }

    public static void threshold(Level level) {
        threshold = level;
    }

    private static Level initialThreshold() {
        String v = System.getProperty("motflow.log.level", System.getenv("MOTFLOW_LOG_LEVEL"));
        if (v == null) {
            return Level.INFO;
        }
        try {
            return Level.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Level.INFO;
        }
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

    public void error(String message, Throwable cause, Object... keyValues) {
        log(Level.ERROR, message, cause, keyValues);
    }

    public void log(Level level, String message, Throwable cause, Object... keyValues) {
        if (level.ordinal() < threshold.ordinal()) {
            return;
        }
        out.println(format(level, logger, message, cause, keyValues));
    }

    /** The line as it would be written (exposed for tests). */
    public static String format(Level level, String logger, String message, Throwable cause, Object... keyValues) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("level", level.name());
            g.writeStringField("logger", logger);
            g.writeStringField("message", message);
            for (int i = 0; i + 1 < keyValues.length; i += 2) {
                String key = String.valueOf(keyValues[i]);
                Object v = keyValues[i + 1];
                if (v == null) {
                    continue;
                }
                if (v instanceof Number n && !(v instanceof java.math.BigDecimal)) {
                    if (n instanceof Double || n instanceof Float) {
                        g.writeNumberField(key, n.doubleValue());
                    } else {
                        g.writeNumberField(key, n.longValue());
                    }
                } else if (v instanceof Boolean b) {
                    g.writeBooleanField(key, b);
                } else {
                    g.writeStringField(key, String.valueOf(v));
                }
            }
            if (cause != null) {
                g.writeStringField("cause", cause.getClass().getName() + ": " + cause.getMessage());
                StackTraceElement[] st = cause.getStackTrace();
                if (st.length > 0) {
                    g.writeStringField("at", st[0].toString());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            return "{\"level\":\"ERROR\",\"message\":\"log formatting failed\"}";
        }
        return w.toString();
    }
}
