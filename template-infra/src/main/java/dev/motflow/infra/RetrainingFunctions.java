package dev.motflow.infra;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.constructs.Construct;

/**
 * The Lambdas of functions/retraining: the workflow's steps (invoked by statemachines/retrain.asl.json)
 * and the two triggers (labelled/ objects through SQS, POST /retraining).
 */
public final class RetrainingFunctions extends Construct {
    public static final String PACKAGE = "dev.motflow.retraining.handler.";
    /** Name of the workflow the triggers start: statemachines/retrain.asl.json. */
    public static final String WORKFLOW = "retrain";
    public static final Duration TRIGGER_TIMEOUT = Duration.minutes(1);
    /** The read routes of the retraining API (functions/retraining RetrainingApiHandler). */
    public static final List<String> READ_ROUTES = List.of("/retraining/runs", "/retraining/models");

    /** Where model imports must be uploaded (functions/retraining LabelledDataTrigger.IMPORT_PREFIX). */
    public static final String IMPORT_PREFIX = "models/";

    private final Map<String, JobFunctions.JavaFunction> functions = new LinkedHashMap<>();
    private final Map<String, String> substitutions = new LinkedHashMap<>();

    public RetrainingFunctions(Construct scope, String id, MotflowConfig cfg, Path jar, Storage storage,
                               Messaging messaging, Ml ml, HttpApi api) {
        super(scope, id);
        Code code = Code.fromAsset(jar.toString());
        String keyArn = storage.key().getKeyArn();
        String tableArn = storage.table().getTableArn();
        // The state machine's ARN from its fixed name: the finish step starts follow-up runs, and the
        // state machine invokes that step, so a reference to the resource would be a cycle.
        String stateMachineArn = Policies.arn("states", "stateMachine:" + cfg.prefix() + "-" + WORKFLOW);
        List<String> tableActions = List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                "dynamodb:DeleteItem", "dynamodb:Query");
        PolicyStatement table = Policies.allow(tableActions, List.of(tableArn));
        PolicyStatement kms = Policies.kmsTableAndObjects(keyArn);
        PolicyStatement startRun = Policies.allow(List.of("states:StartExecution"), List.of(stateMachineArn));
        // The run lock asks whether its holder's execution still runs before taking it over.
        PolicyStatement describeRuns = Policies.allow(List.of("states:DescribeExecution"),
                List.of(Policies.arn("states", "execution:" + cfg.prefix() + "-" + WORKFLOW + ":*")));
        // A queued request replaced by a newer one of its dataset is told on the runs' notification topic.
        String notifyTopic = messaging.notifications().getTopicArn();
        PolicyStatement notifyReplaced = Policies.allow(List.of("sns:Publish"), List.of(notifyTopic));
        String labelled = storage.drop().arnForObjects(Storage.LABELLED_PREFIX + "*");
        String table_ = storage.table().getTableName();

        // One model family for the whole stack: ingest mounts the same MODEL#<name>/CURRENT these steps write.
        String model = JobFunctions.MODEL_NAME;
        // ValidateDataset also plans the training: a warm start reads the production pointer.
        step("ValidateDataset", "ValidateDatasetHandler", cfg, code, 2048, Duration.seconds(840),
                Map.of("TABLE_NAME", table_, "ARTIFACTS_BUCKET", storage.artifacts().getBucketName(), "MODEL_NAME", model),
                List.of(table, kms,
                        Policies.allow(List.of("s3:ListBucket"), List.of(storage.drop().getBucketArn())),
                        Policies.allow(List.of("s3:GetObject"), List.of(labelled)),
                        Policies.allow(List.of("s3:GetObject", "s3:PutObject"),
                                List.of(storage.artifacts().arnForObjects("*")))));
        step("ScoreModel", "ScoreModelHandler", cfg, code, 2048, Duration.seconds(540),
                Map.of("TABLE_NAME", table_, "MODEL_NAME", model),
                List.of(table, kms, Policies.allow(List.of("s3:GetObject"), List.of(
                        storage.artifacts().arnForObjects("*"), storage.results().arnForObjects("*"), labelled))));
        step("Gate", "GateHandler", cfg, code, 1024, Duration.seconds(50),
                Map.of("TABLE_NAME", table_, "MODEL_NAME", model, "GATE_MIN_HOTA", Double.toString(cfg.gateMinHota()),
                        "GATE_MIN_IDF1", Double.toString(cfg.gateMinIdf1()), "GATE_MIN_MOTA", Double.toString(cfg.gateMinMota())),
                List.of(table, kms));
        step("FinishRun", "FinishRunHandler", cfg, code, 1024, Duration.seconds(100),
                Map.of("TABLE_NAME", table_, "MODEL_NAME", model, "ENDPOINT_NAME", ml.framesEndpointName(),
                        "STATE_MACHINE_ARN", stateMachineArn),
                List.of(table, kms, startRun, describeRuns));

