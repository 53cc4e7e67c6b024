package dev.motflow.mot;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Malformed MOTChallenge input. The message reads {@code FILE:LINE: reason} (line 0 when the
 * problem is not tied to one line), so a command line can print it as it is.
 */
public final class MotFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String reason;

    public MotFormatException(Path file, int line, String reason) {
        super((file == null ? "<input>" : file.toString()) + (line > 0 ? ":" + line : "") + ": " + reason);
        this.file = file;
        this.line = line;
        this.reason = reason;
    }

    /** The file being read (may be null when reading from a stream without a name). */
    public Path file() {
        return file;
    }

    /** 1-based line number of the offending line, or 0 when the whole file is at fault. */
    public int line() {
        return line;
    }

    /** The reason without the file and line prefix. */
    public String reason() {
        return reason;
    }
}
