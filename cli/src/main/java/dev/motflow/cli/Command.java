package dev.motflow.cli;

import java.io.PrintStream;

/** One `./motflow` subcommand. Returns the process exit code (0 ok, 2 bad input, 1 failure). */
public interface Command {
    String name();

    /** One line for `./motflow help`. */
    String summary();

    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
}
