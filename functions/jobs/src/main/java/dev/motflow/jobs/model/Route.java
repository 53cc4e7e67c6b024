package dev.motflow.jobs.model;

/** Where a video is tracked. */
public enum Route {
    /** SageMaker asynchronous endpoint (InvokeEndpointAsync), videos up to MAX_ASYNC_BYTES. */
    ASYNC_ENDPOINT,
    /** SageMaker processing job (CreateProcessingJob): large videos and the batch prefix. */
    PROCESSING_JOB
}
