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
import software.amazon.awscdk.services.lambda.Code;
import software.constructs.Construct;

/**
 * Live-frame tracking of functions/streams: one Lambda behind the stream routes of the HTTP API,
 * calling the real-time frames endpoint and keeping tracker state in the table (docs/handlers.md).
 */
public final class StreamFunctions extends Construct {
    public static final String HANDLER = "dev.motflow.streams.handler.StreamApiHandler";

    private final JobFunctions.JavaFunction function;

    public StreamFunctions(Construct scope, String id, MotflowConfig cfg, Path jar, Storage storage, Ml ml,
                           HttpApi api) {
        super(scope, id);
        Map<String, String> env = new LinkedHashMap<>(Map.of("TABLE_NAME", storage.table().getTableName(),
                "REALTIME_ENDPOINT_NAME", ml.framesEndpointName()));
        // The same admins as the jobs API: they see and reset every stream.
        env.putAll(cfg.adminEnvironment());
        // 15 s: one model call (5 s attempt timeout, one retry) plus the state read/write.
        function = JobFunctions.javaFunction(this, "StreamApi", HANDLER, cfg, Code.fromAsset(jar.toString()), 1024,
                Duration.seconds(15), env,
                List.of(
                        // The state item (Get/Put/Delete), the list entries (Update/Delete), a list's states
                        // (BatchGetItem) and the list itself (Query on gsi1).
                        Policies.allow(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem",
                                "dynamodb:UpdateItem", "dynamodb:BatchGetItem"), List.of(storage.table().getTableArn())),
                        Policies.allow(List.of("dynamodb:Query"),
                                List.of(storage.table().getTableArn() + "/index/" + Storage.GSI1)),
                        Policies.allow(List.of("sagemaker:InvokeEndpoint"), List.of(ml.framesEndpointArn())),
                        Policies.kmsTableAndObjects(storage.key().getKeyArn())));
        HttpLambdaIntegration integration = new HttpLambdaIntegration("StreamIntegration", function.alias());
        api.addRoutes(AddRoutesOptions.builder().path("/streams")
                .methods(List.of(HttpMethod.GET)).integration(integration).build());
        api.addRoutes(AddRoutesOptions.builder().path("/streams/{streamId}/frames")
                .methods(List.of(HttpMethod.POST)).integration(integration).build());
        api.addRoutes(AddRoutesOptions.builder().path("/streams/{streamId}")
                .methods(List.of(HttpMethod.GET, HttpMethod.DELETE)).integration(integration).build());
    }

    public JobFunctions.JavaFunction function() {
        return function;
    }
}
