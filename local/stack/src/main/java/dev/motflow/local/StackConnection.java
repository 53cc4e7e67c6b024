package dev.motflow.local;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.testsupport.LocalAws;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A stack for a command to talk to: the one {@code ./motflow serve} keeps running on the same data
 * folder (found through {@code <data>/stack.json}), else one started for this command and stopped
 * when it is closed. The API for what users do, and the services' endpoints for what only an
 * operator does (uploading datasets, registering a model).
 */
record StackConnection(LocalStack embedded, URI api, S3Client s3, DynamoDbClient dynamo, URI sageMaker) implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The running stack of the context's data folder, or a new embedded one. */
    static StackConnection open(CommandContext ctx) {
        JsonNode running = runningStack(ctx.data());
        if (running != null) {
            return new StackConnection(null, URI.create(running.path("api").asText()),
                    LocalAws.s3Client(URI.create(running.path("s3").asText())),
                    LocalAws.dynamoClient(URI.create(running.path("dynamodb").asText())),
                    URI.create(running.path("sagemaker").asText()));
        }
        LocalStack stack = startEmbedded(ctx);
        return new StackConnection(stack, stack.apiUrl(), stack.s3(), stack.dynamo(), stack.sageMaker().endpoint());
    }

    /** A new stack on the context's data folder; refused while another process holds that folder. */
    static LocalStack startEmbedded(CommandContext ctx) {
        Containers.requireSetUp(ctx.root());
        JsonNode running = runningStack(ctx.data());
        if (running != null) {
            throw new LocalStackException("a motflow stack (pid " + running.path("pid").asLong() + ", API " + running.path("api").asText()
                    + ") already uses " + ctx.data() + ": stop it (Ctrl-C in its terminal) or use --data-dir for another folder");
        }
        long t0 = System.nanoTime();
        LocalStack stack = LocalStack.start(new LocalStack.Options(ctx.root(), ctx.data(), ctx.port(),
                CpuTraining.overrides(ctx.trainSeconds()), line -> ctx.out().println("  · " + line)));
        ctx.out().printf("local stack up in %.1f s: API %s, data %s%n", CommandContext.secondsSince(t0), stack.apiUrl(), ctx.data());
        return stack;
    }

    /** The stack another live process ({@code serve}) runs on {@code data}, else null. */
    private static JsonNode runningStack(Path data) {
        Path file = data.resolve("stack.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode s = JSON.readTree(file.toFile());
            long pid = s.path("pid").asLong();
            if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return s;
            }
        } catch (IOException e) {
            // stale or half-written: ignore it
        }
        return null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
