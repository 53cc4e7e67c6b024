package dev.motflow.jobs.model;

/** Where the model a processing job mounts came from. */
public enum ModelSource {
    /** The retraining workflow's production pointer ({@code MODEL#<name>/CURRENT}). */
    CURRENT,
    /** No pointer yet: {@code PROCESSING_MODEL_S3_URI}. */
    FALLBACK,
    /** Neither: the processing image's own model. */
    IMAGE
}
