package dev.motflow.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code ./motflow retrain DATASET_DIR}: a MOTChallenge-layout folder uploaded under
 * {@code labelled/<dataset>/}, its manifest last (its ObjectCreated event starts the run), and the
 * retraining run followed until it ends.
 */
final class DatasetRetraining {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CommandContext ctx;
    private final PrintStream out;

    DatasetRetraining(CommandContext ctx) {
        this.ctx = ctx;
        this.out = ctx.out();
    }

    /** Uploads {@code datasetDir} as {@code datasetName} (null: the folder name) {@code versionName} (null: now) and follows the run. */
    int run(Path datasetDir, String datasetName, String versionName, List<String> validation) {
        Path dir = datasetDir.toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new LocalStackException("no such folder: " + datasetDir);
        }
        String dataset = datasetName != null ? datasetName
                : dir.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String version = versionName != null ? versionName : LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd.HHmmss"));
        try (StackConnection t = StackConnection.open(ctx)) {
            String name = upload(t.s3(), dir, dataset, version, validation);
            JsonNode execution = followRun(new ApiClient(t.api()), name + "-");
            return "SUCCEEDED".equals(execution.path("status").asText()) ? 0 : 1;
        }
    }

    /** Uploads the sequences, then manifest.json (last: its ObjectCreated event starts the run). Returns the dataset name. */
    String upload(S3Client s3, Path dir, String dataset, String version, List<String> validation) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("manifest.json"))
                    .filter(p -> {
                        String rel = dir.relativize(p).toString();
                        return rel.contains("/img1/") || rel.endsWith("/gt/gt.txt") || rel.endsWith("/seqinfo.ini");
                    }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (files.isEmpty()) {
            throw new LocalStackException(dir + " holds no MOTChallenge sequences (<seq>/img1/*.jpg, <seq>/gt/gt.txt, <seq>/seqinfo.ini)");
        }
        ObjectNode manifest = JSON.createObjectNode().put("schema", "motflow.dataset/1").put("dataset", dataset).put("version", version);
        ArrayNode list = manifest.putArray("files");
        String prefix = "labelled/" + dataset + "/";
        long t0 = System.nanoTime();
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            list.addObject().put("path", rel).put("size", bytes.length).put("sha256", sha256(bytes));
            s3.putObject(b -> b.bucket(LocalStack.LABELLED_BUCKET).key(prefix + rel), RequestBody.fromBytes(bytes));
        }
        if (!validation.isEmpty()) {
            ArrayNode v = manifest.putArray("validation");
            validation.forEach(v::add);
        }
        s3.putObject(b -> b.bucket(LocalStack.LABELLED_BUCKET).key(prefix + "manifest.json"),
                RequestBody.fromString(manifest.toPrettyString()));
        out.printf("dataset %s version %s: %d files uploaded to s3://%s/%s in %.1f s%n", dataset, version, files.size(),
                LocalStack.LABELLED_BUCKET, prefix, CommandContext.secondsSince(t0));
        return dataset;
    }

    /** Waits for the run whose execution name starts with {@code executionPrefix}, printing how it ended. */
    JsonNode followRun(ApiClient api, String executionPrefix) {
        long t0 = System.nanoTime();
        Set<String> before = new HashSet<>();
        String name = null;
        while (name == null) {
            for (JsonNode e : api.get("/local/executions").body().path("executions")) {
                String n = e.path("name").asText();
                if (n.startsWith(executionPrefix) && !before.contains(n) && e.path("status").asText().equals("RUNNING")) {
                    name = n;
                }
            }
            if (name == null) {
                if (CommandContext.secondsSince(t0) > 60) {
                    throw new LocalStackException("no retraining run started within 60 s of the upload; see "
                            + ctx.data().resolve("logs/handlers.log"));
                }
                Containers.sleep(250);
            }
        }
        out.println("retraining run " + name + " started (statemachines/retrain.asl.json, executed locally)");
        while (true) {
            for (JsonNode e : api.get("/local/executions").body().path("executions")) {
                if (e.path("name").asText().equals(name) && !e.path("status").asText().equals("RUNNING")) {
                    out.printf("retraining run %s: %s in %.0f s%n  states: %s%n", name, e.path("status").asText(),
                            CommandContext.secondsSince(t0),
                            e.has("visited") ? String.join(" > ", JSON.convertValue(e.path("visited"), String[].class)) : "(none recorded)");
                    if (e.has("error")) {
                        out.println("  error: " + e.path("error").asText() + " " + e.path("cause").asText(""));
                    }
                    return e;
                }
            }
            Containers.sleep(500);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
