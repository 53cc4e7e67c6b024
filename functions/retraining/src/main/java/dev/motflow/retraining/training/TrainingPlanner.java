package dev.motflow.retraining.training;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.common.JsonLog;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.store.ModelRegistry;
import dev.motflow.retraining.store.RunRecords;
import dev.motflow.retraining.trigger.RunRequest;

/**
 * Decides where a run's model comes from, as part of ValidateDataset: a warm start from the
 * production model (the default), a cold start (asked for, or no production model yet), or an
 * imported artifact. Produces the {@code training} section of the step's output: the training
 * job's {@code InputDataConfig} (with the {@code pretrained} channel for a warm start), whether the
 * candidate is evaluated, and a one-line summary for the run record and the notification.
 */
public final class TrainingPlanner {
    public static final String WARM = "WARM";
    public static final String COLD = "COLD";
    public static final String IMPORT = "IMPORT";
    /** The training job's channel with the model to start from (containers/README: "pretrained"). */
    public static final String PRETRAINED_CHANNEL = "pretrained";

    private final ModelRegistry registry;
    private final RunRecords runs;

    public TrainingPlanner(ModelRegistry registry, RunRecords runs) {
        this.registry = registry;
        this.runs = runs;
    }

    /**
     * @param dataset the validated dataset (ValidateDataset's {@code dataset} section: manifest URIs)
     * @param manifestColdStart the manifest's {@code training.coldStart}, or null
     */
    public ObjectNode plan(String executionName, RunRequest request, JsonNode dataset, Boolean manifestColdStart) {
        ObjectNode plan = Json.object();
        ArrayNode channels = plan.putArray("channels");
        if (request.isImport()) {
            boolean evaluate = !RunRequest.NONE.equals(request.format());
            plan.put("mode", IMPORT);
            plan.put("start", IMPORT);
            plan.put("modelS3Uri", request.importModel().s3Uri());
            plan.put("force", request.importModel().force());
            plan.put("evaluate", evaluate);
            plan.putNull("pretrainedVersion");
            plan.putNull("pretrainedS3Uri");
            plan.put("summary", "import of " + request.importModel().s3Uri()
                    + (request.importModel().force() ? (evaluate ? " (forced: evaluated, gate skipped)"
                            : " (forced: not evaluated, gate skipped)") : " (evaluated and gated)"));
        } else {
            plan.put("mode", "TRAIN");
            plan.put("evaluate", true);
            channels.add(manifestChannel("train", dataset.path("trainManifestUri").asText()));
            channels.add(manifestChannel("validation", dataset.path("validationManifestUri").asText()));
            Boolean cold = request.coldStart() != null ? request.coldStart() : manifestColdStart;
            String askedBy = request.coldStart() != null ? "the request (coldStart)" : "the manifest (training.coldStart)";
            ModelRegistry.Current production = Boolean.TRUE.equals(cold) ? null : registry.current();
            if (Boolean.TRUE.equals(cold)) {
                start(plan, COLD, "cold start: asked for by " + askedBy);
            } else if (production == null || production.artifactS3Uri() == null) {
                start(plan, COLD, "cold start: no production model yet");
            } else {
                start(plan, WARM, "warm start from production version " + production.version() + " ("
                        + production.artifactS3Uri() + ")");
                plan.put("pretrainedVersion", production.version());
                plan.put("pretrainedS3Uri", production.artifactS3Uri());
                channels.add(pretrainedChannel(production.artifactS3Uri()));
            }
        }
        runs.trainingPlanned(request.dataset(), executionName, plan.path("start").asText(), plan.path("summary").asText(),
                plan.path("pretrainedVersion").isNumber() ? plan.path("pretrainedVersion").asLong() : null);
        JsonLog.named("training-plan").with("executionName", executionName).info("training-planned",
                "start", plan.path("start").asText(), "summary", plan.path("summary").asText());
        return plan;
    }

    private static void start(ObjectNode plan, String start, String summary) {
        plan.put("start", start);
        plan.put("summary", summary);
        plan.putNull("pretrainedVersion");
        plan.putNull("pretrainedS3Uri");
    }

    private static ObjectNode manifestChannel(String name, String manifestUri) {
        return channel(name, "ManifestFile", manifestUri);
    }

    /**
     * The production model's {@code model.tar.gz}: an S3 prefix that is the object's own key, so
     * SageMaker downloads it as {@code /opt/ml/input/data/pretrained/model.tar.gz}.
     */
    private static ObjectNode pretrainedChannel(String artifactS3Uri) {
        return channel(PRETRAINED_CHANNEL, "S3Prefix", artifactS3Uri);
    }

    private static ObjectNode channel(String name, String dataType, String uri) {
        ObjectNode c = Json.object();
        c.put("ChannelName", name);
        c.putObject("DataSource").putObject("S3DataSource").put("S3DataType", dataType).put("S3Uri", uri)
                .put("S3DataDistributionType", "FullyReplicated");
        c.put("InputMode", "File");
        return c;
    }
}
