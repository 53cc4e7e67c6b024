package dev.motflow.cli.local;

import java.io.PrintStream;

/** Runs the local system's commands (implemented by local/stack, registered in META-INF/services). */
public interface LocalSystem {
    /** Runs one command, printing to {@code console}; returns the exit code. */
    int run(LocalCommand command, PrintStream console);
}
