package dev.motflow.local;

import java.util.ArrayList;
import java.util.List;

/**
 * What a running stack must stop: child processes, servers, queues, threads, registered as they
 * start and closed in reverse order, by {@link #close()} or by the shutdown hook on Ctrl-C (so no
 * node server or Python process outlives the command).
 */
final class StackLifecycle implements AutoCloseable {
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Thread shutdownHook;
    private final Runnable beforeStop;
    private volatile boolean closed;

    /** {@code beforeStop} runs first on stop (e.g. removing the stack file other commands look for). */
    StackLifecycle(Runnable beforeStop) {
        this.beforeStop = beforeStop;
        this.shutdownHook = new Thread(this::close, "motflow-local-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Registers {@code resource} to be closed with the stack; returns it. */
    synchronized <T extends AutoCloseable> T add(T resource) {
        started.add(resource);
        return resource;
    }

    @Override
    public void close() {
        List<AutoCloseable> toStop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = List.copyOf(started);
        }
        try {
            beforeStop.run();
        } catch (RuntimeException ignored) {
            // best effort
        }
        for (int i = toStop.size() - 1; i >= 0; i--) {
            try {
                toStop.get(i).close();
            } catch (Exception e) {
                // keep stopping the rest
            }
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or ran
            }
        }
    }
}
