package dev.motflow.retraining.handler;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.retraining.Env;
import dev.motflow.retraining.store.RunFinisher;

/**
 * RecordPromoted / RecordRejected / RecordDatasetRejected / RecordFailure:
 * {@code {executionName, outcome: PROMOTED|REJECTED|FAILED, state}} -> the notification document.
 */
public final class FinishRunHandler extends StepHandler {
    private final RunFinisher finisher;

    public FinishRunHandler() {
        this(build());
    }

    public FinishRunHandler(RunFinisher finisher) {
        this.finisher = finisher;
    }

    private static RunFinisher build() {
        Steps steps = Steps.fromSystem();
        return steps.finisher(Clients.coordinator(Env.system(), Clients.dynamo()));
    }

    @Override
    JsonNode handle(JsonNode input) {
        return finisher.finish(executionName(input), input.path("outcome").asText(), input.path("state"));
    }
}
