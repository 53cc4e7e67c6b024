package dev.motflow.local;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.retraining.Env;
import dev.motflow.retraining.handler.FinishRunHandler;
import dev.motflow.retraining.handler.GateHandler;
import dev.motflow.retraining.handler.LabelledDataHandler;
import dev.motflow.retraining.handler.RetrainingApiHandler;
import dev.motflow.retraining.store.RetrainingQueries;
import dev.motflow.retraining.handler.ScoreModelHandler;
import dev.motflow.retraining.handler.Steps;
import dev.motflow.retraining.handler.ValidateDatasetHandler;
import dev.motflow.retraining.store.RunCoordinator;
import dev.motflow.retraining.trigger.LabelledDataTrigger;
import dev.motflow.testsupport.sfn.LambdaTasks;
import dev.motflow.testsupport.sfn.SageMakerTasks;
import dev.motflow.testsupport.sfn.SnsTasks;
import dev.motflow.testsupport.sfn.TaskDispatcher;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The retraining side of the stack, wired as the CDK app wires it: the step Lambdas (validate,
 * score, gate, finish) behind the ASL's Lambda tasks, the SageMaker tasks against the local
 * SageMaker, SNS notifications recorded, executions of statemachines/retrain.asl.json run locally,
 * the labelled-data queue feeding the trigger, and the retraining API handler.
 */
final class LocalRetraining {
    private final Steps steps;
    private final SnsTasks sns = new SnsTasks();
    private final LocalExecutions executions;
    private final LocalQueue labelledQueue;
    private final RetrainingApiHandler api;

    /** Everything it starts is registered with {@code lifecycle}. */
    LocalRetraining(Path repoRoot, Path queuesDir, DynamoDbClient dynamo, S3Client s3, LocalSageMaker sageMaker,
                    Consumer<String> log, StackLifecycle lifecycle) {
        Map<String, String> env = new HashMap<>();
        env.put("TABLE_NAME", LocalStack.TABLE);
        env.put("ARTIFACTS_BUCKET", LocalStack.ARTIFACTS_BUCKET);
        env.put("ENDPOINT_NAME", LocalStack.MODEL_ENDPOINT);
        env.put("LABELLED_BUCKET", LocalStack.LABELLED_BUCKET);
        // The quality floor for the CPU-trained toy models of the demo (4 epochs on synthetic figures reach
        // HOTA 0.41, IDF1 0.59, MOTA 0.34 on the validation sequence): low enough to pass, high enough to stop
        // a model that finds nothing (3 epochs on two sequences: HOTA 0.05, IDF1 0).
        // A real deployment keeps the gate's defaults (README, "Retraining").
        env.put("GATE_MIN_HOTA", System.getProperty("motflow.gate.minHota", "0.2"));
        env.put("GATE_MIN_IDF1", System.getProperty("motflow.gate.minIdf1", "0.2"));
        env.put("GATE_MIN_MOTA", System.getProperty("motflow.gate.minMota", "-1"));
        this.steps = new Steps(new Env(env), s3, dynamo, Clock.systemUTC());
        TaskDispatcher dispatcher = lifecycle.add(TaskDispatcher.start());
        Map<String, String> subs = LocalExecutions.substitutions(LocalStack.MODEL_ENDPOINT);
        this.executions = lifecycle.add(new LocalExecutions(repoRoot, subs, dispatcher));
        // The runner's own execution status decides takeovers: after a kill -9 and restart the old holder is unknown here.
        RunCoordinator coordinator = new RunCoordinator(dynamo, LocalStack.TABLE, executions, executions, Clock.systemUTC(),
                RunCoordinator.DEFAULT_LEASE).notifyingReplaced((dataset, replaced, by) ->
                        log.accept("retraining notification: queued request " + replaced + " replaced by " + by));
        LabelledDataTrigger trigger = new LabelledDataTrigger(s3, coordinator, Clock.systemUTC());
        LambdaTasks lambdas = new LambdaTasks()
                .register(subs.get("ValidateDatasetFunctionArn"), stream(new ValidateDatasetHandler(steps.validator())))
                .register(subs.get("ScoreModelFunctionArn"), stream(new ScoreModelHandler(steps.scoring())))
                .register(subs.get("GateFunctionArn"), stream(new GateHandler(steps.gate())))
                .register(subs.get("FinishRunFunctionArn"), stream(new FinishRunHandler(steps.finisher(coordinator))));
        dispatcher.route(LambdaTasks.RESOURCE, lambdas)
                .route(SageMakerTasks.OPTIMIZED, new SageMakerTasks(sageMaker.endpoint()))
                .route(SageMakerTasks.SDK, new SageMakerTasks(sageMaker.endpoint()))
                .route(SnsTasks.RESOURCE, call -> {
                    JsonNode out = sns.handle(call);
                    log.accept("retraining notification: " + call.input().path("Message").asText(call.input().toString()));
                    return out;
                });
        this.labelledQueue = lifecycle.add(new LocalQueue("labelled-data", queuesDir,
                LocalQueue.sqs(new LabelledDataHandler(trigger, Clock.systemUTC())), log, 5, 2000));
        this.api = new RetrainingApiHandler(trigger, LocalStack.LABELLED_BUCKET, LocalStack.ARTIFACTS_BUCKET, Clock.systemUTC())
                .withQueries(new RetrainingQueries(dynamo, LocalStack.TABLE, Steps.DEFAULT_MODEL_NAME));
    }

    /** A stream Lambda as the ASL runner's Lambda task calls it: JSON payload in, JSON out. */
    private static LambdaTasks.LambdaFunction stream(RequestStreamHandler handler) {
        return payload -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)), out, null);
            return out.toString(StandardCharsets.UTF_8);
        };
    }

    Steps steps() {
        return steps;
    }

    SnsTasks notifications() {
        return sns;
    }

    LocalExecutions executions() {
        return executions;
    }

    LocalQueue labelledQueue() {
        return labelledQueue;
    }

    RetrainingApiHandler api() {
        return api;
    }
}
