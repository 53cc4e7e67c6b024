package dev.motflow.cli;

import java.io.PrintStream;

/** Placeholder until its issue lands: says so and exits non-zero. */
public final class TrackDetsCommand implements Command {
    @Override
    public String name() {
        return "track-dets";
    }

    @Override
    public String summary() {
        return "run an association policy over a det.txt (not built yet)";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        err.println("motflow track-dets: not built yet");
        return 1;
    }
}
