package dev.motflow.testsupport.sfn;

/**
 * Fails a Task with an error name (what Retry and Catch match in {@code ErrorEquals}) and a cause,
 * as a service integration would, e.g. {@code SageMaker.AmazonSageMakerException} or
 * {@code States.TaskFailed}.
 */
public final class TaskFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final String error;

    public TaskFailure(String error, String cause) {
        super(cause);
        this.error = error;
    }

    public String error() {
        return error;
    }

    public String cause() {
        return getMessage();
    }
}
