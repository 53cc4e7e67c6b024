package dev.motflow.retraining.handler;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.retraining.score.ModelScoring;

/**
 * ScoreCandidate / ScoreProduction: {@code {executionName, role: CANDIDATE|PRODUCTION, state}} ->
 * {@code {candidate, production}}.
 */
public final class ScoreModelHandler extends StepHandler {
    private final ModelScoring scoring;

    public ScoreModelHandler() {
        this(Steps.fromSystem().scoring());
    }

    public ScoreModelHandler(ModelScoring scoring) {
        this.scoring = scoring;
    }

    @Override
    JsonNode handle(JsonNode input) {
        String role = input.path("role").asText("CANDIDATE");
        if (!role.equals("CANDIDATE") && !role.equals("PRODUCTION")) {
            throw new IllegalArgumentException("role must be CANDIDATE or PRODUCTION");
        }
        return scoring.score(executionName(input), role, input.path("state"));
    }
}
