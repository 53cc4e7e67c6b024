package dev.motflow.cli.local;

import java.util.concurrent.Callable;

import dev.motflow.cli.HelpOption;
import dev.motflow.cli.MotflowCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./motflow serve}: keep the stack up for API calls. */
@Command(name = "serve", aliases = "local", sortOptions = false,
        description = {"Keep the local stack up for API calls and print the URLs (Ctrl-C stops it).",
            "While it runs, the other commands use it (found through <data>/stack.json)."})
public final class ServeCommand implements LocalCommand, Callable<Integer> {
    @ParentCommand
    private MotflowCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LocalOptions local = new LocalOptions();

    @Mixin
    private HelpOption help;

    @Override
    public LocalOptions local() {
        return local;
    }

    @Override
    public Integer call() {
        return LocalCommand.run(this, spec, root.out());
    }
}
