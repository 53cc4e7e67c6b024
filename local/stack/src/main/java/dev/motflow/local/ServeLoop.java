package dev.motflow.local;

import java.net.URI;
import java.util.concurrent.CountDownLatch;

/** {@code ./motflow serve}: the stack kept up for API calls until Ctrl-C (its shutdown hook stops everything). */
final class ServeLoop {
    private final CommandContext ctx;

    ServeLoop(CommandContext ctx) {
        this.ctx = ctx;
    }

    int run() {
        LocalStack stack = StackConnection.startEmbedded(ctx);
        URI api = stack.apiUrl();
        ctx.out().println("""
                motflow is running locally (Ctrl-C stops it). Web console: %1$s/
                HTTP API (payload v2 events to the real handlers):
                  POST %1$s/jobs                      {"fileName","contentType","sizeBytes"} -> presigned upload
                  GET  %1$s/jobs?status=SUCCEEDED     GET %1$s/jobs/{id}   GET %1$s/jobs/{id}/tracks
                  POST %1$s/streams/{id}/frames       JPEG/PNG body, frame index header or query   DELETE %1$s/streams/{id}
                  POST %1$s/retraining                {"dataset": "..."}
                  GET  %1$s/local/executions          retraining executions of this process
                S3 (s3rver, credentials S3RVER/S3RVER, path style): %2$s  buckets: %3$s (incoming/), %4$s (labelled/)
                Other ./motflow commands (track, jobs, job, tracks, retrain, import-model) use this stack while it runs.
                Model served: %5$s"""
                .formatted(api, stack.s3Endpoint(), LocalStack.DROP_BUCKET, LocalStack.LABELLED_BUCKET,
                        stack.sageMaker().containers().deployedModel() == null ? "none yet (run a retraining)"
                                : stack.sageMaker().containers().deployedModel()));
        CountDownLatch forever = new CountDownLatch(1);
        try {
            forever.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
