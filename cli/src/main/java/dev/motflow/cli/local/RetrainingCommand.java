package dev.motflow.cli.local;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import dev.motflow.cli.HelpOption;
import dev.motflow.cli.MotflowCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./motflow retraining lock ...}: operator commands of the retraining workflow. */
@Command(name = "retraining", sortOptions = false, synopsisSubcommandLabel = "lock",
        description = "Operator commands of the retraining workflow (the one-run-at-a-time lock).",
        subcommands = RetrainingLockCommand.class)
public final class RetrainingCommand implements Callable<Integer> {
    @ParentCommand
    private MotflowCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    PrintStream out() {
        return root.out();
    }

    /** Without a subcommand: a usage error that names the one there is. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand: lock");
    }
}
