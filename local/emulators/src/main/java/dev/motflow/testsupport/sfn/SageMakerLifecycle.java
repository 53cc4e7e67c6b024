package dev.motflow.testsupport.sfn;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.testsupport.SageMakerStub;
import dev.motflow.testsupport.SageMakerStub.StubError;

/**
 * Teaches a {@link SageMakerStub} the operations of a training-to-deployment workflow, with job
 * and endpoint state kept in memory: training jobs, hyperparameter tuning jobs, models, endpoint
 * configs, endpoints (create, blue/green update, describe), and completion of processing jobs.
 * Requests are checked against the constraints SageMaker enforces that a workflow can get wrong
 * (name rules, references to things that do not exist, spot training without a wait limit).
 *
 * <p>Jobs are InProgress when created and reach their outcome on the first Describe: what the
 * outcome is, the test decides ({@link #trainingOutcome}, {@link #onProcessingJob},
 * {@link #endpointOutcome}).
 */
public final class SageMakerLifecycle {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARN = "arn:aws:sagemaker:us-east-1:000000000000:";

    /** What a training job ends as. */
    public record TrainingOutcome(boolean completed, String failureReason, double validationLoss) {
        public static TrainingOutcome completed(double validationLoss) {
            return new TrainingOutcome(true, null, validationLoss);
        }

        public static TrainingOutcome failed(String reason) {
            return new TrainingOutcome(false, reason, Double.NaN);
        }
    }

    /** What an endpoint create or update ends as. */
    public enum EndpointOutcome { IN_SERVICE, ROLLED_BACK, FAILED }

    private final SageMakerStub stub;
    private final Map<String, ObjectNode> trainingJobs = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> tuningJobs = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> models = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> endpointConfigs = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> endpoints = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> endpointDescribes = new ConcurrentHashMap<>();
    private volatile Function<JsonNode, TrainingOutcome> trainingOutcome = req -> TrainingOutcome.completed(0.5);
    private volatile Function<JsonNode, String> processingOutcome = req -> null;
    private volatile EndpointOutcome endpointOutcome = EndpointOutcome.IN_SERVICE;
    private volatile int describesUntilDone = 1;
    /** Per-endpoint outcomes that override {@link #endpointOutcome(EndpointOutcome, int)}. */
    private final Map<String, EndpointOutcome> endpointOutcomes = new ConcurrentHashMap<>();

    public SageMakerLifecycle(SageMakerStub stub) {
        this.stub = stub;
        install();
    }

    /** (Re-)registers the operations on the stub, e.g. after {@code stub.reset()}. */
    public void install() {
        stub.on("CreateTrainingJob", this::createTrainingJob);
        stub.on("DescribeTrainingJob", req -> describeTrainingJob(req.path("TrainingJobName").asText()));
        stub.on("CreateHyperParameterTuningJob", this::createTuningJob);
        stub.on("DescribeHyperParameterTuningJob", this::describeTuningJob);
        stub.on("CreateModel", this::createModel);
        stub.on("CreateEndpointConfig", this::createEndpointConfig);
        stub.on("CreateEndpoint", this::createEndpoint);
        stub.on("UpdateEndpoint", this::updateEndpoint);
        stub.on("DescribeEndpoint", this::describeEndpoint);
        stub.on("DescribeProcessingJob", this::describeProcessingJob);
    }

    /** Decides each training job's outcome from its CreateTrainingJob request. */
    public void trainingOutcome(Function<JsonNode, TrainingOutcome> outcome) {
        this.trainingOutcome = outcome;
    }

    /**
     * Runs {@code container} when a processing job is first described (it plays the container:
     * e.g. writes results to the job's output S3 URI); it returns null for Completed or a failure
     * reason.
     */
    public void onProcessingJob(Function<JsonNode, String> container) {
        this.processingOutcome = container;
    }

    /** How endpoint creates and updates end, and after how many DescribeEndpoint calls. */
    public void endpointOutcome(EndpointOutcome outcome, int describesUntilDone) {
        this.endpointOutcome = outcome;
        this.describesUntilDone = Math.max(1, describesUntilDone);
    }

    /** How creates and updates of one endpoint end (the others keep the general outcome). */
    public void endpointOutcome(String endpointName, EndpointOutcome outcome) {
        endpointOutcomes.put(endpointName, outcome);
    }

    /** Creates an InService real-time endpoint directly (production before the test). */
    public void existingEndpoint(String endpointName, String configName, String modelName, String modelDataUrl) {
        existingEndpoint(endpointName, configName, modelName, modelDataUrl, null);
    }

