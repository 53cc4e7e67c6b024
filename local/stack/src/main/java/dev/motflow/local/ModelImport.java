package dev.motflow.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.retraining.handler.Steps;
import dev.motflow.retraining.model.ModelVersion;
import dev.motflow.retraining.store.ModelRegistry;
import dev.motflow.testsupport.LocalAws;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.EndpointStatus;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;

/**
 * {@code ./motflow import-model fairmot CHECKPOINT}: a published checkpoint becomes the production
 * model of the local system the way a promoted retraining run does. {@code motflow_ml.import_fairmot}
 * (containers/) writes a model folder; it is packed as {@code model.tar.gz} (as a training job packs
 * /opt/ml/model), uploaded to the artifacts bucket, registered ({@code MODEL#<name>}: a new
 * version, APPROVED -> DEPLOYED, the {@code CURRENT} pointer moved with compare-and-set) and deployed
 * through the SageMaker API (CreateModel, CreateEndpointConfig, Create/UpdateEndpoint on the frames
 * and the video endpoint), so {@code ./motflow track} uses it at once and after restarts.
 */
final class ModelImport {
    /** The module of containers/ that reads FairMOT's published checkpoints. */
    static final String FAIRMOT_IMPORTER = "motflow_ml.import_fairmot";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE = "000000000000.dkr.ecr.us-east-1.amazonaws.com/motflow-ml:local";

    /** What was registered: the registry version, its artifact, and the endpoint config both endpoints serve. */
    record Registered(long version, String artifactS3Uri, String endpointConfigBase) {
    }

    private final CommandContext ctx;
    private final PrintStream out;
    private final String importer;
    private final Map<String, String> importerEnv;

    ModelImport(CommandContext ctx) {
        this(ctx, FAIRMOT_IMPORTER, Map.of());
    }

    /** With another importer module (tests provide one through {@code PYTHONPATH} in {@code importerEnv}). */
    ModelImport(CommandContext ctx, String importer, Map<String, String> importerEnv) {
        this.ctx = ctx;
        this.out = ctx.out();
        this.importer = importer;
        this.importerEnv = Map.copyOf(importerEnv);
    }

