package dev.motflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The contract with functions/ (docs/handlers.md): every handler the template names exists with a
 * handleRequest method, and every function gets exactly the environment variables documented for it.
 */
class HandlerContractTest {
    /** A row of the environment table: the variable, who uses it, and whether it is optional. */
    private record EnvVar(String name, Set<String> usedBy, boolean optional) {
    }

    /** Which "used by" name of docs/handlers.md each handler answers to. */
    private static final Map<String, String> ROLE = Map.of(
            "IngestHandler", "ingest",
            "AsyncCompletionHandler", "completion",
            // Processing job events run the same completion service as the async path.
            "ProcessingJobEventHandler", "completion",
            "ApiHandler", "API");

    private final Synthesized synth = Synthesized.get();

    /**
     * The environment names the retraining module reads (Env.required/optional/integer/decimal): its
     * handlers are not in docs/handlers.md, so their code is the contract.
     */
    private Set<String> retrainingEnvironment() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern read = Pattern.compile("\\.(?:required|optional|integer|decimal)\\(\"([A-Z][A-Z0-9_]+)\"");
        try (var files = Files.walk(synth.repoRoot.resolve("functions/retraining/src/main/java"))) {
            for (var f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = read.matcher(Files.readString(f));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        assertTrue(names.contains("TABLE_NAME") && names.contains("STATE_MACHINE_ARN"), names.toString());
        return names;
    }

    private Map<String, EnvVar> documentedEnvironment() throws IOException {
        String doc = Files.readString(synth.repoRoot.resolve("docs/handlers.md"));
        String section = doc.substring(doc.indexOf("## Environment variables"));
        int next = section.indexOf("\n## ", 5);
        section = next > 0 ? section.substring(0, next) : section;
        Pattern row = Pattern.compile("^\\| `([A-Z][A-Z0-9_]+)` \\| ([^|]+) \\| ([^|]+) \\|$", Pattern.MULTILINE);
        Map<String, EnvVar> out = new HashMap<>();
        Matcher m = row.matcher(section);
        while (m.find()) {
            Set<String> usedBy = new TreeSet<>(Arrays.stream(m.group(2).split(",")).map(String::trim).toList());
            out.put(m.group(1), new EnvVar(m.group(1), usedBy, m.group(3).trim().startsWith("optional")));
        }
        assertTrue(out.size() >= 10 && out.containsKey("TABLE_NAME"), "could not read the table of " + out.keySet());
        return out;
    }

    @Test
    void everyHandlerInTheTemplateLoadsAndHasHandleRequest() throws Exception {
        Map<String, JsonNode> functions = synth.resources("AWS::Lambda::Function");
        assertFalse(functions.isEmpty());
        for (Map.Entry<String, JsonNode> f : functions.entrySet()) {
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
    void everyFunctionGetsExactlyItsDocumentedEnvironment() throws Exception {
        Map<String, EnvVar> documented = documentedEnvironment();
        Set<String> retrainingNames = retrainingEnvironment();
        for (JsonNode f : synth.resources("AWS::Lambda::Function").values()) {
            JsonNode p = f.path("Properties");
            if (p.path("Handler").asText().startsWith(RetrainingFunctions.PACKAGE)) {
                Set<String> given = new TreeSet<>();
                p.path("Environment").path("Variables").fieldNames().forEachRemaining(given::add);
                assertTrue(given.contains("TABLE_NAME") && retrainingNames.containsAll(given),
                        p.path("Handler").asText() + " gets " + diff(given, retrainingNames) + " it never reads");
                continue;
            }
            String handlerClass = p.path("Handler").asText().replaceAll("::.*", "").replaceAll(".*\\.", "");
            String role = ROLE.get(handlerClass);
            assertTrue(role != null, "no role for " + handlerClass + " in this test's table");
            Set<String> given = new TreeSet<>();
            p.path("Environment").path("Variables").fieldNames().forEachRemaining(given::add);
            Set<String> required = new TreeSet<>();
            for (String name : given) {
                EnvVar v = documented.get(name);
                assertTrue(v != null, handlerClass + " gets " + name + ", which docs/handlers.md does not name");
                assertTrue(v.usedBy().contains("all") || v.usedBy().contains(role),
                        handlerClass + " gets " + name + ", documented only for " + v.usedBy());
            }
            documented.values().stream()
                    .filter(v -> !v.optional() && (v.usedBy().contains("all") || v.usedBy().contains(role)))
                    .forEach(v -> required.add(v.name()));
            assertTrue(given.containsAll(required), handlerClass + " misses " + diff(required, given));
        }
    }

    private static Set<String> diff(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }
}
