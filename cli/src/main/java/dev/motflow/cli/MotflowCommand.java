package dev.motflow.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import dev.motflow.cli.launcher.LauncherCommands;
import dev.motflow.cli.local.DemoCommand;
import dev.motflow.cli.local.ImportModelCommand;
import dev.motflow.cli.local.DlqCommand;
import dev.motflow.cli.local.JobCommand;
import dev.motflow.cli.local.JobsCommand;
import dev.motflow.cli.local.RetrainCommand;
import dev.motflow.cli.local.RetrainingCommand;
import dev.motflow.cli.local.ServeCommand;
import dev.motflow.cli.local.TrackCommand;
import dev.motflow.cli.local.TracksCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./motflow}: the root of every subcommand. The launcher script runs {@code test}, {@code setup},
 * {@code bench}, {@code bench-trackers} and {@code synth} itself (they drive Maven and shell set-up); they are declared here so
 * that {@code ./motflow help} lists everything in one style.
 */
@Command(name = "motflow", synopsisSubcommandLabel = "COMMAND",
        description = {"Multiple-object tracking: the metrics and association tools, and the whole system on this machine.",
            "Run './motflow help COMMAND' (or './motflow COMMAND --help') for a command's options."},
        commandListHeading = "%nCommands:%n",
        subcommands = {
            EvalCommand.class, TrackDetsCommand.class,
            DemoCommand.class, TrackCommand.class, JobsCommand.class, JobCommand.class, TracksCommand.class,
            RetrainCommand.class, RetrainingCommand.class, ServeCommand.class, ImportModelCommand.class, DlqCommand.class,
            LauncherCommands.Test.class, LauncherCommands.Setup.class, LauncherCommands.Bench.class,
            LauncherCommands.BenchTrackers.class,
            LauncherCommands.Synth.class,
            HelpCommand.class})
public final class MotflowCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    MotflowCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The console of this invocation (commands print their results here). */
    public PrintStream out() {
        return out;
    }

    /** Progress and diagnostics (track-dets' summary line, for instance). */
    public PrintStream err() {
        return err;
    }

    /** Without a command: the list of commands. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.EXIT_OK;
    }
}
