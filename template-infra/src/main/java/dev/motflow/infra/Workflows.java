package dev.motflow.infra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * Every statemachines/*.asl.json as a Step Functions state machine: the definition inlined with its
 * substitutions, logging (ALL) and X-Ray on, and a role derived from the service integrations the
 * definition actually calls.
 */
public final class Workflows extends Construct {
    private static final Pattern TOPIC_ARN = Pattern.compile("\"TopicArn\"\\s*:\\s*\"\\$\\{([A-Za-z0-9_]+)}\"");
    private final Map<String, StateMachine> stateMachines = new LinkedHashMap<>();

    /**
     * @param substitutions every value the stack can supply; each definition gets the ones it uses. The
     *                      {@code ${...RoleArn}} ones are the roles it may hand to SageMaker (iam:PassRole)
     * @param keyArn        KMS key of encrypted topics/queues the definitions publish to
     */
    public Workflows(Construct scope, String id, MotflowConfig cfg, Path dir, Map<String, String> substitutions,
                     String keyArn) {
        super(scope, id);
        for (AslDefinition asl : AslDefinition.readAll(dir)) {
            if (!asl.missing(substitutions).isEmpty()) {
                throw new IllegalStateException("statemachines/" + asl.path().getFileName() + " uses "
                        + asl.missing(substitutions).stream().map(k -> "${" + k + "}").toList()
                        + " which the CDK app does not supply. Add the values to MotflowStack.substitutions()"
                        + " (template-infra/src/main/java/dev/motflow/infra/MotflowStack.java).");
            }
            Map<String, String> used = new TreeMap<>();
            asl.placeholders().forEach(k -> used.put(k, substitutions.get(k)));

            Role role = Role.Builder.create(this, asl.name() + "Role")
                    .description("motflow state machine " + asl.name())
                    .assumedBy(new ServicePrincipal("states.amazonaws.com"))
                    .build();
            for (PolicyStatement s : integrationPolicies(asl, used, keyArn)) {
                role.addToPolicy(s);
            }
            LogGroup logs = LogGroup.Builder.create(this, asl.name() + "Logs")
                    .logGroupName("/aws/vendedlogs/states/" + cfg.prefix() + "-" + asl.name())
                    .retention(JobFunctions.retention(cfg.logRetentionDays()))
                    .removalPolicy(RemovalPolicy.DESTROY)
                    .build();
            StateMachine sm = StateMachine.Builder.create(this, asl.name())
                    .stateMachineName(cfg.prefix() + "-" + asl.name())
                    .definitionBody(DefinitionBody.fromString(asl.text()))
                    .definitionSubstitutions(used)
                    .role(role)
                    .tracingEnabled(true)
                    .logs(LogOptions.builder().destination(logs).level(LogLevel.ALL).includeExecutionData(true).build())
                    .build();
            stateMachines.put(asl.name(), sm);
        }
    }

