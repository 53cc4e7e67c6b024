package dev.motflow.jobs.service;

import java.util.function.Function;

import dev.motflow.common.JsonLog;
import dev.motflow.common.SdkRetries;
import dev.motflow.jobs.model.JobIds;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.AppSpecification;
import software.amazon.awssdk.services.sagemaker.model.CreateProcessingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeProcessingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ProcessingClusterConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingInput;
import software.amazon.awssdk.services.sagemaker.model.ProcessingOutput;
import software.amazon.awssdk.services.sagemaker.model.ProcessingOutputConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingResources;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3Input;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3Output;
import software.amazon.awssdk.services.sagemaker.model.ProcessingStoppingCondition;
import software.amazon.awssdk.services.sagemaker.model.Tag;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncResponse;

/**
 * Starts the tracking of a video on SageMaker: an async inference (InvokeEndpointAsync) or a
 * processing job (CreateProcessingJob). Throttling, 5xx and network errors are retried by the
 * clients' SDK retry strategy ({@code JobsRuntime.sageMakerRetries()}: standard mode, 6 attempts,
 * full-jitter backoff); what still fails is {@link UnavailableException} when retrying could help
 * later (the ingest releases its lease and SQS redelivers) and {@link RejectedException} when it
 * cannot. A {@code ResourceInUse} on CreateProcessingJob means an earlier attempt (maybe one whose
 * answer was lost) already created the job: success, confirmed by DescribeProcessingJob within the
 * attempts the create left over, so one delivery makes at most the strategy's attempts in all.
 */
public final class SageMakerLauncher {
    /**
     * The processing container's contract (containers/README.md): entry point {@code process}, videos
     * under {@value #PROCESSING_INPUT_PATH}, the model under {@value #PROCESSING_MODEL_PATH}, and for
     * an input {@code <rel>.<ext>} the MOTChallenge result {@code <output>/<rel>/tracks.txt}.
     */
    public static final String PROCESSING_INPUT_PATH = "/opt/ml/processing/input";
    public static final String PROCESSING_MODEL_PATH = "/opt/ml/processing/model";
    public static final String PROCESSING_OUTPUT_PATH = "/opt/ml/processing/output";
    public static final String PROCESSING_RESULT_FILE = "tracks.txt";

    private static final JsonLog LOG = JsonLog.get(SageMakerLauncher.class);

    private final JobsConfig config;
    private final SageMakerClient sageMaker;
    private final SageMakerRuntimeClient runtime;
    private final int maxAttempts;

    /** {@code maxAttempts}: the attempts the clients' retry strategy makes per call (one delivery's budget). */
    public SageMakerLauncher(JobsConfig config, SageMakerClient sageMaker, SageMakerRuntimeClient runtime, int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        this.config = config;
        this.sageMaker = sageMaker;
        this.runtime = runtime;
        this.maxAttempts = maxAttempts;
    }

    /** What SageMaker answered, and how many calls it took. */
    public record AsyncStart(String inferenceId, String outputLocation, String failureLocation, int attempts) {
    }

    /** {@code resultS3Uri}: where the container will leave the MOTChallenge result of this video. */
    public record ProcessingStart(String jobName, String jobArn, String outputS3Uri, String resultS3Uri, int attempts) {
    }

    /** SageMaker refused the request for a reason retrying cannot change. */
    public static final class RejectedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RejectedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Retryable errors persisted through every attempt. */
    public static final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public AsyncStart startAsync(String jobId, String inputS3Uri, String contentType) {
        int[] attempts = {0};
        InvokeEndpointAsyncResponse r = call("InvokeEndpointAsync", attempts, maxAttempts, o ->
                runtime.invokeEndpointAsync(b -> b.endpointName(config.asyncEndpointName())
                        .inputLocation(inputS3Uri)
                        .inferenceId(jobId)
                        .contentType(contentType)
                        .accept("text/csv")
                        .customAttributes("jobId=" + jobId)
                        .overrideConfiguration(o)));
        return new AsyncStart(r.inferenceId() == null ? jobId : r.inferenceId(), r.outputLocation(),
                r.failureLocation(), attempts[0]);
    }

    /** The output prefix of a job's processing job: {@code s3://RESULTS_BUCKET/processing/<jobId>/}. */
    public String processingOutputUri(String jobId) {
        return "s3://" + config.resultsBucket() + "/processing/" + jobId + "/";
    }

