package dev.motflow.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;

/**
 * The app synthesized once per test JVM (synth takes seconds), with cdk-nag applied, shared by the
 * test classes: the stack objects, each stack's template (as JSON and as an assertions Template) and
 * the messages cdk-nag and CDK attached.
 */
final class Synthesized {
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The {@code adminPrincipals} context of the synth (the default is none, which leaves the variable
     * out): an assumed-role session and a console user, with the blanks a command line may add.
     */
    static final String ADMIN_PRINCIPALS_CONTEXT =
            " arn:aws:sts::123456789012:assumed-role/motflow-ops/alice , cognito:0f1e2d3c-aaaa-bbbb-cccc-1234567890ab";
    private static Synthesized instance;

    final Path repoRoot;
    final App app;
    final MotflowStack stack;
    final CloudAssembly assembly;
    final JsonNode template;
    final Template assertions;
    final long synthMillis;

    private Synthesized() throws IOException {
        repoRoot = RepoPaths.repoRoot();
        Path out = Files.createTempDirectory("motflow-cdk-out");
        // The assembly holds copies of the Lambda jars (tens of MB): remove it when the tests end.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(out)));
        long start = System.nanoTime();
        app = MotflowApp.build(repoRoot, out.toString(), Map.of("adminPrincipals", ADMIN_PRINCIPALS_CONTEXT));
        assembly = app.synth();
        synthMillis = (System.nanoTime() - start) / 1_000_000;
        stack = (MotflowStack) app.getNode().getChildren().stream().filter(c -> c instanceof MotflowStack)
                .findFirst().orElseThrow();
        CloudFormationStackArtifact artifact = assembly.getStackByName(stack.getStackName());
        String text = Files.readString(Path.of(assembly.getDirectory()).resolve(artifact.getTemplateFile()));
        template = JSON.readTree(text);
        assertions = Template.fromString(text);
        System.out.printf("motflow synth (tests): %d ms, template %d bytes, %d resources%n", synthMillis,
                text.length(), template.get("Resources").size());
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: it is a temporary directory
        }
    }

    static synchronized Synthesized get() {
        if (instance == null) {
            try {
                instance = new Synthesized();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** Logical id -> resource, for every resource of the given CloudFormation type. */
    Map<String, JsonNode> resources(String type) {
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = template.get("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (type.equals(e.getValue().path("Type").asText())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** Every IAM policy statement in the template: AWS::IAM::Policy documents and roles' inline policies. */
    List<JsonNode> iamStatements() {
        List<JsonNode> out = new ArrayList<>();
        resources("AWS::IAM::Policy").values().forEach(p ->
                p.path("Properties").path("PolicyDocument").path("Statement").forEach(out::add));
        resources("AWS::IAM::Role").values().forEach(r ->
                r.path("Properties").path("Policies").forEach(p ->
                        p.path("PolicyDocument").path("Statement").forEach(out::add)));
        return out;
    }

    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.isTextual() ? n.asText() : n.toString()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            out.add(node.isTextual() ? node.asText() : node.toString());
        }
        return out;
    }
}