    /**
     * Creates an InService endpoint directly; {@code asyncInferenceConfig} non-null makes it an
     * asynchronous endpoint, as the stack's video endpoint is.
     */
    public void existingEndpoint(String endpointName, String configName, String modelName, String modelDataUrl,
                                 JsonNode asyncInferenceConfig) {
        ObjectNode model = JSON.createObjectNode().put("ModelName", modelName);
        model.putObject("PrimaryContainer").put("Image", "existing").put("ModelDataUrl", modelDataUrl);
        models.put(modelName, model);
        ObjectNode config = JSON.createObjectNode().put("EndpointConfigName", configName);
        config.putArray("ProductionVariants").addObject().put("VariantName", "AllTraffic").put("ModelName", modelName);
        if (asyncInferenceConfig != null) {
            config.set("AsyncInferenceConfig", asyncInferenceConfig.deepCopy());
        }
        endpointConfigs.put(configName, config);
        endpoints.put(endpointName, JSON.createObjectNode().put("EndpointName", endpointName)
                .put("EndpointArn", ARN + "endpoint/" + endpointName).put("EndpointConfigName", configName)
                .put("EndpointStatus", "InService"));
    }

    public JsonNode endpoint(String name) {
        ObjectNode e = endpoints.get(name);
        return e == null ? null : e.deepCopy();
    }

    public JsonNode endpointConfig(String name) {
        ObjectNode c = endpointConfigs.get(name);
        return c == null ? null : c.deepCopy();
    }

    public JsonNode trainingJob(String name) {
        ObjectNode j = trainingJobs.get(name);
        return j == null ? null : j.deepCopy();
    }

    public void reset() {
        trainingJobs.clear();
        tuningJobs.clear();
        models.clear();
        endpointConfigs.clear();
        endpoints.clear();
        endpointDescribes.clear();
        endpointOutcomes.clear();
        trainingOutcome = req -> TrainingOutcome.completed(0.5);
        processingOutcome = req -> null;
        endpointOutcome = EndpointOutcome.IN_SERVICE;
        describesUntilDone = 1;
        install();
    }

    private JsonNode createTrainingJob(JsonNode req) throws StubError {
        String name = name(req, "TrainingJobName", 63);
        role(req.path("RoleArn").asText());
        checkTrainingDefinition(req, "");
        ObjectNode job = ((ObjectNode) req).deepCopy();
        job.put("TrainingJobArn", ARN + "training-job/" + name);
        job.put("TrainingJobStatus", "InProgress");
        job.put("SecondaryStatus", "Starting");
        if (trainingJobs.putIfAbsent(name, job) != null) {
            throw new StubError(400, "ResourceInUse", "Training job names must be unique within an AWS account and region, and a training job with this name already exists (" + job.get("TrainingJobArn").asText() + ")");
        }
        return JSON.createObjectNode().put("TrainingJobArn", job.get("TrainingJobArn").asText());
    }

    private void checkTrainingDefinition(JsonNode def, String at) throws StubError {
        if (def.path("AlgorithmSpecification").path("TrainingImage").asText("").isEmpty()) {
            throw StubError.validation(at + "AlgorithmSpecification.TrainingImage is required");
        }
        for (JsonNode md : def.path("AlgorithmSpecification").path("MetricDefinitions")) {
            try {
                java.util.regex.Pattern.compile(md.path("Regex").asText());
            } catch (java.util.regex.PatternSyntaxException e) {
                throw StubError.validation(at + "MetricDefinitions regex for " + md.path("Name").asText() + " is invalid");
            }
        }
        if (def.path("OutputDataConfig").path("S3OutputPath").asText("").isEmpty()) {
            throw StubError.validation(at + "OutputDataConfig.S3OutputPath is required");
        }
        JsonNode stop = def.path("StoppingCondition");
        if (def.path("EnableManagedSpotTraining").asBoolean(false)) {
            long run = stop.path("MaxRuntimeInSeconds").asLong(0);
            long wait = stop.path("MaxWaitTimeInSeconds").asLong(0);
            if (wait <= 0 || wait < run) {
                throw StubError.validation(at + "Managed spot training requires StoppingCondition.MaxWaitTimeInSeconds >= MaxRuntimeInSeconds");
            }
        }
        String instance = def.path("ResourceConfig").path("InstanceType").asText("");
        if (!instance.startsWith("ml.")) {
            throw StubError.validation(at + "ResourceConfig.InstanceType must be an ml.* instance type, got '" + instance + "'");
        }
    }

