package dev.motflow.common;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import com.amazonaws.services.lambda.runtime.Context;

/**
 * Fields that {@link JsonLog} writes on every line of the current invocation, whichever logger
 * writes it: the Lambda request id, function name and version and the cold-start flag (set by the
 * handler with {@link #invocation}), and ids the code learns on the way, such as the {@code jobId}
 * of the message being handled ({@link #put}, {@link #with}).
 *
 * <p>The fields are confined to the thread: Lambda runs one invocation at a time per execution
 * environment, and the local stack and tests run handlers on several threads at once. Every
 * {@link Scope} restores what was there before it, so a field added inside a scope (one SQS message)
 * does not leak into the next one.
 *
 * <p>The Lambda fields are named as Powertools for AWS Lambda names them ({@code function_request_id},
 * {@code function_name}, {@code function_version}, {@code cold_start}) so Logs Insights queries
 * written for Powertools work unchanged here.
 *
 * <p>Cold start and SnapStart: {@code cold_start} is true on the first invocation this JVM serves.
 * SnapStart snapshots the environment after init and before any invocation (no handler here is
 * invoked during init, priming runs plain code), so every environment restored from the snapshot
 * still holds the flag armed and reports its own first invocation as cold, which is the latency
 * users see. Code that invokes a handler before the snapshot must call {@link #rearmColdStart} after
 * restore (a CRaC {@code afterRestore} hook).
 */
public final class LogContext {
    public static final String REQUEST_ID = "function_request_id";
    public static final String FUNCTION_NAME = "function_name";
    public static final String FUNCTION_VERSION = "function_version";
    public static final String COLD_START = "cold_start";

    private static final Object[] NONE = {};
    private static final AtomicBoolean COLD_START_PENDING = new AtomicBoolean(true);
    /** Key/value pairs of this thread's current invocation. Never mutated: replaced. */
    private static final ThreadLocal<Object[]> FIELDS = ThreadLocal.withInitial(() -> NONE);

    private LogContext() {
    }

    /** Ends a scope: the thread's fields go back to what they were when it began. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Begins an invocation: replaces this thread's fields with the request id, function name and
     * version from {@code lambda} (null in some tests: those fields are then left out) and the
     * cold-start flag. Use in try-with-resources around the handler's work.
     */
    public static Scope invocation(Context lambda) {
        Object[] before = FIELDS.get();
        boolean cold = COLD_START_PENDING.getAndSet(false);
        Object[] fields = lambda == null
                ? new Object[] {COLD_START, cold}
                : new Object[] {REQUEST_ID, lambda.getAwsRequestId(), FUNCTION_NAME, lambda.getFunctionName(),
                        FUNCTION_VERSION, lambda.getFunctionVersion(), COLD_START, cold};
        FIELDS.set(fields);
        return () -> FIELDS.set(before);
    }

    /** One more field (or another value for one) until the returned scope closes. */
    public static Scope with(String key, Object value) {
        Object[] before = FIELDS.get();
        put(key, value);
        return () -> FIELDS.set(before);
    }

    /**
     * One more field (or another value for one; null removes it) until the enclosing scope closes:
     * for an id learnt in the middle of the work, such as the job id of an SQS message.
     */
    public static void put(String key, Object value) {
        Object[] current = FIELDS.get();
        for (int i = 0; i < current.length; i += 2) {
            if (current[i].equals(key)) {
                if (value == null) {
                    Object[] fewer = new Object[current.length - 2];
                    System.arraycopy(current, 0, fewer, 0, i);
                    System.arraycopy(current, i + 2, fewer, i, current.length - i - 2);
                    FIELDS.set(fewer);
                } else {
                    Object[] replaced = current.clone();
                    replaced[i + 1] = value;
                    FIELDS.set(replaced);
                }
                return;
            }
        }
        if (value != null) {
            Object[] more = Arrays.copyOf(current, current.length + 2);
            more[current.length] = key;
            more[current.length + 1] = value;
            FIELDS.set(more);
        }
    }

    /** The value of a field on this thread, or null. */
    public static Object get(String key) {
        Object[] current = FIELDS.get();
        for (int i = 0; i < current.length; i += 2) {
            if (current[i].equals(key)) {
                return current[i + 1];
            }
        }
        return null;
    }

    /** The next invocation reports {@code cold_start: true} (after a snapshot restore that followed priming; tests). */
    public static void rearmColdStart() {
        COLD_START_PENDING.set(true);
    }

    /** This thread's fields as key/value pairs (shared: do not modify). */
    static Object[] fields() {
        return FIELDS.get();
    }
}
