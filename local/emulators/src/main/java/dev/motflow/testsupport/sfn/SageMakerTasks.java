package dev.motflow.testsupport.sfn;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Stand-in for the SageMaker service integrations of Step Functions, on top of the SageMaker
 * wire-protocol stub: the task's parameters are the API request (Step Functions passes them
 * through in the API's own field names), sent as {@code X-Amz-Target: SageMaker.<Op>} JSON.
 * <ul>
 *   <li>{@code arn:aws:states:::sagemaker:<op>}: the API response; an API error fails the task
 *     with {@code SageMaker.AmazonSageMakerException} (the error code in the cause), as the
 *     optimized integration reports it.</li>
 *   <li>{@code arn:aws:states:::sagemaker:<op>.sync} (training, tuning, processing jobs): after
 *     the create call, polls the matching Describe until the job is terminal; Completed answers the
 *     Describe response, Failed or Stopped fails the task with {@code States.TaskFailed}.</li>
 *   <li>{@code arn:aws:states:::aws-sdk:sagemaker:<op>}: the API response; errors as
 *     {@code SageMaker.<ErrorCode>}.</li>
 * </ul>
 */
public final class SageMakerTasks implements TaskHandler {
    public static final String OPTIMIZED = "arn:aws:states:::sagemaker:";
    public static final String SDK = "arn:aws:states:::aws-sdk:sagemaker:";
    private static final Pattern RESOURCE = Pattern.compile("arn:aws:states:::(aws-sdk:)?sagemaker:([A-Za-z]+)(\\.sync)?");
    private static final Map<String, String[]> SYNC_JOBS = Map.of(
            "CreateTrainingJob", new String[] {"DescribeTrainingJob", "TrainingJobName", "TrainingJobStatus"},
            "CreateHyperParameterTuningJob", new String[] {"DescribeHyperParameterTuningJob", "HyperParameterTuningJobName",
                "HyperParameterTuningJobStatus"},
            "CreateProcessingJob", new String[] {"DescribeProcessingJob", "ProcessingJobName", "ProcessingJobStatus"});
    private static final int MAX_POLLS = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param endpoint the SageMaker stub, {@code SageMakerStub.endpoint()} */
    public SageMakerTasks(URI endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public JsonNode handle(TaskCall call) throws TaskFailure {
        Matcher m = RESOURCE.matcher(call.resource());
        if (!m.matches()) {
            throw new TaskFailure("States.TaskFailed", "not a SageMaker resource: " + call.resource());
        }
        boolean sdk = m.group(1) != null;
        String op = Character.toUpperCase(m.group(2).charAt(0)) + m.group(2).substring(1);
        boolean sync = m.group(3) != null;
        JsonNode response = call(op, call.input(), sdk);
        if (!sync) {
            return response;
        }
        String[] describe = SYNC_JOBS.get(op);
        if (describe == null) {
            throw new TaskFailure("States.Runtime", op + " has no .sync integration");
        }
        String name = call.input().path(describe[1]).asText();
        for (int i = 0; i < MAX_POLLS; i++) {
            JsonNode job = call(describe[0], JSON.createObjectNode().put(describe[1], name), false);
            String status = job.path(describe[2]).asText();
            switch (status) {
                case "Completed":
                    return job;
                case "Failed":
                case "Stopped":
                    throw new TaskFailure("States.TaskFailed", job.toString());
                default:
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new TaskFailure("States.TaskFailed", "interrupted");
                    }
            }
        }
        throw new TaskFailure("States.Timeout", name + " did not finish after " + MAX_POLLS + " polls");
    }

    private JsonNode call(String op, JsonNode body, boolean sdk) throws TaskFailure {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(endpoint.resolve("/"))
                    .header("X-Amz-Target", "SageMaker." + op)
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new TaskFailure("States.TaskFailed", "SageMaker stub unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskFailure("States.TaskFailed", "interrupted");
        }
        JsonNode json;
        try {
            json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new TaskFailure("States.TaskFailed", "SageMaker answered no JSON: " + response.body());
        }
        if (response.statusCode() >= 400) {
            String code = response.headers().firstValue("x-amzn-ErrorType").orElse(json.path("__type").asText("Unknown"));
            String message = json.path("message").asText(json.path("Message").asText(""));
            if (sdk) {
                throw new TaskFailure("SageMaker." + code, message);
            }
            throw new TaskFailure("SageMaker.AmazonSageMakerException", message + " (Service: AmazonSageMaker; Status Code: "
                    + response.statusCode() + "; Error Code: " + code + ")");
        }
        return json;
    }
}
