package dev.motflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The scheduled job reconciler: its schedule, its environment (the ingest's) and its least-privilege grants. */
class ReconcilerTemplateTest {
    private final Synthesized synth = Synthesized.get();

    private Map.Entry<String, JsonNode> function(String handler) {
        return synth.resources("AWS::Lambda::Function").entrySet().stream()
                .filter(f -> f.getValue().path("Properties").path("Handler").asText()
                        .equals(JobFunctions.JOBS_PACKAGE + handler + "::handleRequest"))
                .findFirst().orElseThrow(() -> new AssertionError("no function runs " + handler));
    }

    @Test
    void aScheduleRuleInvokesTheReconcilerAliasEveryFiveMinutes() {
        String fnId = function("ReconcilerHandler").getKey();
        String aliasId = synth.resources("AWS::Lambda::Alias").entrySet().stream()
                .filter(a -> a.getValue().path("Properties").path("FunctionName").path("Ref").asText().equals(fnId))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        List<JsonNode> rules = new ArrayList<>();
        synth.resources("AWS::Events::Rule").values().forEach(r -> r.path("Properties").path("Targets").forEach(t -> {
            if (t.path("Arn").path("Ref").asText().equals(aliasId)) {
                rules.add(r.path("Properties"));
            }
        }));
        assertEquals(1, rules.size(), "one rule targets the reconciler");
        assertEquals("rate(5 minutes)", rules.get(0).path("ScheduleExpression").asText());
        assertEquals(0, rules.get(0).path("Targets").path(0).path("RetryPolicy").path("MaximumRetryAttempts").asInt(-1));
    }

    @Test
    void theReconcilerGetsTheIngestsEnvironmentAndTheDropBucket() {
        JsonNode mine = function("ReconcilerHandler").getValue().path("Properties").path("Environment").path("Variables");
        JsonNode ingest = function("IngestHandler").getValue().path("Properties").path("Environment").path("Variables");
        ingest.fieldNames().forEachRemaining(name ->
                assertEquals(ingest.get(name), mine.get(name), name + " differs from the ingest's"));
        assertTrue(mine.has("DROP_BUCKET"));
    }

    @Test
    void theReconcilerRoleHasExactlyTheActionsItUses() {
        String roleId = function("ReconcilerHandler").getValue().path("Properties").path("Role").path("Fn::GetAtt").path(0)
                .asText();
        Set<String> actions = new TreeSet<>();
        synth.resources("AWS::IAM::Policy").values().forEach(p -> {
            boolean attached = false;
            for (JsonNode r : p.path("Properties").path("Roles")) {
                attached |= r.path("Ref").asText().equals(roleId);
            }
            if (attached) {
                p.path("Properties").path("PolicyDocument").path("Statement")
                        .forEach(st -> actions.addAll(Synthesized.strings(st.path("Action"))));
            }
        });
        assertEquals(new TreeSet<>(List.of(
                "dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
                "iam:PassRole", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
                "logs:CreateLogStream", "logs:PutLogEvents",
                "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:PutObject",
                "sagemaker:AddTags", "sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob",
                "sagemaker:InvokeEndpointAsync", "sagemaker:StopProcessingJob",
                "xray:PutTelemetryRecords", "xray:PutTraceSegments")), actions);
    }
}
