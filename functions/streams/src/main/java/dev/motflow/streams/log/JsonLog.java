package dev.motflow.streams.log;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * One JSON object per line on stdout (Lambda ships it to CloudWatch Logs, where Logs Insights can
 * filter on {@code streamId} and {@code frame}): {@code time, level, logger, message}, the given
 * key/value pairs, then {@code cause} for errors. Threshold from {@code MOTFLOW_LOG_LEVEL} or the
 * system property {@code motflow.log.level} (INFO). Same line shape as the job Lambdas' logs.
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

    public static boolean enabled(Level level) {
        return level.ordinal() >= threshold.ordinal();
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
        if (!enabled(level)) {
            return;
        }
        out.println(format(level, logger, message, cause, keyValues));
    }

    /** The line as it would be written. */
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
                if (v instanceof Double || v instanceof Float) {
                    g.writeNumberField(key, ((Number) v).doubleValue());
                } else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
                    g.writeNumberField(key, ((Number) v).longValue());
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