    private JsonNode describeTrainingJob(String name) throws StubError {
        ObjectNode job = trainingJobs.get(name);
        if (job == null) {
            throw new StubError(400, "ValidationException", "Requested resource not found: training job " + name);
        }
        synchronized (job) {
            if ("InProgress".equals(job.path("TrainingJobStatus").asText())) {
                TrainingOutcome o = trainingOutcome.apply(job);
                finishTraining(job, name, o);
            }
            return job.deepCopy();
        }
    }

    private static void finishTraining(ObjectNode job, String name, TrainingOutcome o) {
        if (o.completed()) {
            job.put("TrainingJobStatus", "Completed").put("SecondaryStatus", "Completed");
            String out = job.path("OutputDataConfig").path("S3OutputPath").asText();
            job.putObject("ModelArtifacts").put("S3ModelArtifacts",
                    (out.endsWith("/") ? out : out + "/") + name + "/output/model.tar.gz");
            ArrayNode metrics = job.putArray("FinalMetricDataList");
            metrics.addObject().put("MetricName", "validation_loss").put("Value", o.validationLoss());
        } else {
            job.put("TrainingJobStatus", "Failed").put("SecondaryStatus", "Failed").put("FailureReason", o.failureReason());
        }
    }

    private JsonNode createTuningJob(JsonNode req) throws StubError {
        String name = name(req, "HyperParameterTuningJobName", 32);
        JsonNode config = req.path("HyperParameterTuningJobConfig");
        String metric = config.path("HyperParameterTuningJobObjective").path("MetricName").asText();
        JsonNode def = req.path("TrainingJobDefinition");
        role(def.path("RoleArn").asText());
        checkTrainingDefinition(def, "TrainingJobDefinition.");
        boolean defined = false;
        for (JsonNode md : def.path("AlgorithmSpecification").path("MetricDefinitions")) {
            defined |= md.path("Name").asText().equals(metric);
        }
        if (!defined) {
            throw StubError.validation("The objective metric " + metric + " is not in TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions");
        }
        JsonNode ranges = config.path("ParameterRanges");
        JsonNode statics = def.path("StaticHyperParameters");
        for (String kind : new String[] {"ContinuousParameterRanges", "IntegerParameterRanges", "CategoricalParameterRanges"}) {
            for (JsonNode r : ranges.path(kind)) {
                if (statics.has(r.path("Name").asText())) {
                    throw StubError.validation("Hyperparameter " + r.path("Name").asText() + " is both static and tuned");
                }
            }
        }
        ObjectNode job = ((ObjectNode) req).deepCopy();
        job.put("HyperParameterTuningJobArn", ARN + "hyper-parameter-tuning-job/" + name);
        job.put("HyperParameterTuningJobStatus", "InProgress");
        if (tuningJobs.putIfAbsent(name, job) != null) {
            throw new StubError(400, "ResourceInUse", "tuning job " + name + " already exists");
        }
        return JSON.createObjectNode().put("HyperParameterTuningJobArn", job.get("HyperParameterTuningJobArn").asText());
    }

    private JsonNode describeTuningJob(JsonNode req) throws StubError {
        String name = req.path("HyperParameterTuningJobName").asText();
        ObjectNode job = tuningJobs.get(name);
        if (job == null) {
            throw new StubError(400, "ResourceNotFound", "Amazon SageMaker can't find a tuning job with name " + name);
        }
        synchronized (job) {
            if ("InProgress".equals(job.path("HyperParameterTuningJobStatus").asText())) {
                // The best of the tuning's training jobs: one training job created from the definition.
                String best = name + "-001-" + Integer.toHexString(name.hashCode() & 0xfff);
                ObjectNode training = ((ObjectNode) job.path("TrainingJobDefinition")).deepCopy();
                training.put("TrainingJobName", best);
                TrainingOutcome o = trainingOutcome.apply(training);
                finishTraining(training, best, o);
                trainingJobs.put(best, training);
                if (o.completed()) {
                    job.put("HyperParameterTuningJobStatus", "Completed");
                    ObjectNode b = job.putObject("BestTrainingJob");
                    b.put("TrainingJobName", best).put("TrainingJobStatus", "Completed");
                    b.putObject("FinalHyperParameterTuningJobObjectiveMetric").put("MetricName", "validation_loss")
                            .put("Value", o.validationLoss());
                } else {
                    job.put("HyperParameterTuningJobStatus", "Failed").put("FailureReason", "All training jobs failed: " + o.failureReason());
                }
            }
            return job.deepCopy();
        }
    }

