package dev.motflow.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code ./motflow jobs | job ID | tracks ID}: reads through the HTTP API, as a user's client would. */
final class JobQueries {
    private static final List<String> STATUSES = List.of("AWAITING_UPLOAD", "RECEIVED", "STARTING", "RUNNING", "SUCCEEDED",
            "FAILED", "REJECTED");

    private final CommandContext ctx;

    JobQueries(CommandContext ctx) {
        this.ctx = ctx;
    }

    /** Every job, newest first, or those in {@code status} (null: all). */
    int jobs(String status) {
        try (StackConnection t = StackConnection.open(ctx)) {
            ApiClient api = new ApiClient(t.api());
            List<String> statuses = status != null ? List.of(status.toUpperCase(Locale.ROOT)) : STATUSES;
            List<JsonNode> all = new ArrayList<>();
            for (String s : statuses) {
                JsonNode page = api.get("/jobs?limit=100&status=" + s).expect(200, "GET /jobs").body();
                page.path("jobs").forEach(all::add);
            }
            all.sort((a, b) -> b.path("createdAt").asText().compareTo(a.path("createdAt").asText()));
            new ConsoleReport(ctx.out()).jobs(all);
            return 0;
        }
    }

    int job(String id) {
        try (StackConnection t = StackConnection.open(ctx)) {
            ApiClient.Answer a = new ApiClient(t.api()).get("/jobs/" + id);
            ctx.out().println(a.body().toPrettyString());
            return a.status() == 200 ? 0 : 1;
        }
    }

    int tracks(String id) {
        try (StackConnection t = StackConnection.open(ctx)) {
            ApiClient api = new ApiClient(t.api());
            api.get("/jobs/" + id).expect(200, "GET /jobs/" + id);
            ctx.out().println(api.allTracks(id).toPrettyString());
            return 0;
        }
    }
}
