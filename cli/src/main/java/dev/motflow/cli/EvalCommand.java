package dev.motflow.cli;

import java.io.PrintStream;

/** Placeholder until its issue lands: says so and exits non-zero. */
public final class EvalCommand implements Command {
    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "MOT metrics of results against ground truth (owned by the metrics work; not built yet)";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        err.println("motflow eval: not built yet");
        return 1;
    }
}