    private JsonNode createModel(JsonNode req) throws StubError {
        String name = name(req, "ModelName", 63);
        role(req.path("ExecutionRoleArn").asText());
        if (req.path("PrimaryContainer").path("Image").asText("").isEmpty()) {
            throw StubError.validation("PrimaryContainer.Image is required");
        }
        if (models.putIfAbsent(name, ((ObjectNode) req).deepCopy()) != null) {
            throw StubError.validation("Cannot create already existing model \"" + ARN + "model/" + name + "\".");
        }
        return JSON.createObjectNode().put("ModelArn", ARN + "model/" + name);
    }

    private JsonNode createEndpointConfig(JsonNode req) throws StubError {
        String name = name(req, "EndpointConfigName", 63);
        JsonNode variants = req.path("ProductionVariants");
        if (!variants.isArray() || variants.isEmpty()) {
            throw StubError.validation("ProductionVariants must have at least one variant");
        }
        for (JsonNode v : variants) {
            if (!models.containsKey(v.path("ModelName").asText())) {
                throw StubError.validation("Could not find model \"" + ARN + "model/" + v.path("ModelName").asText() + "\".");
            }
        }
        checkAsyncInferenceConfig(req.path("AsyncInferenceConfig"));
        if (endpointConfigs.putIfAbsent(name, ((ObjectNode) req).deepCopy()) != null) {
            throw StubError.validation("Cannot create already existing endpoint configuration \"" + name + "\".");
        }
        return JSON.createObjectNode().put("EndpointConfigArn", ARN + "endpoint-config/" + name);
    }

    private JsonNode createEndpoint(JsonNode req) throws StubError {
        String name = name(req, "EndpointName", 63);
        String config = req.path("EndpointConfigName").asText();
        if (!endpointConfigs.containsKey(config)) {
            throw StubError.validation("Could not find endpoint configuration \"" + config + "\".");
        }
        ObjectNode e = JSON.createObjectNode().put("EndpointName", name).put("EndpointArn", ARN + "endpoint/" + name)
                .put("EndpointStatus", "Creating").put("PendingConfig", config).putNull("EndpointConfigName");
        if (endpoints.putIfAbsent(name, e) != null) {
            throw StubError.validation("Cannot create already existing endpoint \"" + ARN + "endpoint/" + name + "\".");
        }
        endpointDescribes.put(name, new AtomicInteger());
        return JSON.createObjectNode().put("EndpointArn", e.get("EndpointArn").asText());
    }

    private JsonNode updateEndpoint(JsonNode req) throws StubError {
        String name = req.path("EndpointName").asText();
        ObjectNode e = endpoints.get(name);
        if (e == null) {
            throw StubError.validation("Could not find endpoint \"" + ARN + "endpoint/" + name + "\".");
        }
        String config = req.path("EndpointConfigName").asText();
        if (!endpointConfigs.containsKey(config)) {
            throw StubError.validation("Could not find endpoint configuration \"" + config + "\".");
        }
        String current = e.path("EndpointConfigName").asText();
        if (endpointConfigs.containsKey(current) && isAsync(endpointConfigs.get(current)) != isAsync(endpointConfigs.get(config))) {
            throw StubError.validation("Cannot update endpoint \"" + ARN + "endpoint/" + name + "\" between real-time and"
                    + " asynchronous inference: endpoint configuration \"" + config + "\" "
                    + (isAsync(endpointConfigs.get(config)) ? "has" : "has no") + " AsyncInferenceConfig.");
        }
        JsonNode blueGreen = req.path("DeploymentConfig").path("BlueGreenUpdatePolicy");
        if (!blueGreen.isMissingNode()) {
            String type = blueGreen.path("TrafficRoutingConfiguration").path("Type").asText("");
            if (!type.matches("ALL_AT_ONCE|CANARY|LINEAR")) {
                throw StubError.validation("TrafficRoutingConfiguration.Type must be ALL_AT_ONCE, CANARY or LINEAR");
            }
        }
        synchronized (e) {
            if (!"InService".equals(e.path("EndpointStatus").asText())) {
                throw StubError.validation("Cannot update in-progress endpoint \"" + ARN + "endpoint/" + name + "\".");
            }
            e.put("EndpointStatus", "Updating").put("PendingConfig", config);
            e.set("LastDeploymentConfig", req.path("DeploymentConfig"));
        }
        endpointDescribes.put(name, new AtomicInteger());
        return JSON.createObjectNode().put("EndpointArn", e.get("EndpointArn").asText());
    }

