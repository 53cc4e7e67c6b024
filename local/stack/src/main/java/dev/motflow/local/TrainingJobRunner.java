package dev.motflow.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.testsupport.sfn.SageMakerLifecycle.TrainingOutcome;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * CreateTrainingJob, locally: the channels downloaded into an /opt/ml-style folder, the request's
 * hyperparameters with the small CPU settings merged over them, {@code motflow_ml.train} run as a
 * process, and {@code model.tar.gz} uploaded where SageMaker would put it.
 */
final class TrainingJobRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final S3Client s3;
    private final Containers containers;
    private final Path trainingDir;
    private final Map<String, String> overrides;
    private final Consumer<String> progress;

    TrainingJobRunner(S3Client s3, Containers containers, Path trainingDir, Map<String, String> overrides, Consumer<String> progress) {
        this.s3 = s3;
        this.containers = containers;
        this.trainingDir = trainingDir;
        this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        this.progress = progress;
    }

    /** Runs the job described by a CreateTrainingJob request; the outcome is what DescribeTrainingJob reports. */
    TrainingOutcome train(JsonNode job) {
        String name = job.path("TrainingJobName").asText();
        Path opt = trainingDir.resolve(name);
        try {
            S3Files.deleteTree(opt);
            for (JsonNode ch : job.path("InputDataConfig")) {
                JsonNode src = ch.path("DataSource").path("S3DataSource");
                OptMlFolder.download(s3, OptMlFolder.dataType(src), src.path("S3Uri").asText(),
                        opt.resolve("input/data").resolve(ch.path("ChannelName").asText()));
            }
            ObjectNode hyper = JSON.createObjectNode();
            job.path("HyperParameters").fields().forEachRemaining(e -> hyper.put(e.getKey(), e.getValue().asText()));
            boolean warmStart = false;
            for (JsonNode ch : job.path("InputDataConfig")) {
                warmStart |= "pretrained".equals(ch.path("ChannelName").asText());
            }
            // A warm start keeps the architecture of the model it starts from (an imported DLA-34 stays a
            // DLA-34): the CPU settings then only shrink the input and the schedule.
            Map<String, String> applied = new LinkedHashMap<>(overrides);
            if (warmStart) {
                CpuTraining.ARCHITECTURE_KEYS.forEach(applied::remove);
            }
            applied.forEach(hyper::put);
            Files.createDirectories(opt.resolve("input/config"));
            Files.writeString(opt.resolve("input/config/hyperparameters.json"), hyper.toPrettyString());
            progress.accept("training job " + name + ": motflow_ml.train on the CPU with " + applied
                    + (warmStart ? " (warm start: architecture from the pretrained channel)" : ""));
            double[] loss = {Double.NaN};
            Containers.Run run = containers.run("motflow_ml.train", List.of(), opt, opt.resolve("train.log"), Map.of(), line -> {
                if (line.startsWith("validation_loss=")) {
                    loss[0] = Double.parseDouble(line.substring("validation_loss=".length()).trim());
                }
                if (line.startsWith("epoch ") || line.startsWith("validation_loss=") || line.startsWith("train:")) {
                    progress.accept("  [" + name + "] " + line);
                }
            });
            if (!run.ok()) {
                return TrainingOutcome.failed("AlgorithmError: " + OptMlFolder.failureOf(opt, run));
            }
            String out = job.path("OutputDataConfig").path("S3OutputPath").asText();
            String artifact = (out.endsWith("/") ? out : out + "/") + name + "/output/model.tar.gz";
            Path tar = opt.resolve("model.tar.gz");
            S3Files.tarGz(opt.resolve("model"), tar);
            String[] bk = S3Files.parse(artifact);
            s3.putObject(b -> b.bucket(bk[0]).key(bk[1]), RequestBody.fromFile(tar));
            return TrainingOutcome.completed(Double.isNaN(loss[0]) ? 0 : loss[0]);
        } catch (IOException | RuntimeException e) {
            return TrainingOutcome.failed("InternalServerError: " + e.getMessage());
        }
    }
}
