package dev.motflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;

/** Assertions on the synthesized template: secure defaults and the wiring the issue asks for. */
class TemplateTest {
    /**
     * Actions that AWS does not allow to scope to a resource ARN, so a "*" resource is what the
     * service requires (X-Ray, ECR auth tokens, CloudWatch PutMetricData, CloudWatch Logs delivery
     * of Step Functions).
     */
    private static final Set<String> RESOURCELESS_ACTIONS = Set.of(
            "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
            "xray:GetSamplingTargets", "ecr:GetAuthorizationToken", "cloudwatch:PutMetricData",
            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups");

    private final Synthesized synth = Synthesized.get();

    @Test
    void everyBucketIsEncryptedPrivateAndTlsOnly() {
        Map<String, JsonNode> buckets = synth.resources("AWS::S3::Bucket");
        assertEquals(6, buckets.size(), "drop, results, artifacts, access logs, console files, CloudFront logs");
        Set<String> tlsOnly = new HashSet<>();
        synth.resources("AWS::S3::BucketPolicy").values().forEach(p -> {
            for (JsonNode st : p.path("Properties").path("PolicyDocument").path("Statement")) {
                if (st.path("Effect").asText().equals("Deny")
                        && st.path("Condition").path("Bool").path("aws:SecureTransport").asText().equals("false")) {
                    tlsOnly.add(p.path("Properties").path("Bucket").path("Ref").asText());
                }
            }
        });
        int kms = 0;
        for (Map.Entry<String, JsonNode> b : buckets.entrySet()) {
            JsonNode props = b.getValue().path("Properties");
            JsonNode sse = props.path("BucketEncryption").path("ServerSideEncryptionConfiguration").path(0)
                    .path("ServerSideEncryptionByDefault").path("SSEAlgorithm");
            assertTrue(Set.of("aws:kms", "AES256").contains(sse.asText()), b.getKey() + " not encrypted");
            kms += sse.asText().equals("aws:kms") ? 1 : 0;
            JsonNode bpa = props.path("PublicAccessBlockConfiguration");
            for (String f : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")) {
                assertTrue(bpa.path(f).asBoolean(), b.getKey() + " " + f);
            }
            assertTrue(tlsOnly.contains(b.getKey()), b.getKey() + " accepts plain HTTP");
            assertFalse(props.path("LifecycleConfiguration").path("Rules").isEmpty(), b.getKey() + " lifecycle");
        }
        // Every data bucket uses the customer key; only the access-log bucket uses SSE-S3 (log delivery needs it).
        assertEquals(3, kms);
    }

    @Test
    void dropBucketLifecycleAndNotificationsFollowTheConfiguration() {
        MotflowConfig cfg = synth.stack.config();
        JsonNode drop = synth.resources("AWS::S3::Bucket").entrySet().stream()
                .filter(e -> e.getKey().startsWith("StorageDrop")).findFirst().orElseThrow().getValue()
                .path("Properties");
        assertEquals("Enabled", drop.path("VersioningConfiguration").path("Status").asText());
        Map<String, JsonNode> rules = new java.util.HashMap<>();
        drop.path("LifecycleConfiguration").path("Rules").forEach(r -> rules.put(r.path("Id").asText(), r));
        assertEquals(cfg.rawUploadRetentionDays(), rules.get("ExpireRawUploads").path("ExpirationInDays").asInt());
        assertEquals(Storage.INCOMING_PREFIX, rules.get("ExpireRawUploads").path("Prefix").asText());
        assertEquals(cfg.abortMultipartUploadDays(), rules.get("AbortIncompleteMultipart")
                .path("AbortIncompleteMultipartUpload").path("DaysAfterInitiation").asInt());
        List<String> prefixes = new ArrayList<>();
        drop.path("NotificationConfiguration").path("QueueConfigurations").forEach(q -> {
            assertEquals("s3:ObjectCreated:*", q.path("Event").asText());
            prefixes.add(q.path("Filter").path("S3Key").path("Rules").path(0).path("Value").asText());
        });
        assertEquals(List.of(Storage.INCOMING_PREFIX, Storage.LABELLED_PREFIX), prefixes);
    }

    @Test
    void checkpointsOfEveryRunExpire() {
        // The lifecycle rule filters by a literal prefix: the run's checkpoint location must start with it.
        MotflowConfig cfg = synth.stack.config();
        JsonNode artifacts = synth.resources("AWS::S3::Bucket").entrySet().stream()
                .filter(e -> e.getKey().startsWith("StorageArtifacts")).findFirst().orElseThrow().getValue()
                .path("Properties");
        JsonNode rule = null;
        for (JsonNode r : artifacts.path("LifecycleConfiguration").path("Rules")) {
            if (r.path("Id").asText().equals("ExpireCheckpoints")) {
                rule = r;
            }
        }
        assertNotNull(rule, "ExpireCheckpoints rule");
        assertEquals(cfg.checkpointRetentionDays(), rule.path("ExpirationInDays").asInt());
        String checkpoint = new dev.motflow.retraining.RunResources("run-7", "people", "bucket").paths()
                .path("checkpoint").asText();
        assertTrue(checkpoint.startsWith("s3://bucket/" + rule.path("Prefix").asText()), checkpoint);
        assertTrue(checkpoint.contains("run-7"), checkpoint);
    }

    @Test
    void tableMirrorsTheDataModel() {
        Map<String, JsonNode> tables = synth.resources("AWS::DynamoDB::Table");
        assertEquals(1, tables.size());
        JsonNode t = tables.values().iterator().next().path("Properties");
        assertEquals("PAY_PER_REQUEST", t.path("BillingMode").asText());
        assertTrue(t.path("SSESpecification").path("SSEEnabled").asBoolean());
        assertEquals("KMS", t.path("SSESpecification").path("SSEType").asText());
        assertTrue(t.path("PointInTimeRecoverySpecification").path("PointInTimeRecoveryEnabled").asBoolean());
        assertEquals("expiresAt", t.path("TimeToLiveSpecification").path("AttributeName").asText());
        assertEquals("[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]",
                t.path("KeySchema").toString());
        JsonNode gsi = t.path("GlobalSecondaryIndexes");
        assertEquals(1, gsi.size());
        assertEquals("gsi1", gsi.path(0).path("IndexName").asText());
        assertEquals("[{\"AttributeName\":\"gsi1pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"gsi1sk\",\"KeyType\":\"RANGE\"}]",
                gsi.path(0).path("KeySchema").toString());
        assertEquals("ALL", gsi.path(0).path("Projection").path("ProjectionType").asText());
        Set<String> attrs = new TreeSet<>();
        t.path("AttributeDefinitions").forEach(a -> {
            assertEquals("S", a.path("AttributeType").asText());
            attrs.add(a.path("AttributeName").asText());
        });
        assertEquals(Set.of("pk", "sk", "gsi1pk", "gsi1sk"), attrs);
    }

    @Test
    void tableKeysAndIndexesAreTheJobsModulesSchema() throws Exception {
        // The Lambdas' own definition of the table (docs/data-model.md), which the local stack and tests create,
        // must match the template.
        var request = dev.motflow.common.store.TableDefinition.createTableRequest("t");
        JsonNode expected = Synthesized.JSON.readTree(Synthesized.JSON.writeValueAsString(Map.of(
                "KeySchema", request.keySchema().stream().map(k -> Map.of("AttributeName", k.attributeName(),
                        "KeyType", k.keyTypeAsString())).toList(),
                "GlobalSecondaryIndexes", request.globalSecondaryIndexes().stream().map(g -> Map.of(
                        "IndexName", g.indexName(),
                        "KeySchema", g.keySchema().stream().map(k -> Map.of("AttributeName", k.attributeName(),
                                "KeyType", k.keyTypeAsString())).toList(),
                        "Projection", Map.of("ProjectionType", g.projection().projectionTypeAsString()))).toList())));
        JsonNode t = synth.resources("AWS::DynamoDB::Table").values().iterator().next().path("Properties");
        assertEquals(expected.get("KeySchema"), t.get("KeySchema"));
        assertEquals(expected.get("GlobalSecondaryIndexes"), t.get("GlobalSecondaryIndexes"));
        Set<String> attrs = new TreeSet<>();
        request.attributeDefinitions().forEach(a -> attrs.add(a.attributeName() + ":" + a.attributeTypeAsString()));
        Set<String> actual = new TreeSet<>();
        t.get("AttributeDefinitions").forEach(a -> actual.add(a.get("AttributeName").asText() + ":"
                + a.get("AttributeType").asText()));
        assertEquals(attrs, actual);
        assertEquals(dev.motflow.table.TableKeys.TTL,
                t.path("TimeToLiveSpecification").path("AttributeName").asText());
    }

    @Test
    void noIamStatementHasWildcardActionsOrWildcardDataResources() {
        List<JsonNode> statements = synth.iamStatements();
        assertTrue(statements.size() > 20);
        for (JsonNode st : statements) {
            List<String> actions = Synthesized.strings(st.path("Action"));
            for (String a : actions) {
                assertFalse(a.equals("*") || a.endsWith(":*") || a.contains("*"), "wildcard action " + a + " in " + st);
            }
            if (Synthesized.strings(st.path("Resource")).contains("*")) {
                for (String a : actions) {
                    assertTrue(RESOURCELESS_ACTIONS.contains(a), "'*' resource for " + a + ": " + st);
                    assertFalse(a.startsWith("s3:") || a.startsWith("dynamodb:") || a.startsWith("kms:"), a);
                }
            }
            assertFalse(st.has("NotAction") || st.has("NotResource"), st.toString());
        }
    }

    @Test
    void pageTokenKeyIsAGeneratedSecretThatOnlyTheApiFunctionMayRead() {
        Map<String, JsonNode> secrets = synth.resources("AWS::SecretsManager::Secret");
        assertEquals(1, secrets.size(), secrets.keySet().toString());
        String secretId = secrets.keySet().iterator().next();
        JsonNode props = secrets.get(secretId).path("Properties");
        assertTrue(props.path("GenerateSecretString").path("PasswordLength").asInt() >= 32, props.toString());
        assertTrue(props.has("KmsKeyId"), "encrypted with the stack's key: " + props);
        assertFalse(props.has("SecretString"), "generated by Secrets Manager, never in the template");

        JsonNode api = synth.resources("AWS::Lambda::Function").values().stream()
                .filter(f -> f.path("Properties").path("Handler").asText().equals(JobFunctions.JOBS_PACKAGE
                        + "ApiHandler::handleRequest")).findFirst().orElseThrow();
        assertEquals("{\"Ref\":\"" + secretId + "\"}",
                api.path("Properties").path("Environment").path("Variables").path("PAGE_TOKEN_SECRET_ARN").toString());
        String apiRole = api.path("Properties").path("Role").path("Fn::GetAtt").path(0).asText();

        // Every statement on the secret: GetSecretValue only, in a policy of the API function's role only.
        int grants = 0;
        for (JsonNode policy : synth.resources("AWS::IAM::Policy").values()) {
            for (JsonNode st : policy.path("Properties").path("PolicyDocument").path("Statement")) {
                if (!st.path("Resource").toString().contains("\"" + secretId + "\"")
                        && Synthesized.strings(st.path("Action")).stream().noneMatch(a -> a.startsWith("secretsmanager:"))) {
                    continue;
                }
                grants++;
                assertEquals(List.of("secretsmanager:GetSecretValue"), Synthesized.strings(st.path("Action")), st.toString());
                assertEquals("[{\"Ref\":\"" + apiRole + "\"}]", policy.path("Properties").path("Roles").toString(),
                        "only the API function reads the page token key: " + st);
            }
        }
        assertEquals(1, grants);
    }

    @Test
    void everyJavaFunctionIsArm64WithSnapStartTracingAndLogRetention() {
        Map<String, JsonNode> functions = synth.resources("AWS::Lambda::Function");
        int java = 0;
        for (Map.Entry<String, JsonNode> f : functions.entrySet()) {
            JsonNode p = f.getValue().path("Properties");
            if (!p.path("Runtime").asText().startsWith("java")) {
                continue;
            }
            java++;
            assertEquals("java21", p.path("Runtime").asText());
            assertEquals("[\"arm64\"]", p.path("Architectures").toString(), f.getKey());
            assertEquals("PublishedVersions", p.path("SnapStart").path("ApplyOn").asText(), f.getKey());
            assertEquals("Active", p.path("TracingConfig").path("Mode").asText(), f.getKey());
            assertTrue(p.path("LoggingConfig").has("LogGroup"), f.getKey() + " writes to an unmanaged log group");
            assertTrue(p.path("MemorySize").asInt() >= 512 && p.path("Timeout").asInt() > 0, f.getKey());
        }
        int expected = synth.stack.javaFunctions().size();
        assertEquals(12, expected, "4 job + reconciler + 6 retraining + 1 stream functions");
        assertEquals(expected, java);
        // The only other function: CDK's BucketDeployment handler that copies the console's files,
        // running under the console's own deployment role (ConsoleTemplateTest checks that role).
        List<String> others = functions.keySet().stream()
                .filter(id -> !functions.get(id).path("Properties").path("Runtime").asText().startsWith("java")).toList();
        assertEquals(1, others.size(), "no helper Lambdas (custom resources) sneaked in: " + others);
        assertTrue(others.get(0).startsWith("CustomCDKBucketDeployment"), others.toString());
        assertTrue(functions.get(others.get(0)).path("Properties").path("Role").toString().contains("ConsoleDeployRole"),
                "the BucketDeployment handler runs under CDK's default role");
        synth.resources("AWS::Logs::LogGroup").forEach((id, lg) ->
                assertTrue(lg.path("Properties").path("RetentionInDays").asInt() > 0, id + " keeps logs forever"));
        // Published versions and one alias per function; the triggers point at the aliases.
        assertEquals(expected, synth.resources("AWS::Lambda::Version").size());
        Map<String, JsonNode> aliases = synth.resources("AWS::Lambda::Alias");
        assertEquals(expected, aliases.size());
        synth.resources("AWS::Lambda::EventSourceMapping").forEach((id, m) -> {
            // CDK writes "<function>:live" derived from the alias's ARN.
            String fn = m.path("Properties").path("FunctionName").toString();
            assertTrue(aliases.keySet().stream().anyMatch(a -> fn.contains("{\"Ref\":\"" + a + "\"}"))
                    && fn.contains(":live"), id + " must target an alias: " + fn);
        });
        synth.resources("AWS::Events::Rule").forEach((id, r) -> r.path("Properties").path("Targets").forEach(t -> {
            JsonNode arn = t.path("Arn");
            if (arn.has("Ref")) {
                assertTrue(aliases.containsKey(arn.path("Ref").asText())
                        || synth.resources("AWS::SNS::Topic").containsKey(arn.path("Ref").asText()), id);
            }
            assertTrue(t.has("DeadLetterConfig"), id + " target without a dead-letter queue");
        }));
    }

    @Test
    void everyQueueHasADeadLetterQueueExceptTheDeadLetterQueues() {
        Map<String, JsonNode> queues = synth.resources("AWS::SQS::Queue");
        Set<String> dlqs = new HashSet<>();
        queues.values().forEach(q -> {
            JsonNode target = q.path("Properties").path("RedrivePolicy").path("deadLetterTargetArn");
            if (!target.isMissingNode()) {
                dlqs.add(target.path("Fn::GetAtt").path(0).asText());
                assertTrue(q.path("Properties").path("RedrivePolicy").path("maxReceiveCount").asInt() >= 1);
            }
        });
        synth.resources("AWS::Events::Rule").values().forEach(r -> r.path("Properties").path("Targets").forEach(t ->
                dlqs.add(t.path("DeadLetterConfig").path("Arn").path("Fn::GetAtt").path(0).asText())));
        assertEquals(7, queues.size(), "ingest, labelled, completion + their DLQs, the EventBridge DLQ");
        for (Map.Entry<String, JsonNode> q : queues.entrySet()) {
            JsonNode p = q.getValue().path("Properties");
            assertTrue(p.has("KmsMasterKeyId"), q.getKey() + " not encrypted with the key");
            assertTrue(dlqs.contains(q.getKey()) || p.has("RedrivePolicy"), q.getKey() + " has no DLQ");
        }
        assertEquals(4, dlqs.size());
    }

    @Test
    void retrainingDeploysToBothEndpointsWithTheStacksAsyncSettingsAndANarrowRole() {
        JsonNode async = synth.resources("AWS::SageMaker::EndpointConfig").values().stream()
                .filter(c -> c.path("Properties").has("AsyncInferenceConfig")).findFirst().orElseThrow()
                .path("Properties").path("AsyncInferenceConfig");
        JsonNode sm = synth.resources("AWS::StepFunctions::StateMachine").values().stream()
                .filter(m -> m.path("Properties").path("StateMachineName").asText().endsWith("-retrain")).findFirst()
                .orElseThrow().path("Properties");
        JsonNode subs = sm.path("DefinitionSubstitutions");
        JsonNode notify = async.path("OutputConfig").path("NotificationConfig");
        assertEquals(notify.path("SuccessTopic"), subs.path("AsyncSuccessTopicArn"));
        assertEquals(notify.path("ErrorTopic"), subs.path("AsyncErrorTopicArn"));
        assertEquals(async.path("OutputConfig").path("S3OutputPath"), subs.path("AsyncOutputS3Uri"));
        assertEquals(async.path("OutputConfig").path("S3FailurePath"), subs.path("AsyncFailureS3Uri"));
        assertEquals(async.path("ClientConfig").path("MaxConcurrentInvocationsPerInstance").asText(),
                subs.path("AsyncMaxConcurrentInvocations").asText());
        assertEquals(synth.stack.config().asyncInstanceType(), subs.path("AsyncInstanceType").asText());
        String frames = synth.stack.ml().framesEndpointName();
        String video = synth.stack.ml().asyncEndpointName();
        assertEquals(video, subs.path("AsyncEndpointName").asText());
        assertEquals(Observability.errorAlarmName(video), subs.path("AsyncEndpointErrorAlarmName").asText());

        String role = sm.path("RoleArn").path("Fn::GetAtt").path(0).asText();
        List<JsonNode> statements = new ArrayList<>();
        synth.resources("AWS::IAM::Policy").values().forEach(p -> {
            if (p.path("Properties").path("Roles").toString().contains("\"" + role + "\"")) {
                p.path("Properties").path("PolicyDocument").path("Statement").forEach(statements::add);
            }
        });
        assertFalse(statements.isEmpty(), "no policy on " + role);
        for (String action : List.of("sagemaker:UpdateEndpoint", "sagemaker:CreateEndpoint", "sagemaker:DescribeEndpoint")) {
            JsonNode st = statements.stream().filter(x -> x.path("Action").toString().contains("\"" + action + "\""))
                    .findFirst().orElseThrow(() -> new AssertionError(action + " not granted"));
            String resources = st.path("Resource").toString();
            assertTrue(resources.contains("endpoint/" + frames + "\"") && resources.contains("endpoint/" + video + "\""),
                    action + ": " + resources);
            assertFalse(resources.contains("endpoint/*"), action + ": " + resources);
        }
        statements.stream().filter(x -> x.path("Action").toString().contains("\"sns:Publish\"")).forEach(st -> {
            assertFalse(st.path("Resource").toString().contains(notify.path("SuccessTopic").path("Ref").asText()),
                    "the workflow never publishes to the async topics: " + st);
            assertFalse(st.path("Resource").toString().contains(notify.path("ErrorTopic").path("Ref").asText()), st.toString());
        });
    }

    @Test
    void adminPrincipalsReachTheJobsAndStreamsApisOnly() {
        String expected = "arn:aws:sts::123456789012:assumed-role/motflow-ops/alice,"
                + "cognito:0f1e2d3c-aaaa-bbbb-cccc-1234567890ab";
        Map<String, String> admins = new java.util.TreeMap<>();
        for (JsonNode f : synth.resources("AWS::Lambda::Function").values()) {
            JsonNode v = f.path("Properties").path("Environment").path("Variables").path("ADMIN_PRINCIPALS");
            if (!v.isMissingNode()) {
                admins.put(f.path("Properties").path("Handler").asText(), v.asText());
            }
        }
        assertEquals(Map.of(JobFunctions.JOBS_PACKAGE + "ApiHandler::handleRequest", expected,
                StreamFunctions.HANDLER + "::handleRequest", expected), admins,
                "the -c adminPrincipals list (blanks trimmed) on the jobs and streams API functions, nowhere else");
    }

    @Test
    void retrainingTrainsOnTheConfiguredInstancesAndGatesOnTheConfiguredFloor() {
        JsonNode subs = synth.resources("AWS::StepFunctions::StateMachine").values().stream()
                .filter(m -> m.path("Properties").path("StateMachineName").asText().endsWith("-retrain")).findFirst()
                .orElseThrow().path("Properties").path("DefinitionSubstitutions");
        assertEquals("ml.g5.2xlarge", subs.path("TrainingInstanceType").asText());
        assertEquals("1", subs.path("TrainingInstanceCount").asText());
        JsonNode gateEnv = synth.resources("AWS::Lambda::Function").values().stream()
                .filter(f -> f.path("Properties").path("Handler").asText().endsWith(".GateHandler::handleRequest"))
                .findFirst().orElseThrow().path("Properties").path("Environment").path("Variables");
        assertEquals(0.30, Double.parseDouble(gateEnv.path("GATE_MIN_HOTA").asText()), 1e-12);
        assertEquals(0.30, Double.parseDouble(gateEnv.path("GATE_MIN_IDF1").asText()), 1e-12);
        assertEquals(0.0, Double.parseDouble(gateEnv.path("GATE_MIN_MOTA").asText()), 1e-12);
    }

    @Test
    void asyncEndpointNotifiesBothTopicsAndScalesToZero() {
        JsonNode async = synth.resources("AWS::SageMaker::EndpointConfig").values().stream()
                .filter(c -> c.path("Properties").has("AsyncInferenceConfig")).findFirst().orElseThrow()
                .path("Properties").path("AsyncInferenceConfig");
        JsonNode notify = async.path("OutputConfig").path("NotificationConfig");
        Set<String> topics = synth.resources("AWS::SNS::Topic").keySet();
        String success = notify.path("SuccessTopic").path("Ref").asText();
        String error = notify.path("ErrorTopic").path("Ref").asText();
        assertTrue(topics.contains(success) && topics.contains(error) && !success.equals(error), notify.toString());
        assertTrue(async.path("OutputConfig").path("S3OutputPath").toString().contains(Storage.ASYNC_OUTPUT_PREFIX));
        assertEquals(synth.stack.config().asyncMaxConcurrentInvocationsPerInstance(),
                async.path("ClientConfig").path("MaxConcurrentInvocationsPerInstance").asInt());

        Map<String, JsonNode> targets = synth.resources("AWS::ApplicationAutoScaling::ScalableTarget");
        assertEquals(1, targets.size());
        JsonNode target = targets.values().iterator().next().path("Properties");
        assertEquals(0, target.path("MinCapacity").asInt());
        assertEquals("endpoint/" + synth.stack.ml().asyncEndpointName() + "/variant/AllTraffic",
                target.path("ResourceId").asText());
        Map<String, JsonNode> policies = synth.resources("AWS::ApplicationAutoScaling::ScalingPolicy");
        String stepPolicy = policies.entrySet().stream()
                .filter(e -> e.getValue().path("Properties").path("PolicyType").asText().equals("StepScaling"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        synth.assertions.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "MetricName", "HasBacklogWithoutCapacity",
                "AlarmActions", List.of(Map.of("Ref", stepPolicy))));
        synth.assertions.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Map.of(
                "PolicyType", "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "CustomizedMetricSpecification", Match.objectLike(Map.of(
                                "MetricName", "ApproximateBacklogSizePerInstance"))))));
        assertEquals(2, synth.resources("AWS::SageMaker::Endpoint").size(), "async video + real-time frames");
    }

    @Test
    void apiRoutesAreIamAuthorizedThrottledAndLogged() {
        String iamApi = synth.resources("AWS::ApiGatewayV2::Api").entrySet().stream()
                .filter(e -> e.getValue().path("Properties").path("Name").asText()
                        .equals(synth.stack.config().prefix() + "-api"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        Set<String> routes = new TreeSet<>();
        synth.resources("AWS::ApiGatewayV2::Route").values().forEach(r -> {
            if (!r.path("Properties").path("ApiId").path("Ref").asText().equals(iamApi)) {
                return; // the console's API (ConsoleTemplateTest)
            }
            routes.add(r.path("Properties").path("RouteKey").asText());
            assertEquals("AWS_IAM", r.path("Properties").path("AuthorizationType").asText(), r.toString());
        });
        assertEquals(Set.of("POST /jobs", "GET /jobs", "GET /jobs/{id}", "GET /jobs/{id}/tracks", "POST /retraining",
                "GET /retraining/runs", "GET /retraining/models", "GET /retraining/lock", "DELETE /retraining/lock",
                "GET /streams", "POST /streams/{streamId}/frames", "GET /streams/{streamId}", "DELETE /streams/{streamId}"),
                routes);
        JsonNode stage = synth.resources("AWS::ApiGatewayV2::Stage").values().stream()
                .filter(st -> st.path("Properties").path("ApiId").path("Ref").asText().equals(iamApi)).findFirst()
                .orElseThrow().path("Properties");
        assertTrue(stage.path("AccessLogSettings").has("DestinationArn"));
        assertEquals(synth.stack.config().apiThrottleRatePerSecond(),
                stage.path("DefaultRouteSettings").path("ThrottlingRateLimit").asInt());
        assertEquals(synth.stack.config().apiThrottleBurst(),
                stage.path("DefaultRouteSettings").path("ThrottlingBurstLimit").asInt());
    }

    @Test
    void alarmsGoToTheAlertTopicAndOneDashboardExists() {
        String alertTopic = synth.resources("AWS::SNS::Topic").keySet().stream()
                .filter(k -> k.startsWith("MessagingAlerts")).findFirst().orElseThrow();
        Set<String> metrics = new TreeSet<>();
        synth.resources("AWS::CloudWatch::Alarm").values().forEach(a -> {
            JsonNode p = a.path("Properties");
            String metric = p.has("MetricName") ? p.path("MetricName").asText()
                    : p.path("Metrics").path(0).path("MetricStat").path("Metric").path("MetricName").asText();
            if (metric.equals("HasBacklogWithoutCapacity")) {
                return; // a scaling trigger, not an alert
            }
            metrics.add(metric);
            assertEquals("[{\"Ref\":\"" + alertTopic + "\"}]", p.path("AlarmActions").toString());
        });
        assertTrue(metrics.containsAll(Set.of("ApproximateNumberOfMessagesVisible", "Errors", "Throttles",
                "Invocation5XXErrors", "ModelLatency")), metrics.toString());
        // One DLQ alarm per dead-letter queue, errors and throttles per function, two per endpoint.
        assertEquals(synth.stack.messaging().deadLetterQueues().size() + 2 * synth.stack.javaFunctions().size()
                + 2 * 2 + 2 * synth.stack.workflows().stateMachines().size(),
                synth.resources("AWS::CloudWatch::Alarm").size() - 1);
        assertEquals(1, synth.resources("AWS::CloudWatch::Dashboard").size());
        // The blue/green rollback alarms the retraining workflow names exist under those names.
        String frames = synth.stack.ml().framesEndpointName();
        synth.assertions.hasResourceProperties("AWS::CloudWatch::Alarm",
                Map.of("AlarmName", Observability.errorAlarmName(frames)));
        synth.assertions.hasResourceProperties("AWS::CloudWatch::Alarm",
                Map.of("AlarmName", Observability.latencyAlarmName(frames)));
    }

    @Test
    void everyTopicIsEncryptedAndTlsOnly() {
        Map<String, JsonNode> topics = synth.resources("AWS::SNS::Topic");
        assertEquals(4, topics.size());
        topics.forEach((id, t) -> assertTrue(t.path("Properties").has("KmsMasterKeyId"), id));
        assertEquals(4, synth.resources("AWS::SNS::TopicPolicy").size(), "enforceSSL policy per topic");
    }
}
