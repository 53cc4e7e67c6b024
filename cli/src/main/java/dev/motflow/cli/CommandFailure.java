package dev.motflow.cli;

/**
 * A failure the user can act on (missing set-up, port in use, no model, a job that failed): printed
 * as one line without a stack trace, exit code {@link Main#EXIT_FAILURE}.
 */
public class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandFailure(String message) {
        super(message);
    }

    public CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
