package dev.motflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The contract with functions/ (docs/handlers.md): every handler the template names exists with a
 * handleRequest method, and every function gets only environment variables documented for it (and,
 * for the job handlers, every required one).
 */
class HandlerContractTest {
    /** A row of an environment table: the variable, who uses it, and whether it is optional. */
    private record EnvVar(String name, Set<String> usedBy, boolean optional) {
    }

    /** A handler's section of docs/handlers.md and the "used by" name it answers to there. */
    private record Contract(String section, String role) {
    }

    private static final Map<String, Contract> CONTRACTS = Map.ofEntries(
            Map.entry("dev.motflow.jobs.handler.IngestHandler", new Contract("## Environment variables", "ingest")),
            Map.entry("dev.motflow.jobs.handler.AsyncCompletionHandler",
                    new Contract("## Environment variables", "completion")),
            // Processing job events run the same completion service as the async path.
            Map.entry("dev.motflow.jobs.handler.ProcessingJobEventHandler",
                    new Contract("## Environment variables", "completion")),
            Map.entry("dev.motflow.jobs.handler.ApiHandler", new Contract("## Environment variables", "API")),
            Map.entry("dev.motflow.jobs.handler.ReconcilerHandler", new Contract("## Environment variables", "reconciler")),
            Map.entry("dev.motflow.retraining.handler.ValidateDatasetHandler",
                    new Contract("## Retraining handlers", "validate")),
            Map.entry("dev.motflow.retraining.handler.ScoreModelHandler",
                    new Contract("## Retraining handlers", "score")),
            Map.entry("dev.motflow.retraining.handler.GateHandler", new Contract("## Retraining handlers", "gate")),
            Map.entry("dev.motflow.retraining.handler.FinishRunHandler",
                    new Contract("## Retraining handlers", "finish-run")),
            Map.entry("dev.motflow.retraining.handler.LabelledDataHandler",
                    new Contract("## Retraining handlers", "labelled-data")),
            Map.entry("dev.motflow.retraining.handler.RetrainingApiHandler",
                    new Contract("## Retraining handlers", "API")),
            // The stream table has no "used by" column: every row is the stream handler's.
            Map.entry(StreamFunctions.HANDLER, new Contract("## Stream tracking", "all")));

    private final Synthesized synth = Synthesized.get();

    /** The environment table(s) of one section of docs/handlers.md. */
    private Map<String, EnvVar> documentedEnvironment(String heading) throws IOException {
        String doc = Files.readString(synth.repoRoot.resolve("docs/handlers.md"));
        int at = doc.indexOf("\n" + heading);
        assertTrue(at >= 0, "docs/handlers.md has no section " + heading);
        String section = doc.substring(at + 1);
        int next = section.indexOf("\n## ", 3);
        section = next > 0 ? section.substring(0, next) : section;
        Pattern row3 = Pattern.compile("^\\| `([A-Z][A-Z0-9_]+)` \\| ([^|]+) \\| ([^|]+) \\|$", Pattern.MULTILINE);
        Pattern row2 = Pattern.compile("^\\| `([A-Z][A-Z0-9_]+)` \\| ([^|]+) \\|$", Pattern.MULTILINE);
        Map<String, EnvVar> out = new LinkedHashMap<>();
        Matcher m = row3.matcher(section);
        while (m.find()) {
            Set<String> usedBy = new TreeSet<>(Arrays.stream(m.group(2).split(","))
                    .map(s -> s.trim().startsWith("all") ? "all" : s.trim()).toList());
            out.put(m.group(1), new EnvVar(m.group(1), usedBy, isOptional(m.group(3))));
        }
        m = row2.matcher(section);
        while (m.find()) {
            out.put(m.group(1), new EnvVar(m.group(1), Set.of("all"), isOptional(m.group(2))));
        }
        assertTrue(out.containsKey("TABLE_NAME"), heading + ": could not read the table of " + out.keySet());
        return out;
    }

