package dev.motflow.cli;

/** Bad input from the user (a file that is missing or malformed, a bad value): one line, exit code 2. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
