package dev.motflow.local;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.cli.local.RetrainingLockCommand.Action;

/**
 * {@code ./motflow retraining lock [show | release --holder NAME]}: the operator's view and release
 * of the retraining lock, through the API routes that exist in AWS too ({@code GET} and
 * {@code DELETE /retraining/lock}, docs/handlers.md), so the command does what an operator would do
 * with a signed request there.
 */
final class LockOperations {
    private final CommandContext ctx;

    LockOperations(CommandContext ctx) {
        this.ctx = ctx;
    }

    int run(Action action, String holder) {
        try (StackConnection t = StackConnection.open(ctx)) {
            ApiClient api = new ApiClient(t.api());
            return action == Action.release ? release(api, holder) : show(api);
        }
    }

    /** Prints the lock: a summary line, then the API's JSON. */
    int show(ApiClient api) {
        JsonNode lock = api.get("/retraining/lock").expect(200, "GET /retraining/lock").body();
        ctx.out().println(summary(lock));
        ctx.out().println(lock.toPrettyString());
        return 0;
    }

    /** Releases the lock held by {@code holder}; exit code 1 when it does not hold it. */
    int release(ApiClient api, String holder) {
        ApiClient.Answer a = api.delete("/retraining/lock?holder=" + URLEncoder.encode(holder.strip(), StandardCharsets.UTF_8));
        JsonNode body = a.body();
        if (a.status() == 200) {
            String followUp = body.path("followUp").asText("");
            ctx.out().println("released the lock of " + holder.strip() + (followUp.isEmpty() ? "; the lock is free"
                    : "; handed over to the queued request " + followUp + ", which started"));
            ctx.out().println(body.toPrettyString());
            return 0;
        }
        if (a.status() == 404 || a.status() == 409) {
            // Not an error of the command: the lock is not what the operator thought. Say who holds it.
            ctx.out().println("not released: " + body.path("message").asText(body.toString()));
            return 1;
        }
        throw new LocalStackException("DELETE /retraining/lock failed: HTTP " + a.status() + " "
                + body.path("message").asText(body.toString()));
    }

    /** One line an operator reads first: who holds the lock and whether the next request may take it over. */
    static String summary(JsonNode lock) {
        JsonNode holder = lock.path("holder");
        int queued = lock.path("pending").size();
        if (holder.isNull() || holder.isMissingNode()) {
            return "the retraining lock is free" + (queued > 0 ? " (" + queued + " queued)" : "");
        }
        StringBuilder s = new StringBuilder("held by ").append(holder.asText())
                .append(" (execution ").append(lock.path("status").asText("?"))
                .append(lock.path("started").asBoolean() ? "" : ", not started yet").append(")");
        String since = lock.path("since").asText("");
        s.append(since.isEmpty() ? ", acquired at an unrecorded time" : ", since " + since);
        JsonNode expiry = lock.path("expiry");
        s.append(expiry.isNull() || expiry.isMissingNode() ? "; no lease (written before leases)" : "; lease until " + expiry.asText());
        if (lock.path("leaseExpired").asBoolean()) {
            s.append(" — lease expired: the next request takes the lock over unless the execution is running");
        }
        s.append("; ").append(queued).append(" queued");
        return s.toString();
    }
}
