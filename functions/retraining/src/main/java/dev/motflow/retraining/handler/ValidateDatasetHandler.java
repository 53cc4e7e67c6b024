package dev.motflow.retraining.handler;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.retraining.dataset.DatasetValidator;
import dev.motflow.retraining.trigger.RunRequest;

/** ValidateDataset: {@code {executionName, request}} -> {@code {status, report, dataset, jobs, paths}}. */
public final class ValidateDatasetHandler extends StepHandler {
    private final DatasetValidator validator;

    public ValidateDatasetHandler() {
        this(Steps.fromSystem().validator());
    }

    public ValidateDatasetHandler(DatasetValidator validator) {
        this.validator = validator;
    }

    @Override
    JsonNode handle(JsonNode input) {
        return validator.validate(executionName(input), RunRequest.fromJson(input.path("request")));
    }
}
