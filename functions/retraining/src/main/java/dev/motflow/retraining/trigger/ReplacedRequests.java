package dev.motflow.retraining.trigger;

/**
 * Told when a queued retraining request is replaced by a newer one of its dataset (the replaced one
 * never runs). Production: {@link SnsReplacedRequests} on the retraining notification topic.
 */
public interface ReplacedRequests {
    /** Nobody to tell: the run item (status REPLACED) and the log line are the record. */
    ReplacedRequests NONE = (dataset, replaced, replacedBy) -> { };

    void replaced(String dataset, String replacedExecution, String replacedBy);
}
