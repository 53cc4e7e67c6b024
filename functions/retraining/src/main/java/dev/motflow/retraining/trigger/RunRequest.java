package dev.motflow.retraining.trigger;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.retraining.Json;

/**
 * What one retraining run is asked to do; also the state machine's input.
 *
 * @param format {@code MOTCHALLENGE} (motflow manifest.json), {@code GROUND_TRUTH} (a SageMaker
 *     Ground Truth video-tracking output.manifest) or {@code NONE} (a forced model import without
 *     a dataset)
 * @param trigger {@code S3} or {@code API}
 * @param coldStart the request's own choice (POST /retraining {@code "coldStart"}): true trains from
 *     scratch, false warm-starts from production; null leaves it to the manifest's
 *     {@code training.coldStart}, and without that, warm when a production model exists
 * @param importModel non-null for a model import: the given artifact replaces training
 */
public record RunRequest(String dataset, String manifestBucket, String manifestKey, String manifestVersion,
                         String format, boolean hpo, String trigger, String requestedAt, Boolean coldStart,
                         ModelImport importModel) {

    public static final String MOTCHALLENGE = "MOTCHALLENGE";
    public static final String GROUND_TRUTH = "GROUND_TRUTH";
    /** A forced import that names no dataset: nothing to validate, evaluate or gate. */
    public static final String NONE = "NONE";

    @JsonCreator
    public RunRequest(@JsonProperty("dataset") String dataset, @JsonProperty("manifestBucket") String manifestBucket,
                      @JsonProperty("manifestKey") String manifestKey, @JsonProperty("manifestVersion") String manifestVersion,
                      @JsonProperty("format") String format, @JsonProperty("hpo") boolean hpo,
                      @JsonProperty("trigger") String trigger, @JsonProperty("requestedAt") String requestedAt,
                      @JsonProperty("coldStart") Boolean coldStart, @JsonProperty("importModel") ModelImport importModel) {
        this.dataset = dataset;
        this.manifestBucket = manifestBucket;
        this.manifestKey = manifestKey;
        this.manifestVersion = manifestVersion;
        this.format = format;
        this.hpo = hpo;
        this.trigger = trigger;
        this.requestedAt = requestedAt;
        this.coldStart = coldStart;
        this.importModel = importModel;
    }

    /** A training run with the start left to the manifest and the production model. */
    public RunRequest(String dataset, String manifestBucket, String manifestKey, String manifestVersion, String format,
                      boolean hpo, String trigger, String requestedAt) {
        this(dataset, manifestBucket, manifestKey, manifestVersion, format, hpo, trigger, requestedAt, null, null);
    }

    public RunRequest withColdStart(Boolean cold) {
        return new RunRequest(dataset, manifestBucket, manifestKey, manifestVersion, format, hpo, trigger, requestedAt,
                cold, importModel);
    }

    public boolean isImport() {
        return importModel != null;
    }

    public String executionName() {
        if (importModel != null) {
            // one run per model object version and dataset version: a repeated request is a duplicate
            String base = NONE.equals(format) ? "import-" + importModel.objectVersion()
                    : "import-" + dataset + "-" + manifestVersion + "-" + importModel.objectVersion();
            return ExecutionNames.of(base + (importModel.force() ? "-forced" : ""));
        }
        return ExecutionNames.of(dataset, manifestVersion, hpo);
    }

    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }

    public static RunRequest fromJson(JsonNode node) {
        return Json.convert(node, RunRequest.class);
    }
}