    /** The command: import {@code checkpoint}, then register and deploy it under {@code name} (null: now). */
    int run(Path checkpoint, String name) {
        String label = name != null ? name : "imported-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd.HHmmss"));
        if (!NAME.matcher(label).matches()) {
            throw new LocalStackException("--version '" + label + "' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        Path file = checkpoint.toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            throw new LocalStackException("no such checkpoint file: " + checkpoint);
        }
        Path modelDir = importCheckpoint(file, ctx.data().resolve("imports").resolve(label));
        try (StackConnection stack = StackConnection.open(ctx)) {
            Registered r = register(stack, modelDir, label);
            out.printf("model %s is production version %d of %s: %s, serving on %s and %s%n", label, r.version(),
                    Steps.DEFAULT_MODEL_NAME, r.artifactS3Uri(), LocalStack.MODEL_ENDPOINT, LocalStack.ASYNC_ENDPOINT);
            return 0;
        }
    }

    /** Runs the importer into {@code <dir>/model}; fails with its own words when it refuses the file. */
    Path importCheckpoint(Path checkpoint, Path dir) {
        Path modelDir = dir.resolve("model");
        S3Files.deleteTree(dir);
        out.println("importing " + checkpoint.getFileName() + " with " + importer + " ...");
        Containers containers = new Containers(ctx.root(), ctx.data().resolve("logs"));
        Containers.Run run = containers.run(importer, List.of(checkpoint.toString(), "--out", modelDir.toString()), null,
                dir.resolve("import.log"), importerEnv, line -> out.println("  " + line));
        if (!run.ok()) {
            throw new LocalStackException("the import failed (exit status " + run.exitCode() + "): " + run.lastLines()
                    + " (log " + run.log() + ")");
        }
        if (!Files.isRegularFile(modelDir.resolve("model.pth")) || !Files.isRegularFile(modelDir.resolve("config.json"))) {
            throw new LocalStackException(importer + " wrote no model folder (model.pth + config.json) in " + modelDir);
        }
        return modelDir;
    }

    /** Packs, uploads, registers and deploys a model folder as the production model. */
    Registered register(StackConnection stack, Path modelDir, String label) {
        String key = "imported/" + label + "/model.tar.gz";
        String artifact = "s3://" + LocalStack.ARTIFACTS_BUCKET + "/" + key;
        Path tar;
        try {
            tar = Files.createTempFile("motflow-import", ".tar.gz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            S3Files.tarGz(modelDir, tar);
            stack.s3().putObject(b -> b.bucket(LocalStack.ARTIFACTS_BUCKET).key(key), RequestBody.fromFile(tar));
        } finally {
            tar.toFile().delete();
        }
        String executionName = "import-model-" + label;
        ModelRegistry registry = new ModelRegistry(stack.dynamo(), LocalStack.TABLE, Steps.DEFAULT_MODEL_NAME, Clock.systemUTC());
        // No scores yet: the next retraining run scores production on its own validation set before the gate compares.
        long version = registry.createCandidate(artifact, 0, "imported", JSON.createObjectNode(), executionName);
        registry.setStatus(version, ModelVersion.Status.CANDIDATE, ModelVersion.Status.APPROVED);
        String configBase = "motflow-import-v" + version;
        deploy(stack.sageMaker(), artifact, configBase);
        ModelRegistry.Current previous = registry.current();
        Long previousVersion = previous == null ? null : previous.version();
        if (!registry.promote(version, previousVersion, artifact, configBase, executionName)) {
            throw new LocalStackException("the production model changed while importing (another promotion won); run the import again");
        }
        registry.setStatus(version, ModelVersion.Status.APPROVED, ModelVersion.Status.DEPLOYED);
        if (previousVersion != null) {
            registry.setStatus(previousVersion, ModelVersion.Status.DEPLOYED, ModelVersion.Status.APPROVED);
        }
        return new Registered(version, artifact, configBase);
    }

    /** What the retraining workflow's deploy steps do, for both endpoints, until each is InService. */
    private void deploy(URI sageMakerEndpoint, String artifact, String configBase) {
        try (SageMakerClient sm = SageMakerClient.builder().endpointOverride(sageMakerEndpoint).region(LocalAws.REGION)
                .credentialsProvider(LocalAws.CREDENTIALS).httpClient(UrlConnectionHttpClient.create()).build()) {
            String model = configBase;
            sm.createModel(b -> b.modelName(model).executionRoleArn("arn:aws:iam::000000000000:role/motflow-sagemaker")
                    .primaryContainer(c -> c.image(IMAGE).modelDataUrl(artifact)));
            deployTo(sm, LocalStack.MODEL_ENDPOINT, configBase + "-frames", model, false);
            deployTo(sm, LocalStack.ASYNC_ENDPOINT, configBase + "-video", model, true);
        }
    }

    private void deployTo(SageMakerClient sm, String endpoint, String config, String model, boolean async) {
        sm.createEndpointConfig(b -> {
            b.endpointConfigName(config).productionVariants(v -> v.variantName("AllTraffic").modelName(model)
                    .instanceType("ml.g5.xlarge").initialInstanceCount(1));
            if (async) {
                b.asyncInferenceConfig(a -> a.outputConfig(o -> o.s3OutputPath("s3://" + LocalStack.RESULTS_BUCKET + "/async-output/")
                        .s3FailurePath("s3://" + LocalStack.RESULTS_BUCKET + "/async-failures/")));
            }
        });
        boolean exists;
        try {
            sm.describeEndpoint(b -> b.endpointName(endpoint));
            exists = true;
        } catch (SageMakerException missing) {
            exists = false;
        }
        if (exists) {
            sm.updateEndpoint(b -> b.endpointName(endpoint).endpointConfigName(config));
        } else {
            sm.createEndpoint(b -> b.endpointName(endpoint).endpointConfigName(config));
        }
        for (int i = 0; i < 600; i++) {
            EndpointStatus status = sm.describeEndpoint(b -> b.endpointName(endpoint)).endpointStatus();
            if (status == EndpointStatus.IN_SERVICE) {
                out.println("endpoint " + endpoint + " serves " + config);
                return;
            }
            if (status == EndpointStatus.FAILED) {
                throw new LocalStackException("endpoint " + endpoint + " failed to deploy " + config);
            }
            Containers.sleep(100);
        }
        throw new LocalStackException("endpoint " + endpoint + " did not reach InService with " + config);
    }
}