    /** {@code modelS3Uri}: the model mounted at {@value #PROCESSING_MODEL_PATH}; null: the image's own model. */
    public ProcessingStart startProcessing(String jobId, String inputS3Uri, long sizeBytes, String modelS3Uri) {
        String name = JobIds.processingJobName(jobId);
        String output = processingOutputUri(jobId);
        // Room for the video and the decoded work files: twice its size plus 20 GB, at least 30 GB.
        int volumeGb = (int) Math.min(16384, Math.max(30, 2 * Math.ceilDiv(sizeBytes, 1L << 30) + 20));
        ProcessingClusterConfig.Builder cluster = ProcessingClusterConfig.builder()
                .instanceCount(1)
                .instanceType(config.processingInstanceType())
                .volumeSizeInGB(volumeGb);
        if (config.processingVolumeKmsKeyId() != null) {
            cluster.volumeKmsKeyId(config.processingVolumeKmsKeyId());
        }
        CreateProcessingJobRequest request = CreateProcessingJobRequest.builder()
                .processingJobName(name)
                .roleArn(config.processingRoleArn())
                .appSpecification(AppSpecification.builder().imageUri(config.processingImageUri())
                        .containerEntrypoint("process")
                        .build())
                .environment(java.util.Map.of("MOTFLOW_JOB_ID", jobId))
                .processingInputs(inputs(inputS3Uri, modelS3Uri))
                .processingOutputConfig(ProcessingOutputConfig.builder().outputs(ProcessingOutput.builder()
                        .outputName("tracks")
                        .s3Output(ProcessingS3Output.builder().s3Uri(output).localPath(PROCESSING_OUTPUT_PATH)
                                .s3UploadMode("EndOfJob").build())
                        .build()).build())
                .processingResources(ProcessingResources.builder().clusterConfig(cluster.build()).build())
                .stoppingCondition(ProcessingStoppingCondition.builder()
                        .maxRuntimeInSeconds(config.processingMaxRuntimeSeconds()).build())
                .tags(Tag.builder().key("motflow:jobId").value(jobId).build())
                .build();
        int[] attempts = {0};
        String arn;
        try {
            arn = call("CreateProcessingJob", attempts, maxAttempts,
                    o -> sageMaker.createProcessingJob(request.toBuilder().overrideConfiguration(o).build()).processingJobArn());
        } catch (RejectedException e) {
            if (!(e.getCause() instanceof AwsServiceException ase) || !"ResourceInUse".equals(errorCode(ase))) {
                throw e;
            }
            LOG.info("processing job already exists (an earlier attempt created it); treating as started",
                    "jobId", jobId, "processingJobName", name);
            int left = maxAttempts - attempts[0];
            if (left < 1) {
                throw new UnavailableException("CreateProcessingJob used all " + attempts[0]
                        + " attempts; the job exists but DescribeProcessingJob must wait for the redelivery", e);
            }
            DescribeProcessingJobResponse d = call("DescribeProcessingJob", attempts, left,
                    o -> sageMaker.describeProcessingJob(b -> b.processingJobName(name).overrideConfiguration(o)));
            arn = d.processingJobArn();
        }
        return new ProcessingStart(name, arn, output, resultUri(output, inputS3Uri), attempts[0]);
    }

    private static java.util.List<ProcessingInput> inputs(String videoS3Uri, String modelS3Uri) {
        java.util.List<ProcessingInput> in = new java.util.ArrayList<>();
        in.add(ProcessingInput.builder().inputName("video")
                .s3Input(ProcessingS3Input.builder().s3Uri(videoS3Uri).localPath(PROCESSING_INPUT_PATH)
                        .s3DataType("S3Prefix").s3InputMode("File").build())
                .build());
        if (modelS3Uri != null) {
            in.add(ProcessingInput.builder().inputName("model")
                    .s3Input(ProcessingS3Input.builder().s3Uri(modelS3Uri).localPath(PROCESSING_MODEL_PATH)
                            .s3DataType("S3Prefix").s3InputMode("File").build())
                    .build());
        }
        return in;
    }

    /** {@code <output>/<file name without extension>/tracks.txt}: the video lands in the input folder under its own name. */
    static String resultUri(String outputPrefix, String videoS3Uri) {
        String name = videoS3Uri.substring(videoS3Uri.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return outputPrefix + stem + "/" + PROCESSING_RESULT_FILE;
    }

    /**
     * One SDK call (its retries included) with at most {@code budget} attempts; adds the attempts it
     * made to {@code attempts[0]} and sorts a final failure into rejected or unavailable.
     */
    private <T> T call(String operation, int[] attempts, int budget, Function<AwsRequestOverrideConfiguration, T> call) {
        AttemptCounter counter = new AttemptCounter();
        AwsRequestOverrideConfiguration.Builder o = AwsRequestOverrideConfiguration.builder().addMetricPublisher(counter);
        if (budget < maxAttempts) {
            o.addPlugin(SdkRetries.atMost(budget));
        }
        try {
            T result = call.apply(o.build());
            attempts[0] += counter.attempts(1);
            if (counter.attempts(1) > 1) {
                LOG.info("SageMaker call succeeded after retries", "operation", operation, "attempts", counter.attempts(1));
            }
            return result;
        } catch (SdkException e) {
            int made = counter.attempts(e.numAttempts() == null ? 1 : e.numAttempts());
            attempts[0] += made;
            if (!retryable(e)) {
                throw new RejectedException(operation + " was refused: " + describe(e), e);
            }
            LOG.warn("SageMaker call still failing after the SDK's retries", "operation", operation,
                    "attempts", made, "error", describe(e));
            throw new UnavailableException(operation + " still failing after " + made + " attempts: " + describe(e), e);
        }
    }

    /**
     * Counts one call's HTTP attempts from the SDK's metrics ({@code RetryCount} of the API call),
     * which the sync client publishes before the call returns or throws.
     */
    private static final class AttemptCounter implements MetricPublisher {
        private volatile int attempts;

        @Override
        public void publish(MetricCollection metrics) {
            attempts = metrics.metricValues(CoreMetric.RETRY_COUNT).stream().mapToInt(n -> n + 1).max().orElse(0);
        }

        int attempts(int fallback) {
            return attempts > 0 ? attempts : fallback;
        }

        @Override
        public void close() {
        }
    }

    /** Whether a failure the SDK gave up on may pass later (throttling, 5xx, network): then a redelivery tries again. */
    static boolean retryable(SdkException e) {
        return TransientErrors.isTransient(e);
    }

    static String errorCode(AwsServiceException e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    static String describe(SdkException e) {
        if (e instanceof AwsServiceException ase && ase.awsErrorDetails() != null) {
            return ase.awsErrorDetails().errorCode() + " (HTTP " + ase.statusCode() + "): "
                    + ase.awsErrorDetails().errorMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
