package dev.motflow.testsupport.sfn;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One Task state invocation forwarded by sfn-runner.mjs: which execution, which state, the state's
 * {@code Resource}, the effective input (after InputPath and Parameters) and the attempt number
 * (1 on first entry, +1 on every retry or re-entry of the state).
 */
public record TaskCall(String execution, String state, String resource, JsonNode input, int attempt) {
}
