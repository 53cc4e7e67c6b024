package dev.motflow.cli;

import java.io.PrintStream;

/** Placeholder until its issue lands: says so and exits non-zero. */
public final class DemoCommand implements Command {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "the main job on this machine (not built yet)";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        err.println("motflow demo: not built yet");
        return 1;
    }
}
