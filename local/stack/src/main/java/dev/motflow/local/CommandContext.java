package dev.motflow.local;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What every local command works with: the checkout, the data folder, the API port, the time cap of
 * training runs it starts, and the console.
 */
record CommandContext(Path root, Path data, int port, int trainSeconds, PrintStream out) {

    /** Seconds since {@code nanos} (a {@link System#nanoTime()} reading). */
    static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }
}
