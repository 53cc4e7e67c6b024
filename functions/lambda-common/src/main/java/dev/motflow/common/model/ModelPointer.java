package dev.motflow.common.model;

import java.time.Instant;

/**
 * The production model pointer ({@code pk=MODEL#<name>}, {@code sk=CURRENT}): the contract between
 * functions/retraining, which moves it when a model is promoted, and functions/jobs, whose processing
 * jobs mount the model it names (docs/data-model.md, "Production model pointer"). Both read and write
 * it only through this record and {@link dev.motflow.common.store.ModelPointerItems}, so a change to
 * it is a compile error on both sides rather than a silent mismatch.
 *
 * @param version the promoted version ({@code MODEL#<name>}, {@code V#<version>}); null only on an
 *     item without one (never written so)
 * @param artifactS3Uri the promoted {@code model.tar.gz}
 * @param endpointConfigName the endpoint configuration that serves it
 * @param previousVersion the version it replaced, null for the first model
 * @param deployedAt when it was promoted
 * @param executionName the retraining run that promoted it
 */
public record ModelPointer(String modelName, Long version, String artifactS3Uri, String endpointConfigName,
                           Long previousVersion, Instant deployedAt, String executionName) {
}
