package dev.motflow.local;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

/**
 * An SQS queue with a Lambda event source mapping, in process: each message is delivered to the
 * handler as an {@link SQSEvent} (batch of one), and a message the handler reports as a batch item
 * failure (or that throws) is redelivered after a visibility timeout, up to {@code maxReceives}
 * times, then dropped to the "dead-letter queue" (a log line), as the CDK app configures it.
 */
final class LocalQueue implements AutoCloseable {
    private final String name;
    private final RequestHandler<SQSEvent, SQSBatchResponse> handler;
    private final Consumer<String> log;
    private final int maxReceives;
    private final long visibilityMs;
    private final ScheduledExecutorService worker;

    LocalQueue(String name, RequestHandler<SQSEvent, SQSBatchResponse> handler, Consumer<String> log, int maxReceives,
               long visibilityMs) {
        this.name = name;
        this.handler = handler;
        this.log = log;
        this.maxReceives = maxReceives;
        this.visibilityMs = visibilityMs;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "queue-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    void send(String body) {
        String id = UUID.randomUUID().toString();
        worker.execute(() -> deliver(id, body, 1));
    }

    private void deliver(String id, String body, int receive) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setBody(body);
        m.setEventSource("aws:sqs");
        m.setAttributes(java.util.Map.of("ApproximateReceiveCount", Integer.toString(receive)));
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(m));
        boolean failed;
        try {
            SQSBatchResponse r = handler.handleRequest(event, null);
            failed = r != null && r.getBatchItemFailures() != null && !r.getBatchItemFailures().isEmpty();
        } catch (RuntimeException | LinkageError e) {
            // a Lambda invocation error: the message becomes visible again, like a batch item failure
            log.accept("queue " + name + ": handler threw " + e);
            failed = true;
        }
        if (!failed) {
            return;
        }
        if (receive >= maxReceives) {
            log.accept("queue " + name + ": message " + id + " failed " + receive + " times; moved to the dead-letter queue: " + body);
            return;
        }
        worker.schedule(() -> deliver(id, body, receive + 1), visibilityMs * receive, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
