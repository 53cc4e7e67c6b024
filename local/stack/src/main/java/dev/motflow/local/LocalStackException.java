package dev.motflow.local;

import dev.motflow.cli.CommandFailure;

/** A problem the user can act on (missing set-up, port in use, no model): printed without a stack trace. */
public final class LocalStackException extends CommandFailure {
    private static final long serialVersionUID = 1L;

    public LocalStackException(String message) {
        super(message);
    }

    public LocalStackException(String message, Throwable cause) {
        super(message, cause);
    }
}
