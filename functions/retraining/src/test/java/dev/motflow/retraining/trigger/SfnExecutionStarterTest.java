package dev.motflow.retraining.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import dev.motflow.retraining.Json;
import dev.motflow.retraining.RetryableException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/** The real SfnClient against a loopback endpoint speaking the Step Functions JSON protocol. */
class SfnExecutionStarterTest {
    private static final String ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:motflow-retrain";
    private HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<String> targets = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer;
    private SfnClient sfn;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", ex -> {
            try (ex) {
                requests.add(Json.MAPPER.readTree(ex.getRequestBody()));
                targets.add(ex.getRequestHeaders().getFirst("X-Amz-Target"));
                byte[] body = answer.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                ex.sendResponseHeaders(status, body.length);
                ex.getResponseBody().write(body);
            }
        });
        server.start();
        sfn = SfnClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                // one attempt: the SDK's own retry pauses would only slow the test down
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    @AfterEach
    void stop() {
        sfn.close();
        server.stop(0);
    }

    @Test
    void startsTheStateMachineWithNameAndInput() {
        answer = "{\"executionArn\":\"" + ARN.replace("stateMachine", "execution") + ":street-v1\",\"startDate\":1.764E9}";
        var started = new SfnExecutionStarter(sfn, ARN).start("street-v1", "{\"dataset\":\"street\"}");
        assertEquals(ExecutionStarter.Started.STARTED, started);
        assertEquals("AWSStepFunctions.StartExecution", targets.get(0));
        JsonNode req = requests.get(0);
        assertEquals(ARN, req.path("stateMachineArn").asText());
        assertEquals("street-v1", req.path("name").asText());
        assertEquals("{\"dataset\":\"street\"}", req.path("input").asText());
    }

    @Test
    void anExistingExecutionIsNotAnError() {
        status = 400;
        answer = "{\"__type\":\"com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists\",\"message\":\"Execution Already Exists\"}";
        assertEquals(ExecutionStarter.Started.ALREADY_EXISTS, new SfnExecutionStarter(sfn, ARN).start("street-v1", "{}"));
    }

    @Test
    void throttlingIsRetryable() {
        status = 400;
        answer = "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";
        assertThrows(RetryableException.class, () -> new SfnExecutionStarter(sfn, ARN).start("street-v1", "{}"));
        assertEquals(1, requests.size());
    }

    @Test
    void theLocksStatusQuestionIsDescribeExecutionOfTheNamedExecution() {
        answer = "{\"executionArn\":\"x\",\"stateMachineArn\":\"" + ARN + "\",\"status\":\"ABORTED\",\"startDate\":1.764E9}";
        SfnExecutionStatus status = new SfnExecutionStatus(sfn, ARN);
        assertEquals(ExecutionStatus.State.ABORTED, status.state("street-v1"));
        assertEquals("AWSStepFunctions.DescribeExecution", targets.get(0));
        assertEquals("arn:aws:states:us-east-1:000000000000:execution:motflow-retrain:street-v1",
                requests.get(0).path("executionArn").asText());
        assertEquals(requests.get(0).path("executionArn").asText(), status.executionArn("street-v1"));

        answer = "{\"executionArn\":\"x\",\"stateMachineArn\":\"" + ARN + "\",\"status\":\"RUNNING\",\"startDate\":1.764E9}";
        assertEquals(ExecutionStatus.State.RUNNING, status.state("street-v1"));
    }

    @Test
    void anUnknownExecutionIsNotFoundAndThrottlingIsRetryable() {
        status = 400;
        answer = "{\"__type\":\"com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist\",\"message\":\"Execution Does Not Exist\"}";
        assertEquals(ExecutionStatus.State.NOT_FOUND, new SfnExecutionStatus(sfn, ARN).state("street-v1"));
        answer = "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";
        assertThrows(RetryableException.class, () -> new SfnExecutionStatus(sfn, ARN).state("street-v1"));
    }
}
