package dev.motflow.testsupport.sfn;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The loopback HTTP endpoint sfn-runner.mjs forwards every Task to. Tasks are routed by the
 * prefix of their {@code Resource} (e.g. {@code arn:aws:states:::lambda:invoke}) to a
 * {@link TaskHandler}; per state, a test can inject failures ({@link #failNext}) or run a hook
 * before the handler ({@link #beforeState}, e.g. to hold a run while more data arrives). Every
 * call is recorded with its answer.
 */
public final class TaskDispatcher implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A recorded call and its answer (result or error). */
    public record Answered(TaskCall call, JsonNode result, String error, String cause) {
        public boolean failed() {
            return error != null;
        }
    }

    private record Injected(String error, String cause, AtomicInteger left) {
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final Map<String, TaskHandler> byResourcePrefix = new ConcurrentHashMap<>();
    private final Map<String, List<Injected>> failures = new ConcurrentHashMap<>();
    private final Map<String, Consumer<TaskCall>> hooks = new ConcurrentHashMap<>();
    private final List<Answered> calls = new CopyOnWriteArrayList<>();

    private TaskDispatcher(HttpServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    public static TaskDispatcher start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            ExecutorService pool = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "sfn-task-dispatcher");
                t.setDaemon(true);
                return t;
            });
            TaskDispatcher d = new TaskDispatcher(server, pool);
            server.createContext("/", d::serve);
            server.setExecutor(pool);
            server.start();
            return d;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/task");
    }

    /** Routes every Task whose Resource starts with {@code prefix} to {@code handler} (the longest prefix wins). */
    public TaskDispatcher route(String resourcePrefix, TaskHandler handler) {
        byResourcePrefix.put(resourcePrefix, handler);
        return this;
    }

    /** The next {@code times} calls of {@code state} (any execution) fail with {@code error}. */
    public void failNext(String state, int times, String error, String cause) {
        failures.computeIfAbsent(state, k -> new CopyOnWriteArrayList<>()).add(new Injected(error, cause, new AtomicInteger(times)));
    }

    /** Runs {@code hook} before every call of {@code state} (null removes it). */
    public void beforeState(String state, Consumer<TaskCall> hook) {
        if (hook == null) {
            hooks.remove(state);
        } else {
            hooks.put(state, hook);
        }
    }

    public List<Answered> calls() {
        return List.copyOf(calls);
    }

    public List<Answered> calls(String execution, String state) {
        List<Answered> out = new ArrayList<>();
        for (Answered a : calls) {
            if ((execution == null || execution.equals(a.call().execution())) && state.equals(a.call().state())) {
                out.add(a);
            }
        }
        return out;
    }

    /** Forgets recorded calls, injected failures and hooks (routes stay). */
    public void reset() {
        calls.clear();
        failures.clear();
        hooks.clear();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode request;
            try (InputStream in = ex.getRequestBody()) {
                request = JSON.readTree(in);
            }
            TaskCall call = new TaskCall(request.path("execution").asText(), request.path("state").asText(),
                    request.path("resource").asText(), request.get("input"), request.path("attempt").asInt(1));
            ObjectNode answer = JSON.createObjectNode();
            try {
                JsonNode result = dispatch(call);
                answer.set("result", result);
                calls.add(new Answered(call, result, null, null));
            } catch (TaskFailure f) {
                answer.put("error", f.error()).put("cause", f.cause());
                calls.add(new Answered(call, null, f.error(), f.cause()));
            } catch (RuntimeException e) {
                // A bug in a stand-in: fail the task loudly rather than hang the execution.
                String cause = e.getClass().getName() + ": " + e.getMessage();
                answer.put("error", "Dispatcher.Bug").put("cause", cause);
                calls.add(new Answered(call, null, "Dispatcher.Bug", cause));
            }
            byte[] bytes = JSON.writeValueAsBytes(answer);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
        }
    }

    private JsonNode dispatch(TaskCall call) throws TaskFailure {
        Consumer<TaskCall> hook = hooks.get(call.state());
        if (hook != null) {
            hook.accept(call);
        }
        for (Injected f : failures.getOrDefault(call.state(), List.of())) {
            if (f.left().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new TaskFailure(f.error(), f.cause());
            }
        }
        TaskHandler handler = null;
        int best = -1;
        for (Map.Entry<String, TaskHandler> e : byResourcePrefix.entrySet()) {
            if (call.resource().startsWith(e.getKey()) && e.getKey().length() > best) {
                handler = e.getValue();
                best = e.getKey().length();
            }
        }
        if (handler == null) {
            throw new TaskFailure("States.TaskFailed", "no local stand-in for resource " + call.resource()
                    + " (state " + call.state() + ")");
        }
        return handler.handle(call);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    /** For messages in assertions. */
    @Override
    public String toString() {
        return "TaskDispatcher " + url() + " (" + calls.size() + " calls)";
    }
}
