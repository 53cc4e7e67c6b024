package dev.motflow.testsupport.sfn;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Stand-in for {@code arn:aws:states:::lambda:invoke}: runs the function registered under the
 * task's {@code FunctionName} in this JVM with the task's {@code Payload}, and answers as the
 * integration does ({@code {"Payload": ..., "StatusCode": 200}}). A function that throws fails the
 * task with the exception's class name as the error, as a Java Lambda's unhandled error is named.
 */
public final class LambdaTasks implements TaskHandler {
    public static final String RESOURCE = "arn:aws:states:::lambda:invoke";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A Lambda function: payload JSON in, response JSON out. */
    @FunctionalInterface
    public interface LambdaFunction {
        String invoke(String payload) throws Exception;
    }

    private final Map<String, LambdaFunction> functions = new ConcurrentHashMap<>();

    /** Registers {@code function} under a name or ARN (the value the definition's FunctionName gets). */
    public LambdaTasks register(String functionNameOrArn, LambdaFunction function) {
        functions.put(functionNameOrArn, function);
        return this;
    }

    @Override
    public JsonNode handle(TaskCall call) throws TaskFailure {
        String name = call.input().path("FunctionName").asText();
        LambdaFunction f = functions.get(name);
        if (f == null) {
            throw new TaskFailure("Lambda.ResourceNotFoundException", "Function not found: " + name);
        }
        String response;
        try {
            response = f.invoke(JSON.writeValueAsString(call.input().path("Payload")));
        } catch (Exception e) {
            ObjectNode cause = JSON.createObjectNode();
            cause.put("errorMessage", String.valueOf(e.getMessage()));
            cause.put("errorType", e.getClass().getName());
            throw new TaskFailure(e.getClass().getName(), cause.toString());
        }
        ObjectNode out = JSON.createObjectNode();
        try {
            out.set("Payload", JSON.readTree(response));
        } catch (java.io.IOException e) {
            throw new TaskFailure("Lambda.InvalidResponse", "function " + name + " returned no JSON: " + e.getMessage());
        }
        out.put("StatusCode", 200);
        out.put("ExecutedVersion", "$LATEST");
        return out;
    }
}