    private JsonNode describeEndpoint(JsonNode req) throws StubError {
        String name = req.path("EndpointName").asText();
        ObjectNode e = endpoints.get(name);
        if (e == null) {
            throw StubError.validation("Could not find endpoint \"" + ARN + "endpoint/" + name + "\".");
        }
        synchronized (e) {
            String status = e.path("EndpointStatus").asText();
            if ((status.equals("Creating") || status.equals("Updating"))
                    && endpointDescribes.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet() >= describesUntilDone) {
                String pending = e.path("PendingConfig").asText();
                switch (endpointOutcomes.getOrDefault(name, endpointOutcome)) {
                    case IN_SERVICE -> e.put("EndpointStatus", "InService").put("EndpointConfigName", pending);
                    case ROLLED_BACK -> e.put("EndpointStatus", status.equals("Creating") ? "Failed" : "InService");
                    case FAILED -> e.put("EndpointStatus", "Failed").put("FailureReason", "Model container failed health checks");
                }
                e.remove("PendingConfig");
            }
            ObjectNode out = e.deepCopy();
            out.remove("PendingConfig");
            out.remove("LastDeploymentConfig");
            return out;
        }
    }

    private static boolean isAsync(JsonNode config) {
        return config != null && config.has("AsyncInferenceConfig");
    }

    /** The AsyncInferenceConfig constraints of CreateEndpointConfig that a workflow's substitutions can break. */
    private static void checkAsyncInferenceConfig(JsonNode async) throws StubError {
        if (async.isMissingNode()) {
            return;
        }
        JsonNode max = async.path("ClientConfig").path("MaxConcurrentInvocationsPerInstance");
        if (!max.isMissingNode() && (!max.isIntegralNumber() || max.asInt() < 1 || max.asInt() > 1000)) {
            throw StubError.validation("1 validation error detected: Value '" + max + "' at"
                    + " 'asyncInferenceConfig.clientConfig.maxConcurrentInvocationsPerInstance' failed to satisfy constraint:"
                    + " Member must be an integer between 1 and 1000");
        }
        JsonNode out = async.path("OutputConfig");
        if (!out.path("S3OutputPath").asText("").startsWith("s3://")) {
            throw StubError.validation("AsyncInferenceConfig.OutputConfig.S3OutputPath must be an s3:// URI, got '"
                    + out.path("S3OutputPath").asText("") + "'");
        }
        JsonNode failure = out.path("S3FailurePath");
        if (!failure.isMissingNode() && !failure.asText("").startsWith("s3://")) {
            throw StubError.validation("AsyncInferenceConfig.OutputConfig.S3FailurePath must be an s3:// URI");
        }
        for (String topic : List.of("SuccessTopic", "ErrorTopic")) {
            JsonNode arn = out.path("NotificationConfig").path(topic);
            if (!arn.isMissingNode() && !arn.asText("").startsWith("arn:aws:sns:")) {
                throw StubError.validation("AsyncInferenceConfig.OutputConfig.NotificationConfig." + topic
                        + " must be an SNS topic ARN, got '" + arn.asText("") + "'");
            }
        }
    }

    /** The last DeploymentConfig an UpdateEndpoint call passed (null if none). */
    public JsonNode lastDeploymentConfig(String endpointName) {
        ObjectNode e = endpoints.get(endpointName);
        return e == null ? null : e.get("LastDeploymentConfig");
    }

    private JsonNode describeProcessingJob(JsonNode req) throws StubError {
        String name = req.path("ProcessingJobName").asText();
        ObjectNode job = stub.processingJob(name);
        if (job == null) {
            throw new StubError(400, "ResourceNotFound", "Processing job " + name + " not found");
        }
        if ("InProgress".equals(job.path("ProcessingJobStatus").asText())) {
            String failure = processingOutcome.apply(job);
            stub.setProcessingJobStatus(name, failure == null ? "Completed" : "Failed", failure);
            job = stub.processingJob(name);
        }
        return job;
    }

    private static String name(JsonNode req, String field, int max) throws StubError {
        String name = req.path(field).asText("");
        if (!SageMakerStub.NAME.matcher(name).matches() || name.length() > max) {
            throw StubError.validation("1 validation error detected: Value '" + name + "' at '" + field
                    + "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + SageMakerStub.NAME.pattern() + " and have length less than or equal to " + max);
        }
        return name;
    }

    private static void role(String arn) throws StubError {
        if (!SageMakerStub.ROLE_ARN.matcher(arn).matches()) {
            throw StubError.validation("Value '" + arn + "' at 'roleArn' failed to satisfy constraint: " + SageMakerStub.ROLE_ARN.pattern());
        }
    }
}
