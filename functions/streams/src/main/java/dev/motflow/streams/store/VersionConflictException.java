package dev.motflow.streams.store;

/** The conditional write lost: another request changed (or reset) the stream since it was read. */
public final class VersionConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VersionConflictException(String message) {
        super(message, null, false, false);
    }
}
