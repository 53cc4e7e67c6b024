package dev.motflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/**
 * statemachines/*.asl.json: valid Amazon States Language (npm asl-validator), every ${...} supplied
 * by the app, and the generic loading (substitutions, logging, tracing, integration-scoped role).
 */
class StateMachineFilesTest {
    private static final Path FIXTURES = Path.of("src/test/resources/asl");

    private final Path root = RepoPaths.repoRoot();

    /** Runs asl-validator on one file; returns its exit code, output in the message on failure. */
    private ValidatorRun validate(Path file) throws IOException, InterruptedException {
        Path validator = root.resolve("local/node/node_modules/.bin/asl-validator");
        assertTrue(Files.isExecutable(validator), validator + " missing: run ./motflow setup");
        Process p = new ProcessBuilder(validator.toString(), "--json-path", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "asl-validator hung");
        return new ValidatorRun(p.exitValue(), out);
    }

    private record ValidatorRun(int exitCode, String output) {
    }

    @Test
    void validatorAcceptsAKnownGoodDefinitionAndRejectsABrokenOne() throws Exception {
        ValidatorRun good = validate(FIXTURES.resolve("known-good.asl.json").toAbsolutePath());
        assertEquals(0, good.exitCode(), good.output());
        ValidatorRun bad = validate(FIXTURES.resolve("known-bad.asl.json").toAbsolutePath());
        assertNotEquals(0, bad.exitCode(), "the validator must catch a missing transition target");
        assertTrue(bad.output().contains("MISSING_TRANSITION_TARGET"), bad.output());
    }

    @Test
    void everyStateMachineFileIsValidAsl() throws Exception {
        List<AslDefinition> files = AslDefinition.readAll(RepoPaths.stateMachineDir(root));
        List<String> invalid = new ArrayList<>();
        for (AslDefinition asl : files) { // none yet is fine: the known-good fixture proves the check works
            ValidatorRun run = validate(asl.path());
            if (run.exitCode() != 0) {
                invalid.add(asl.path() + ":\n" + run.output());
            }
        }
        assertEquals(List.of(), invalid);
    }

    @Test
    void everySubstitutionInEveryFileIsSuppliedByTheApp() {
        Map<String, String> supplied = Synthesized.get().stack.suppliedSubstitutions();
        for (AslDefinition asl : AslDefinition.readAll(RepoPaths.stateMachineDir(root))) {
            assertEquals(Set.of(), asl.missing(supplied), asl.path() + " uses substitutions the app does not supply");
        }
        // And the app turned each file into a state machine.
        assertEquals(AslDefinition.readAll(RepoPaths.stateMachineDir(root)).size(),
                Synthesized.get().resources("AWS::StepFunctions::StateMachine").size());
    }

    @Test
    void placeholdersAndIntegrationsAreFound() {
        AslDefinition asl = AslDefinition.read(FIXTURES.resolve("known-good.asl.json"));
        assertEquals("known-good", asl.name());
        assertEquals(new TreeSet<>(Set.of("ScoreFunctionArn", "TrainingRoleArn", "TrainingImageUri",
                "TrainingInstanceType", "NotifyTopicArn")), asl.placeholders());
        assertEquals(new TreeSet<>(Set.of("lambda:invoke", "sagemaker:createTrainingJob.sync", "sns:publish")),
                asl.integrations());
        assertEquals(Set.of("NotifyTopicArn"), asl.missing(Map.of("ScoreFunctionArn", "a", "TrainingRoleArn", "b",
                "TrainingImageUri", "c", "TrainingInstanceType", "d")));
    }