    private static final Pattern DEFAULT_VALUE = Pattern.compile("\\((`|[0-9]|default)");

    /** "optional: ..." or a documented default, "(`value`)", "(900)", "(default ...)", means the code copes without it. */
    private static boolean isOptional(String meaning) {
        String t = meaning.trim();
        return t.startsWith("optional") || DEFAULT_VALUE.matcher(t).find();
    }

    @Test
    void everyHandlerInTheTemplateLoadsAndHasHandleRequest() throws Exception {
        Map<String, JsonNode> functions = synth.resources("AWS::Lambda::Function");
        assertFalse(functions.isEmpty());
        for (Map.Entry<String, JsonNode> f : functions.entrySet()) {
            if (!isJava(f.getValue())) {
                continue; // CDK's console BucketDeployment handler (TemplateTest allows only that one)
            }
            String handler = f.getValue().path("Properties").path("Handler").asText();
            String[] parts = handler.split("::");
            assertEquals(2, parts.length, f.getKey() + ": " + handler);
            // initialize=false: the static state of a handler reads the Lambda environment.
            Class<?> type = Class.forName(parts[0], false, getClass().getClassLoader());
            // RequestHandler: (input, Context); RequestStreamHandler: (InputStream, OutputStream, Context).
            List<Method> methods = Arrays.stream(type.getMethods()).filter(m -> m.getName().equals(parts[1])
                    && (m.getParameterCount() == 2 || m.getParameterCount() == 3) && !m.isBridge()).toList();
            assertEquals(1, methods.size(), handler + " needs one public handleRequest(input, Context) or"
                    + " handleRequest(InputStream, OutputStream, Context)");
            Class<?>[] params = methods.get(0).getParameterTypes();
            assertEquals("com.amazonaws.services.lambda.runtime.Context", params[params.length - 1].getName(), handler);
            if (params.length == 3) {
                assertEquals(List.of(java.io.InputStream.class, java.io.OutputStream.class),
                        List.of(params[0], params[1]), handler);
            }
            assertTrue(Arrays.stream(type.getConstructors()).anyMatch(c -> c.getParameterCount() == 0),
                    handler + " needs a public no-argument constructor for Lambda");
        }
    }

    @Test
    void everyFunctionGetsOnlyItsDocumentedEnvironment() throws Exception {
        Set<String> seen = new TreeSet<>();
        for (JsonNode f : synth.resources("AWS::Lambda::Function").values()) {
            if (!isJava(f)) {
                continue;
            }
            JsonNode p = f.path("Properties");
            String handlerClass = p.path("Handler").asText().replaceAll("::.*", "");
            Contract contract = CONTRACTS.get(handlerClass);
            assertTrue(contract != null, "no contract for " + handlerClass + " in this test's table");
            seen.add(handlerClass);
            Map<String, EnvVar> documented = documentedEnvironment(contract.section());
            Set<String> given = new TreeSet<>();
            p.path("Environment").path("Variables").fieldNames().forEachRemaining(given::add);
            for (String name : given) {
                EnvVar v = documented.get(name);
                assertTrue(v != null, handlerClass + " gets " + name + ", which docs/handlers.md ("
                        + contract.section() + ") does not name");
                assertTrue(v.usedBy().contains("all") || v.usedBy().contains(contract.role()),
                        handlerClass + " gets " + name + ", documented only for " + v.usedBy());
            }
            Set<String> required = new TreeSet<>();
            documented.values().stream()
                    .filter(v -> !v.optional() && (v.usedBy().contains("all") || v.usedBy().contains(contract.role())))
                    .forEach(v -> required.add(v.name()));
            assertTrue(given.containsAll(required), handlerClass + " misses " + diff(required, given));
        }
        assertEquals(CONTRACTS.keySet(), seen, "every documented handler is deployed");
    }

    private static boolean isJava(JsonNode function) {
        return function.path("Properties").path("Runtime").asText().startsWith("java");
    }

    private static Set<String> diff(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }
}
