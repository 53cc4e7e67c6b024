package dev.motflow.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code ./motflow dlq list|replay}: the local dead-letter queues ({@code <data>/queues/<name>-dlq/},
 * written by {@link LocalQueue}). Replay moves a message back into its queue's folder with its
 * receive count reset: a running stack picks it up within seconds, a stopped one at its next start.
 * Works whether or not a stack is running (it only moves files, each move atomic).
 */
final class DeadLetters {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One dead-lettered message. */
    record Letter(String queue, String id, String file, int receives, String lastError, String lastReceivedAt, String body) {
    }

    private final Path queues;

    DeadLetters(Path dataDir) {
        this.queues = dataDir.resolve("queues");
    }

    List<Letter> list(String queue) {
        List<Letter> out = new ArrayList<>();
        if (!Files.isDirectory(queues)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(queues)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().endsWith(LocalQueue.DLQ_SUFFIX)).sorted().toList()) {
                String name = d.getFileName().toString();
                name = name.substring(0, name.length() - LocalQueue.DLQ_SUFFIX.length());
                if (queue != null && !queue.equals(name)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().startsWith("."))
                            .sorted().toList()) {
                        ObjectNode m = (ObjectNode) JSON.readTree(Files.readAllBytes(f));
                        out.add(new Letter(name, m.path("id").asText(), f.getFileName().toString(), m.path("receives").asInt(),
                                m.path("lastError").asText(null), m.path("lastReceivedAt").asText(null), m.path("body").asText()));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new LocalStackException("cannot read the dead-letter queues in " + queues + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Moves the named messages (all of {@code queue}, or all when both are empty) back; returns how many. */
    int replay(String queue, List<String> ids) {
        int n = 0;
        for (Letter l : list(queue)) {
            if (ids != null && !ids.isEmpty() && !ids.contains(l.id())) {
                continue;
            }
            Path from = queues.resolve(l.queue() + LocalQueue.DLQ_SUFFIX).resolve(l.file());
            try {
                ObjectNode m = (ObjectNode) JSON.readTree(Files.readAllBytes(from));
                m.put("receives", 0).put("replayedFrom", "dlq");
                DurableFiles.write(queues.resolve(l.queue()).resolve(l.file()), JSON.writeValueAsBytes(m));
                DurableFiles.delete(from);
                n++;
            } catch (IOException e) {
                throw new LocalStackException("cannot replay " + from + ": " + e.getMessage(), e);
            }
        }
        return n;
    }

    /** The {@code dlq} command: {@code list} prints one JSON line per message; {@code replay} moves them back. */
    int run(String action, String queue, List<String> ids, PrintStream out) {
        switch (action) {
            case "list" -> {
                List<Letter> letters = list(queue);
                for (Letter l : letters) {
                    ObjectNode o = JSON.createObjectNode().put("queue", l.queue()).put("id", l.id()).put("receives", l.receives())
                            .put("lastError", l.lastError()).put("lastReceivedAt", l.lastReceivedAt());
                    o.put("body", l.body().length() > 300 ? l.body().substring(0, 300) + "..." : l.body());
                    out.println(o);
                }
                out.println(letters.size() + " dead-lettered message(s) in " + queues);
                return 0;
            }
            case "replay" -> {
                int n = replay(queue, ids);
                out.println(n + " message(s) moved back to their queue; a running stack delivers them within seconds,"
                        + " a stopped one at its next start");
                return 0;
            }
            default -> throw new LocalStackException("dlq: unknown action '" + action + "' (list or replay)");
        }
    }
}
