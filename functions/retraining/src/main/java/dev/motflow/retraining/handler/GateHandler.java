package dev.motflow.retraining.handler;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.retraining.score.GateStep;

/** Gate: {@code {executionName, state}} -> {@code {decision: PROMOTE|REJECT, reason, deltas}}. */
public final class GateHandler extends StepHandler {
    private final GateStep gate;

    public GateHandler() {
        this(Steps.fromSystem().gate());
    }

    public GateHandler(GateStep gate) {
        this.gate = gate;
    }

    @Override
    JsonNode handle(JsonNode input) {
        return gate.decide(executionName(input), input.path("state"));
    }
}
