package dev.motflow.cli.local;

import java.util.List;
import java.util.concurrent.Callable;

import dev.motflow.cli.HelpOption;
import dev.motflow.cli.MotflowCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./motflow jobs}: the jobs, newest first. */
@Command(name = "jobs", sortOptions = false, description = "List the jobs, newest first (every status unless --status is given).")
public final class JobsCommand implements LocalCommand, Callable<Integer> {
    @ParentCommand
    private MotflowCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LocalOptions local = new LocalOptions();

    @Mixin
    private HelpOption help;

    @Option(names = "--status", paramLabel = "S", description = "only jobs in this status (AWAITING_UPLOAD, RECEIVED, STARTING, RUNNING, SUCCEEDED, FAILED, REJECTED)")
    private String status;

    /** The status asked for, or null for all. */
    public String status() {
        return status;
    }

    @Override
    public LocalOptions local() {
        return local;
    }

    @Override
    public Integer call() {
        return LocalCommand.run(this, spec, root.out());
    }
}