    /**
     * The IAM statements for the integrations a definition uses. An integration without a mapping
     * fails synth: the role must never be broader than what the definition calls.
     */
    static List<PolicyStatement> integrationPolicies(AslDefinition asl, Map<String, String> used, String keyArn) {
        List<PolicyStatement> out = new ArrayList<>();
        boolean passesRole = false;
        for (String integration : asl.integrations()) {
            boolean sync = integration.endsWith(".sync");
            String call = sync ? integration.substring(0, integration.length() - ".sync".length()) : integration;
            switch (call) {
                case "lambda:invoke" -> out.add(Policies.allow(List.of("lambda:InvokeFunction"),
                        valuesOf(used, "FunctionArn", asl, call)));
                case "sns:publish" -> {
                    // Only the topics a Task publishes to: other topic ARNs (e.g. the async endpoint's
                    // notification topics in an endpoint config) are data, not targets.
                    out.add(Policies.allow(List.of("sns:Publish"), publishedTopics(asl, used)));
                    out.add(Policies.kmsUse(keyArn));
                }
                case "sagemaker:createTrainingJob" -> {
                    passesRole = true;
                    out.add(sageMaker("training-job/*", List.of("sagemaker:CreateTrainingJob", "sagemaker:AddTags")));
                    if (sync) {
                        out.add(sageMaker("training-job/*",
                                List.of("sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob", "sagemaker:ListTags")));
                        out.add(syncRule("StepFunctionsGetEventsForSageMakerTrainingJobsRule"));
                    }
                }
                case "sagemaker:createHyperParameterTuningJob" -> {
                    passesRole = true;
                    out.add(sageMaker("hyper-parameter-tuning-job/*",
                            List.of("sagemaker:CreateHyperParameterTuningJob", "sagemaker:AddTags")));
                    if (sync) {
                        out.add(sageMaker("hyper-parameter-tuning-job/*", List.of(
                                "sagemaker:DescribeHyperParameterTuningJob", "sagemaker:StopHyperParameterTuningJob",
                                "sagemaker:ListTrainingJobsForHyperParameterTuningJob", "sagemaker:ListTags")));
                        out.add(syncRule("StepFunctionsGetEventsForSageMakerTuningJobsRule"));
                    }
                }
                case "sagemaker:createProcessingJob" -> {
                    passesRole = true;
                    out.add(sageMaker("processing-job/*",
                            List.of("sagemaker:CreateProcessingJob", "sagemaker:AddTags")));
                    if (sync) {
                        out.add(sageMaker("processing-job/*",
                                List.of("sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob", "sagemaker:ListTags")));
                        out.add(syncRule("StepFunctionsGetEventsForSageMakerProcessingJobsRule"));
                    }
                }
                case "sagemaker:createModel" -> {
                    passesRole = true;
                    out.add(sageMaker("model/*", List.of("sagemaker:CreateModel", "sagemaker:AddTags")));
                }
                case "sagemaker:createEndpointConfig" -> out.add(sageMaker("endpoint-config/*",
                        List.of("sagemaker:CreateEndpointConfig", "sagemaker:AddTags")));
                case "sagemaker:createEndpoint", "sagemaker:updateEndpoint" -> out.add(Policies.allow(
                        List.of(call.equals("sagemaker:createEndpoint") ? "sagemaker:CreateEndpoint"
                                : "sagemaker:UpdateEndpoint", "sagemaker:AddTags"),
                        withEndpointConfigs(endpointArns(used))));
                case "aws-sdk:sagemaker:describeEndpoint" -> out.add(Policies.allow(
                        List.of("sagemaker:DescribeEndpoint"), endpointArns(used)));
                case "aws-sdk:sagemaker:describeTrainingJob" -> out.add(sageMaker("training-job/*",
                        List.of("sagemaker:DescribeTrainingJob")));
                default -> throw new IllegalStateException("statemachines/" + asl.path().getFileName()
                        + " calls " + integration + ", which Workflows.integrationPolicies has no IAM mapping for:"
                        + " add one (least privilege) in template-infra");
            }
        }
        if (passesRole) {
            // Exactly the roles the definition names (${...RoleArn}), and only to SageMaker.
            out.add(Policies.allow(List.of("iam:PassRole"), valuesOf(used, "RoleArn", asl, "iam:PassRole"),
                    Map.of("StringEquals", Map.of("iam:PassedToService", "sagemaker.amazonaws.com"))));
        }
        return out;
    }

    private static List<String> valuesOf(Map<String, String> used, String suffix, AslDefinition asl, String call) {
        List<String> values = used.entrySet().stream().filter(e -> e.getKey().endsWith(suffix))
                .map(Map.Entry::getValue).toList();
        if (values.isEmpty()) {
            throw new IllegalStateException("statemachines/" + asl.path().getFileName() + " calls " + call
                    + " but names no ${...}" + suffix + " substitution: targets must come from the CDK app");
        }
        return values;
    }

    /** The endpoints a definition names (every {@code ${...EndpointName}}), or all when it names none. */
    private static List<String> endpointArns(Map<String, String> used) {
        List<String> arns = used.entrySet().stream().filter(e -> e.getKey().endsWith("EndpointName"))
                .map(e -> Policies.sageMakerArn("endpoint/" + e.getValue().toLowerCase(java.util.Locale.ROOT))).toList();
        return arns.isEmpty() ? List.of(Policies.sageMakerArn("endpoint/*")) : arns;
    }

    private static List<String> withEndpointConfigs(List<String> endpoints) {
        List<String> out = new ArrayList<>(endpoints);
        out.add(Policies.sageMakerArn("endpoint-config/*"));
        return out;
    }

    /** Values of the {@code ${...}} placeholders that sns:publish Tasks name as their TopicArn. */
    private static List<String> publishedTopics(AslDefinition asl, Map<String, String> used) {
        Matcher m = TOPIC_ARN.matcher(asl.text());
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        List<String> values = names.stream().map(used::get).filter(java.util.Objects::nonNull).toList();
        if (values.isEmpty()) {
            throw new IllegalStateException("statemachines/" + asl.path().getFileName() + " calls sns:publish"
                    + " but names no \"TopicArn\": \"${...}\" substitution: targets must come from the CDK app");
        }
        return values;
    }

    private static PolicyStatement sageMaker(String resource, List<String> actions) {
        return Policies.allow(actions, List.of(Policies.sageMakerArn(resource)));
    }

    /** The managed EventBridge rule through which Step Functions waits for a .sync SageMaker job. */
    private static PolicyStatement syncRule(String ruleName) {
        return Policies.allow(List.of("events:PutTargets", "events:PutRule", "events:DescribeRule"),
                List.of(Policies.arn("events", "rule/" + ruleName)));
    }

    public Map<String, StateMachine> stateMachines() {
        return Map.copyOf(stateMachines);
    }
}
