package dev.motflow.jobs.store;

/** A conditional write lost: the job's status or version is no longer what the writer read. */
public final class StaleJobException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StaleJobException(String jobId, String message) {
        super("job " + jobId + ": " + message);
    }
}
