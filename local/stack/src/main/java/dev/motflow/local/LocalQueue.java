package dev.motflow.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An SQS queue with a Lambda event source mapping, in process and durable: every message is a file
 * in {@code <data>/queues/<name>/} (written with fsync and an atomic rename before {@link #send}
 * returns) until its consumer took it, so a kill -9 loses nothing: the next start delivers what is
 * left. A message the consumer fails (a batch item failure, or a throw) is redelivered after a
 * visibility timeout, up to {@code maxReceives} receives, then moved to the dead-letter queue
 * {@code <data>/queues/<name>-dlq/}, as the CDK app configures it; {@code ./motflow dlq list|replay}
 * shows those and moves them back ({@link DeadLetters}). Delivery is at least once (a crash between
 * the consumer's success and the file's removal redelivers it): the consumers are idempotent.
 */
final class LocalQueue implements AutoCloseable {
    static final String DLQ_SUFFIX = "-dlq";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often the folder is scanned for messages put back by {@code dlq replay} while the stack runs. */
    private static final long SCAN_MS = 2000;
    private static final AtomicLong SEQUENCE = new AtomicLong();

    /** Takes one message; a throw (or {@link Failed}) means "not now": the message comes back later. */
    @FunctionalInterface
    interface Delivery {
        void deliver(String messageId, String body, int receive) throws Exception;
    }

    /** The consumer reported the message as failed without an exception of its own. */
    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    private final String name;
    private final Path dir;
    private final Path dlq;
    private final Delivery delivery;
    private final Consumer<String> log;
    private final int maxReceives;
    private final long visibilityMs;
    private final ScheduledExecutorService worker;
    /** Files scheduled for delivery in this process (the folder holds them until they are done). */
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    /** Until {@link #start}, messages are only stored (the consumers' dependencies may still be starting). */
    private volatile boolean started;

    LocalQueue(String name, Path queuesDir, Delivery delivery, Consumer<String> log, int maxReceives, long visibilityMs) {
        this.name = name;
        this.dir = queuesDir.resolve(name);
        this.dlq = queuesDir.resolve(name + DLQ_SUFFIX);
        this.delivery = delivery;
        this.log = log;
        this.maxReceives = maxReceives;
        this.visibilityMs = visibilityMs;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LocalStackException("cannot create the queue folder " + dir + ": " + e.getMessage(), e);
        }
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "queue-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** An SQS-triggered Lambda handler as the consumer (batches of one; a batch item failure is a failure). */
    static Delivery sqs(RequestHandler<SQSEvent, SQSBatchResponse> handler) {
        return (id, body, receive) -> {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId(id);
            m.setBody(body);
            m.setEventSource("aws:sqs");
            m.setAttributes(java.util.Map.of("ApproximateReceiveCount", Integer.toString(receive)));
            SQSEvent event = new SQSEvent();
            event.setRecords(List.of(m));
            SQSBatchResponse r = handler.handleRequest(event, null);
            if (r != null && r.getBatchItemFailures() != null && !r.getBatchItemFailures().isEmpty()) {
                throw new Failed("reported as a batch item failure");
            }
        };
    }

    /** Starts delivering: first what an earlier run left in the folder (oldest first), then new messages. */
    LocalQueue start() {
        started = true;
        worker.scheduleWithFixedDelay(this::scan, 0, SCAN_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Stores the message durably, then schedules its delivery (once started); returns its id. */
    String send(String body) {
        String id = UUID.randomUUID().toString();
        // Names sort in sending order: the scan after a restart delivers oldest first.
        String file = String.format("%013d-%06d-%s.json", System.currentTimeMillis(), SEQUENCE.incrementAndGet() % 1_000_000, id);
        ObjectNode m = JSON.createObjectNode().put("id", id).put("queue", name).put("sentAt", Instant.now().toString())
                .put("receives", 0).put("body", body);
        try {
            DurableFiles.write(dir.resolve(file), JSON.writeValueAsBytes(m));
        } catch (IOException e) {
            throw new LocalStackException("queue " + name + ": cannot store a message in " + dir + ": " + e.getMessage(), e);
        }
        if (started && scheduled.add(file)) {
            worker.execute(() -> deliver(file));
        }
        return id;
    }

    private void scan() {
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json") && !f.startsWith("."))
                    .sorted().forEach(f -> {
                        if (scheduled.add(f)) {
                            worker.execute(() -> deliver(f));
                        }
                    });
        } catch (IOException | RuntimeException e) {
            log.accept("queue " + name + ": cannot list " + dir + ": " + e.getMessage());
        }
    }

    private void deliver(String file) {
        Path path = dir.resolve(file);
        ObjectNode m;
        try {
            m = (ObjectNode) JSON.readTree(Files.readAllBytes(path));
        } catch (IOException | RuntimeException e) {
            scheduled.remove(file);
            if (Files.exists(path)) {
                log.accept("queue " + name + ": unreadable message " + path + " (" + e.getMessage() + "); moved to the dead-letter queue");
                moveToDlq(path, file, null);
            }
            return;
        }
        int receive = m.path("receives").asInt(0) + 1;
        String id = m.path("id").asText(file);
        String error;
        try {
            delivery.deliver(id, m.path("body").asText(), receive);
            DurableFiles.delete(path);
            scheduled.remove(file);
            return;
        } catch (Exception | LinkageError e) {
            // a Lambda invocation error or a batch item failure: the message becomes visible again
            error = e instanceof Failed ? e.getMessage() : e.toString();
        }
        m.put("receives", receive).put("lastError", error).put("lastReceivedAt", Instant.now().toString());
        try {
            if (receive >= maxReceives) {
                log.accept("queue " + name + ": message " + id + " failed " + receive + " times (" + error
                        + "); moved to the dead-letter queue " + dlq + " (./motflow dlq replay)");
                DurableFiles.write(path, JSON.writeValueAsBytes(m));
                moveToDlq(path, file, m);
                scheduled.remove(file);
                return;
            }
            DurableFiles.write(path, JSON.writeValueAsBytes(m));
        } catch (IOException e) {
            log.accept("queue " + name + ": cannot record the receive of " + id + ": " + e.getMessage());
        }
        worker.schedule(() -> deliver(file), visibilityMs * receive, TimeUnit.MILLISECONDS);
    }

    private void moveToDlq(Path path, String file, JsonNode m) {
        try {
            DurableFiles.move(path, dlq.resolve(file));
        } catch (IOException e) {
            log.accept("queue " + name + ": cannot move " + path + " to " + dlq + ": " + e.getMessage());
        }
    }

    String name() {
        return name;
    }

    /** Messages waiting in the folder (delivered or not yet), for tests and status lines. */
    int depth() {
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(p -> p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().startsWith(".")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
