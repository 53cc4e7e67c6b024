package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable local queue: messages outlive the process that queued them, failures end in a replayable DLQ. */
class LocalQueueTest {
    @TempDir
    Path data;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void messagesQueuedBeforeAStopAreDeliveredInOrderByTheNextProcess() throws Exception {
        Path queues = data.resolve("queues");
        try (LocalQueue before = new LocalQueue("ingest", queues, (id, body, r) -> { }, line -> { }, 5, 10)) {
            // Not started: as if the process died before delivering (the send itself is already on disk).
            before.send("first");
            before.send("second");
            assertEquals(2, before.depth());
        }
        List<String> got = new CopyOnWriteArrayList<>();
        try (LocalQueue after = new LocalQueue("ingest", queues, (id, body, r) -> got.add(body), line -> { }, 5, 10).start()) {
            await(() -> got.size() == 2 && after.depth() == 0, "both delivered and removed");
            assertEquals(List.of("first", "second"), got);
        }
    }

    @Test
    void aMessageThatFailsEveryReceiveLandsInTheDeadLetterQueueAndReplaysFromThere() throws Exception {
        Path queues = data.resolve("queues");
        List<Integer> receives = new CopyOnWriteArrayList<>();
        try (LocalQueue failing = new LocalQueue("async-completion", queues, (id, body, r) -> {
            receives.add(r);
            throw new IllegalStateException("table unavailable");
        }, line -> { }, 3, 5).start()) {
            failing.send("{\"n\":1}");
            await(() -> new DeadLetters(data).list(null).size() == 1, "dead-lettered");
        }
        assertEquals(List.of(1, 2, 3), receives, "maxReceives receives, then the DLQ");
        DeadLetters.Letter letter = new DeadLetters(data).list("async-completion").get(0);
        assertEquals("{\"n\":1}", letter.body());
        assertEquals(3, letter.receives());
        assertTrue(letter.lastError().contains("table unavailable"), letter.lastError());
        assertTrue(new DeadLetters(data).list("ingest").isEmpty());

        assertEquals(1, new DeadLetters(data).replay("async-completion", List.of()));
        assertTrue(new DeadLetters(data).list(null).isEmpty());
        List<String> got = new CopyOnWriteArrayList<>();
        try (LocalQueue healed = new LocalQueue("async-completion", queues, (id, body, r) -> got.add(body + "@" + r),
                line -> { }, 3, 5).start()) {
            await(() -> got.size() == 1 && healed.depth() == 0, "replayed message delivered");
        }
        assertEquals(List.of("{\"n\":1}@1"), got, "the receive count starts again");
        try (var files = Files.list(queues.resolve("async-completion"))) {
            assertEquals(0, files.count(), "no temporary files left");
        }
    }

    @Test
    void aReplayReachesARunningQueue() throws Exception {
        Path queues = data.resolve("queues");
        List<String> got = new CopyOnWriteArrayList<>();
        boolean[] healthy = {false};
        try (LocalQueue q = new LocalQueue("ingest", queues, (id, body, r) -> {
            if (!healthy[0]) {
                throw new LocalQueue.Failed("reported as a batch item failure");
            }
            got.add(body);
        }, line -> { }, 1, 5).start()) {
            q.send("late");
            await(() -> new DeadLetters(data).list("ingest").size() == 1, "dead-lettered");
            healthy[0] = true;
            new DeadLetters(data).replay(null, List.of(new DeadLetters(data).list("ingest").get(0).id()));
            await(() -> got.equals(List.of("late")), "picked up by the running queue's scan");
        }
    }
}
