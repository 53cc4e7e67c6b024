package dev.motflow.tracking;

/** An encoded tracker state that cannot be decoded (truncated, corrupted, or from an unknown version). */
public final class StateFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public StateFormatException(String message) {
        super(message);
    }
}
