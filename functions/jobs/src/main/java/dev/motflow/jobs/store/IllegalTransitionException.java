package dev.motflow.jobs.store;

import dev.motflow.jobs.model.JobStatus;

/** A status change the lifecycle does not allow (checked before any write). */
public final class IllegalTransitionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IllegalTransitionException(String jobId, JobStatus from, JobStatus to) {
        super("job " + jobId + ": " + from + " -> " + to + " is not an allowed transition");
    }
}
