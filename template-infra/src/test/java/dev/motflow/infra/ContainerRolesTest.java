package dev.motflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The SageMaker execution roles in the synthesized template: one per kind of container, each able to
 * write only its own output prefix, and passed to SageMaker only by the callers that start it.
 * The write checks evaluate the roles' S3 statements against concrete object keys (IAM's "*" spans
 * "/"), so a widened resource fails here even if it is spelled differently.
 */
class ContainerRolesTest {
    private static final List<String> ROLES = List.of("Endpoint", "Processing", "Evaluation", "Training");
    private static final Set<String> WRITES = Set.of("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
            "s3:PutObjectAcl", "s3:RestoreObject", "s3:ReplicateObject", "s3:PutObjectTagging");

    /** One object of each kind of output, as "Bucket/key", and the only role that may write it (or none). */
    private static final Map<String, String> OUTPUTS = new LinkedHashMap<>();

    static {
        OUTPUTS.put("Results/async-output/3f2a.out", "Endpoint");
        OUTPUTS.put("Results/async-failure/3f2a-error.out", "Endpoint");
        OUTPUTS.put("Results/processing/job-1/video/tracks.txt", "Processing");
        OUTPUTS.put("Artifacts/retraining/run-7/eval/candidate/seq1.txt", "Evaluation");
        OUTPUTS.put("Artifacts/retraining/run-7/eval/production/seq1.txt", "Evaluation");
        OUTPUTS.put("Artifacts/retraining/run-7/model/motflow-train-a/output/model.tar.gz", "Training");
        OUTPUTS.put("Artifacts/checkpoints/run-7/epoch-3.pt", "Training");
        // Written by Lambdas or operators only: final results, imported/bootstrap models, split manifests,
        // converted datasets, uploads.
        OUTPUTS.put("Results/results/job-1/tracks.txt", null);
        OUTPUTS.put("Artifacts/models/bootstrap/model.tar.gz", null);
        OUTPUTS.put("Artifacts/models/imported-v3/model.tar.gz", null);
        OUTPUTS.put("Artifacts/retraining/run-7/train.manifest", null);
        OUTPUTS.put("Artifacts/retraining/run-7/validation.manifest", null);
        OUTPUTS.put("Artifacts/datasets/people/v1/seq1/gt/gt.txt", null);
        OUTPUTS.put("Drop/incoming/video.mp4", null);
        OUTPUTS.put("Drop/labelled/people/manifest.json", null);
    }

    private final Synthesized synth = Synthesized.get();

    @Test
    void fourContainerRolesEachWritingOnlyItsOwnPrefix() {
        Map<String, List<JsonNode>> roles = containerRoles();
        assertEquals(new TreeSet<>(ROLES), new TreeSet<>(roles.keySet()));
        for (Map.Entry<String, String> out : OUTPUTS.entrySet()) {
            for (String role : ROLES) {
                boolean may = canWrite(roles.get(role), out.getKey());
                assertEquals(role.equals(out.getValue()), may, role + " role "
                        + (may ? "may" : "may not") + " write " + out.getKey());
            }
        }
    }

    @Test
    void noContainerRoleWritesAModelOfAnotherVersionOrAnotherJobsResults() {
        Map<String, List<JsonNode>> roles = containerRoles();
        for (String role : ROLES) {
            // Containers that decode untrusted input (endpoints, processing) and the evaluation jobs
            // write no model at all; training writes only under retraining/<run>/model/.
            assertFalse(canWrite(roles.get(role), "Artifacts/models/bootstrap/model.tar.gz"), role);
            assertFalse(canWrite(roles.get(role), "Results/results/other-job/tracks.txt"), role);
            if (!role.equals("Training")) {
                assertFalse(canWrite(roles.get(role), "Artifacts/retraining/run-1/model/x/output/model.tar.gz"), role);
            }
            // No S3 write action other than PutObject/AbortMultipartUpload, and never on a whole bucket.
            for (JsonNode st : roles.get(role)) {
                for (String action : Synthesized.strings(st.path("Action"))) {
                    if (action.startsWith("s3:") && !action.equals("s3:GetObject") && !action.equals("s3:ListBucket")) {
                        assertTrue(Set.of("s3:PutObject", "s3:AbortMultipartUpload").contains(action), role + ": " + action);
                    }
                }
                if (Synthesized.strings(st.path("Action")).contains("s3:ListBucket")) {
                    assertTrue(st.path("Condition").path("StringLike").has("s3:prefix"),
                            role + " lists a whole bucket: " + st);
                }
            }
        }
    }

    private String roleOfHandler(String handlerSuffix) {
        return synth.resources("AWS::Lambda::Function").values().stream()
                .filter(f -> f.path("Properties").path("Handler").asText().endsWith(handlerSuffix))
                .findFirst().orElseThrow().path("Properties").path("Role").path("Fn::GetAtt").path(0).asText();
    }

