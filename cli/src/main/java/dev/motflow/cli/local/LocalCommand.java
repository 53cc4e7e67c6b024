package dev.motflow.cli.local;

import java.util.ServiceLoader;

import dev.motflow.cli.CommandFailure;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A command of the local system (the whole of motflow on this machine). The command-line side
 * (options, help) lives here; {@link LocalSystem}, found through {@link ServiceLoader}, runs it
 * (local/stack provides it, in the jar that {@code ./motflow demo|track|...} runs).
 */
public sealed interface LocalCommand permits DemoCommand, TrackCommand, JobsCommand, JobCommand, TracksCommand,
        RetrainCommand, ServeCommand, ImportModelCommand, DlqCommand, RetrainingLockCommand {

    /** The options every local command takes. */
    LocalOptions local();

    /** Runs {@code command} with the local system on the class path, or says how to get it. */
    static int run(LocalCommand command, CommandSpec spec, java.io.PrintStream out) {
        LocalSystem system = ServiceLoader.load(LocalSystem.class).findFirst().orElseThrow(() -> new CommandFailure(
                "this jar has no local system: run it as ./motflow " + spec.name() + " (the launcher builds local/stack)"));
        return system.run(command, out);
    }
}