        JobFunctions.JavaFunction trigger = add("LabelledData", JobFunctions.javaFunction(this, "LabelledData",
                PACKAGE + "LabelledDataHandler", cfg, code, 1024, TRIGGER_TIMEOUT,
                Map.of("TABLE_NAME", table_, "STATE_MACHINE_ARN", stateMachineArn, "NOTIFY_TOPIC_ARN", notifyTopic),
                List.of(table, kms, startRun, describeRuns, notifyReplaced, Policies.allow(List.of("s3:GetObject"), List.of(labelled)))));
        trigger.alias().addEventSource(SqsEventSource.Builder.create(messaging.labelled().queue())
                .batchSize(10).reportBatchItemFailures(true).build());

        JobFunctions.JavaFunction manual = add("RetrainingApi", JobFunctions.javaFunction(this, "RetrainingApi",
                PACKAGE + "RetrainingApiHandler", cfg, code, 1024, Duration.seconds(25),
                Map.of("TABLE_NAME", table_, "STATE_MACHINE_ARN", stateMachineArn, "MODEL_NAME", model,
                        "LABELLED_BUCKET", storage.drop().getBucketName(),
                        "ARTIFACTS_BUCKET", storage.artifacts().getBucketName(), "NOTIFY_TOPIC_ARN", notifyTopic),
                // model imports: HeadObject of s3://<artifacts>/models/... (their version names the run)
                List.of(table, kms, startRun, describeRuns, notifyReplaced, Policies.allow(List.of("s3:GetObject"), List.of(labelled,
                        storage.artifacts().arnForObjects(IMPORT_PREFIX + "*"))))));
        HttpLambdaIntegration integration = new HttpLambdaIntegration("RetrainingIntegration", manual.alias());
        api.addRoutes(AddRoutesOptions.builder().path("/retraining").methods(List.of(HttpMethod.POST))
                .integration(integration).build());
        // the console's reads: a dataset's runs, the model registry
        for (String read : READ_ROUTES) {
            api.addRoutes(AddRoutesOptions.builder().path(read).methods(List.of(HttpMethod.GET))
                    .integration(integration).build());
        }
        // Operators: who holds the run lock, and its release (IAM API only; the console does not offer it).
        api.addRoutes(AddRoutesOptions.builder().path("/retraining/lock").methods(List.of(HttpMethod.GET, HttpMethod.DELETE))
                .integration(integration).build());
    }

    private void step(String id, String handler, MotflowConfig cfg, Code code, int memoryMb, Duration timeout,
                      Map<String, String> env, List<PolicyStatement> access) {
        JobFunctions.JavaFunction f = add(id, JobFunctions.javaFunction(this, id, PACKAGE + handler, cfg, code,
                memoryMb, timeout, env, access));
        // The state machine invokes the alias (SnapStart applies to published versions only).
        substitutions.put(id + "FunctionArn", f.alias().getFunctionArn());
    }

    private JobFunctions.JavaFunction add(String id, JobFunctions.JavaFunction f) {
        functions.put(id, f);
        return f;
    }

    /** ValidateDatasetFunctionArn, ScoreModelFunctionArn, GateFunctionArn, FinishRunFunctionArn. */
    public Map<String, String> substitutions() {
        return Map.copyOf(substitutions);
    }

    public Map<String, JobFunctions.JavaFunction> functions() {
        return Map.copyOf(functions);
    }
}
