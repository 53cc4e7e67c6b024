package dev.motflow.local;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** How the local commands render to the console: job tables, job progress, track summaries, phase timings. */
final class ConsoleReport {
    private final PrintStream out;

    ConsoleReport(PrintStream out) {
        this.out = out;
    }

    void jobs(List<JsonNode> jobs) {
        out.printf("%-28s %-16s %-24s %s%n", "JOB", "STATUS", "CREATED", "FILE");
        for (JsonNode j : jobs) {
            out.printf("%-28s %-16s %-24s %s%n", j.path("jobId").asText(), j.path("status").asText(),
                    j.path("createdAt").asText(), j.path("fileName").asText(j.path("source").path("key").asText("")));
        }
        out.println(jobs.size() + " job(s)");
    }

    /** Follows a job's status: one redrawn line on a terminal, one line per change elsewhere (a log file). */
    final class JobProgress {
        private final boolean interactive = System.console() != null;
        private final long t0 = System.nanoTime();
        private String last = "";

        void update(String status, boolean done) {
            double s = CommandContext.secondsSince(t0);
            if (interactive) {
                out.printf("\r  %-16s %s %6.1f s", status, bar(status), s);
                if (!status.equals(last) && !last.isEmpty() && !done) {
                    out.printf("%n");
                }
                out.flush();
            } else if (!status.equals(last)) {
                out.printf(Locale.ROOT, "  %-16s %s %6.1f s%n", status, bar(status), s);
            }
            last = status;
            if (done && interactive) {
                out.println();
            }
        }

        double seconds() {
            return CommandContext.secondsSince(t0);
        }
    }

    JobProgress jobProgress() {
        return new JobProgress();
    }

    private static String bar(String status) {
        int step = switch (status) {
            case "AWAITING_UPLOAD" -> 1;
            case "RECEIVED" -> 2;
            case "STARTING" -> 3;
            case "RUNNING" -> 4;
            default -> 5;
        };
        return "[" + "#".repeat(step * 4) + ".".repeat(20 - step * 4) + "]";
    }

    /** The longest tracks first, at most 12 of them. */
    void tracks(JsonNode tracks) {
        List<JsonNode> sorted = new ArrayList<>();
        tracks.path("tracks").forEach(sorted::add);
        sorted.sort((a, b) -> Integer.compare(b.path("frameCount").asInt(), a.path("frameCount").asInt()));
        out.printf("%d tracks%n  %-6s %-7s %-7s %-7s %-6s %s%n", sorted.size(), "track", "first", "last", "frames", "score",
                "first box (x,y,w,h)");
        for (JsonNode tr : sorted.subList(0, Math.min(12, sorted.size()))) {
            JsonNode box = tr.path("trajectory").path(0);
            out.printf("  %-6s %-7d %-7d %-7d %-6s %s%n", tr.path("trackId").asText(), tr.path("firstFrame").asInt(),
                    tr.path("lastFrame").asInt(), tr.path("frameCount").asInt(),
                    tr.has("meanScore") ? String.format(Locale.ROOT, "%.2f", tr.path("meanScore").asDouble()) : "-",
                    box.isMissingNode() ? "" : String.format(Locale.ROOT, "%.0f,%.0f,%.0f,%.0f", box.path(1).asDouble(),
                            box.path(2).asDouble(), box.path(3).asDouble(), box.path(4).asDouble()));
        }
        if (sorted.size() > 12) {
            out.println("  ... " + (sorted.size() - 12) + " more in tracks.json");
        }
    }

    void phases(Map<String, Double> phases, long start) {
        out.println("time per phase:");
        phases.forEach((k, v) -> out.printf(Locale.ROOT, "  %-58s %6.1f s%n", k, v));
        out.printf(Locale.ROOT, "  %-58s %6.1f s%n", "total", CommandContext.secondsSince(start));
    }
}