    /** The loader on a fixture directory, in a bare stack (quick; no full app synth). */
    @Test
    void loadedStateMachineHasSubstitutionsLoggingTracingAndAScopedRole() throws Exception {
        Path dir = Files.createTempDirectory("asl");
        Files.copy(FIXTURES.resolve("known-good.asl.json"), dir.resolve("retrain.asl.json"));
        Stack stack = new Stack(new App(), "WorkflowsOnly");
        Map<String, String> subs = Map.of(
                "ScoreFunctionArn", "arn:aws:lambda:eu-west-1:111111111111:function:score:live",
                "TrainingRoleArn", "arn:aws:iam::111111111111:role/sm",
                "TrainingImageUri", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/t:1",
                "TrainingInstanceType", "ml.g5.2xlarge",
                "NotifyTopicArn", "arn:aws:sns:eu-west-1:111111111111:notify",
                "Unused", "not handed to the definition");
        Workflows wf = new Workflows(stack, "Workflows", MotflowConfig.defaults(), dir, subs,
                "arn:aws:kms:eu-west-1:111111111111:key/k");
        assertEquals(Set.of("retrain"), wf.stateMachines().keySet());
        JsonNode t = Synthesized.JSON.readTree(Synthesized.JSON.writeValueAsString(
                Template.fromStack(stack).toJSON()));
        JsonNode sm = null;
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode r : t.get("Resources")) {
            switch (r.path("Type").asText()) {
                case "AWS::StepFunctions::StateMachine" -> sm = r.path("Properties");
                case "AWS::IAM::Policy" -> r.path("Properties").path("PolicyDocument").path("Statement")
                        .forEach(statements::add);
                default -> { }
            }
        }
        assertEquals("motflow-dev-retrain", sm.path("StateMachineName").asText());
        assertEquals("ALL", sm.path("LoggingConfiguration").path("Level").asText());
        assertTrue(sm.path("TracingConfiguration").path("Enabled").asBoolean());
        assertEquals(new TreeSet<>(Set.of("ScoreFunctionArn", "TrainingRoleArn", "TrainingImageUri",
                        "TrainingInstanceType", "NotifyTopicArn")),
                names(sm.path("DefinitionSubstitutions")));

        Set<String> actions = new TreeSet<>();
        for (JsonNode st : statements) {
            List<String> a = Synthesized.strings(st.path("Action"));
            actions.addAll(a);
            List<String> res = Synthesized.strings(st.path("Resource"));
            if (a.contains("lambda:InvokeFunction")) {
                assertEquals(List.of(subs.get("ScoreFunctionArn")), res);
            }
            if (a.contains("sns:Publish")) {
                assertEquals(List.of(subs.get("NotifyTopicArn")), res);
            }
            if (a.contains("iam:PassRole")) {
                assertEquals(List.of(subs.get("TrainingRoleArn")), res);
                assertEquals("sagemaker.amazonaws.com",
                        st.path("Condition").path("StringEquals").path("iam:PassedToService").asText());
            }
        }
        assertTrue(actions.containsAll(Set.of("lambda:InvokeFunction", "sns:Publish", "iam:PassRole",
                "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob",
                "events:PutRule", "events:PutTargets", "events:DescribeRule", "kms:GenerateDataKey")), actions.toString());
        assertTrue(actions.stream().noneMatch(a -> a.startsWith("sagemaker:CreateProcessingJob")
                || a.startsWith("sagemaker:CreateEndpoint") || a.startsWith("sagemaker:CreateModel")),
                "only the integrations the definition calls: " + actions);
    }

    @Test
    void missingSubstitutionOrUnmappedIntegrationFailsSynthWithAClearMessage() throws Exception {
        Path dir = Files.createTempDirectory("asl");
        Files.copy(FIXTURES.resolve("known-good.asl.json"), dir.resolve("retrain.asl.json"));
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> new Workflows(
                new Stack(new App(), "S"), "W", MotflowConfig.defaults(), dir, Map.of("ScoreFunctionArn", "x"),
                "k"));
        assertTrue(missing.getMessage().contains("${NotifyTopicArn}")
                && missing.getMessage().contains("MotflowStack"), missing.getMessage());

        Path dir2 = Files.createTempDirectory("asl");
        Files.writeString(dir2.resolve("x.asl.json"), "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\","
                + "\"Resource\":\"arn:aws:states:::dynamodb:deleteItem\",\"End\":true}}}");
        IllegalStateException unmapped = assertThrows(IllegalStateException.class, () -> new Workflows(
                new Stack(new App(), "S"), "W", MotflowConfig.defaults(), dir2, Map.of(), "k"));
        assertTrue(unmapped.getMessage().contains("dynamodb:deleteItem"), unmapped.getMessage());
    }

    private static Set<String> names(JsonNode object) {
        Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
