package dev.motflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;

/** cdk-nag's AwsSolutions pack on every stack: nothing unsuppressed, and few, reasoned suppressions. */
class NagChecksTest {
    private final Synthesized synth = Synthesized.get();

    @Test
    void everyStackHasNoUnsuppressedErrorOrWarning() {
        List<CloudFormationStackArtifact> stacks = synth.assembly.getStacks();
        assertFalse(stacks.isEmpty());
        List<String> findings = new ArrayList<>();
        for (CloudFormationStackArtifact stack : stacks) {
            stack.getMessages().forEach(m -> {
                String level = m.getLevel().toString().toLowerCase();
                if (level.equals("error") || level.equals("warning")) {
                    findings.add(stack.getStackName() + " " + m.getId() + ": " + m.getEntry().getData());
                }
            });
        }
        assertEquals(List.of(), findings);
    }

    @Test
    void cdkNagRanOnTheStack() {
        // The NagReport proves the pack looked at the resources (a missing Aspect would pass silently).
        List<String> reports = new ArrayList<>();
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(synth.assembly.getDirectory()))) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("AwsSolutions-")).forEach(reports::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(List.of("AwsSolutions-" + synth.stack.getStackName() + "-NagReport.csv"), reports);
    }

    @Test
    void suppressionsAreFewAndEachHasAReason() {
        Set<String> rules = new TreeSet<>();
        synth.template.get("Resources").forEach(r -> collect(r.path("Metadata").path("cdk_nag"), rules));
        collect(synth.template.path("Metadata").path("cdk_nag"), rules);
        assertEquals(Set.of("AwsSolutions-IAM5", "AwsSolutions-L1", "AwsSolutions-SQS3", "AwsSolutions-CFR1",
                        "AwsSolutions-CFR2", "AwsSolutions-CFR4", "AwsSolutions-SMG4"), rules,
                "a new cdk-nag suppression must be reviewed: add it here and to the README's list");
    }

    private static void collect(JsonNode nag, Set<String> rules) {
        nag.path("rules_to_suppress").forEach(s -> {
            assertTrue(s.path("reason").asText().length() >= 40, "suppression without a real reason: " + s);
            rules.add(s.path("id").asText());
        });
    }
}
