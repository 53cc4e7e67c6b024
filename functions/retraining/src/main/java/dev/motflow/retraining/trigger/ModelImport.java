package dev.motflow.retraining.trigger;

/**
 * A model to put into production through the retraining workflow instead of training one.
 *
 * @param s3Uri {@code s3://<artifacts bucket>/models/.../model.tar.gz}: a motflow model folder as
 *     SageMaker model data (what a training job or {@code motflow_ml.import_fairmot} makes)
 * @param objectVersion the object's S3 version id (or ETag) when it was requested: part of the run's
 *     name, so a new upload to the same key is a new run and a repeated request is not
 * @param force true skips the gate (and, without a dataset, the evaluation): the model is promoted
 *     whatever it scores
 */
public record ModelImport(String s3Uri, String objectVersion, boolean force) {
}