    @Test
    void containerRolesArePassedOnlyToSageMakerByTheirStarters() {
        Map<String, String> roleIds = containerRoleIds();
        Map<String, Set<String>> passedBy = new LinkedHashMap<>();
        synth.resources("AWS::IAM::Policy").values().forEach(p -> {
            for (JsonNode st : p.path("Properties").path("PolicyDocument").path("Statement")) {
                if (!Synthesized.strings(st.path("Action")).contains("iam:PassRole")) {
                    continue;
                }
                assertEquals("sagemaker.amazonaws.com",
                        st.path("Condition").path("StringEquals").path("iam:PassedToService").asText(), st.toString());
                Set<String> passed = new TreeSet<>();
                for (JsonNode r : st.path("Resource").isArray() ? st.path("Resource") : List.of(st.path("Resource"))) {
                    String id = r.path("Fn::GetAtt").path(0).asText();
                    String kind = roleIds.entrySet().stream().filter(e -> e.getValue().equals(id))
                            .map(Map.Entry::getKey).findFirst()
                            .orElseThrow(() -> new AssertionError("PassRole on a non-container role: " + r));
                    passed.add(kind);
                }
                String holder = p.path("Properties").path("Roles").path(0).path("Ref").asText();
                passedBy.computeIfAbsent(holder, k -> new TreeSet<>()).addAll(passed);
            }
        });
        String retrain = synth.resources("AWS::StepFunctions::StateMachine").values().stream()
                .filter(m -> m.path("Properties").path("StateMachineName").asText().endsWith("-retrain")).findFirst()
                .orElseThrow().path("Properties").path("RoleArn").path("Fn::GetAtt").path(0).asText();
        String ingest = roleOfHandler(".IngestHandler::handleRequest");
        // the reconciler re-ingests uploads whose event was lost, which may start a processing job
        String reconciler = roleOfHandler(".ReconcilerHandler::handleRequest");
        assertEquals(Map.of(retrain, Set.of("Training", "Evaluation", "Endpoint"), ingest, Set.of("Processing"),
                reconciler, Set.of("Processing")), passedBy);

        JsonNode subs = synth.resources("AWS::StepFunctions::StateMachine").values().stream()
                .filter(m -> m.path("Properties").path("StateMachineName").asText().endsWith("-retrain")).findFirst()
                .orElseThrow().path("Properties").path("DefinitionSubstitutions");
        assertEquals(roleIds.get("Training"), subs.path("TrainingRoleArn").path("Fn::GetAtt").path(0).asText());
        assertEquals(roleIds.get("Evaluation"), subs.path("EvaluationRoleArn").path("Fn::GetAtt").path(0).asText());
        assertEquals(roleIds.get("Endpoint"), subs.path("ModelRoleArn").path("Fn::GetAtt").path(0).asText());
    }

    /** Kind ("Endpoint", ...) -> logical id of the role Ml made for it. */
    private Map<String, String> containerRoleIds() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String id : synth.resources("AWS::IAM::Role").keySet()) {
            for (String kind : ROLES) {
                if (id.startsWith("Ml" + kind + "Role")) {
                    out.put(kind, id);
                }
            }
        }
        return out;
    }

    /** Kind -> every statement of that role (inline policies and attached AWS::IAM::Policy documents). */
    private Map<String, List<JsonNode>> containerRoles() {
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        Map<String, JsonNode> roles = synth.resources("AWS::IAM::Role");
        containerRoleIds().forEach((kind, id) -> {
            List<JsonNode> statements = new ArrayList<>();
            roles.get(id).path("Properties").path("Policies")
                    .forEach(p -> p.path("PolicyDocument").path("Statement").forEach(statements::add));
            synth.resources("AWS::IAM::Policy").values().forEach(p -> {
                if (p.path("Properties").path("Roles").toString().contains("\"" + id + "\"")) {
                    p.path("Properties").path("PolicyDocument").path("Statement").forEach(statements::add);
                }
            });
            assertTrue(roles.get(id).path("Properties").path("AssumeRolePolicyDocument").toString()
                    .contains("sagemaker.amazonaws.com"), id);
            out.put(kind, statements);
        });
        return out;
    }

    /** Whether an Allow statement grants a write action on "Bucket/key" (Bucket: Drop, Results, Artifacts). */
    private static boolean canWrite(List<JsonNode> statements, String object) {
        for (JsonNode st : statements) {
            if (!st.path("Effect").asText().equals("Allow")
                    || Synthesized.strings(st.path("Action")).stream().noneMatch(WRITES::contains)) {
                continue;
            }
            JsonNode resources = st.path("Resource");
            for (JsonNode r : resources.isArray() ? resources : List.of(resources)) {
                String pattern = objectPattern(r);
                if (pattern != null && glob(pattern).matcher(object).matches()) {
                    return true;
                }
                if (r.isTextual() && r.asText().equals("*")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {"Fn::Join": ["", [{"Fn::GetAtt": ["StorageResults...", "Arn"]}, "/prefix/*"]]} -> "Results/prefix/*". */
    private static String objectPattern(JsonNode resource) {
        JsonNode parts = resource.path("Fn::Join").path(1);
        if (parts.size() != 2) {
            return null;
        }
        String bucket = parts.path(0).path("Fn::GetAtt").path(0).asText();
        for (String name : List.of("Drop", "Results", "Artifacts")) {
            if (bucket.startsWith("Storage" + name)) {
                return name + parts.path(1).asText();
            }
        }
        return null;
    }

    /** IAM resource wildcards: "*" is any run of characters (slashes included), "?" one character. */
    private static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            re.append(switch (c) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> Pattern.quote(String.valueOf(c));
            });
        }
        return Pattern.compile(re.toString());
    }
}
