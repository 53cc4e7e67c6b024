package dev.motflow.cli.local;

import java.util.concurrent.Callable;

import dev.motflow.cli.HelpOption;
import dev.motflow.cli.MotflowCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./motflow job ID}: one job as JSON. */
@Command(name = "job", sortOptions = false, description = "One job as JSON (GET /jobs/{id}).")
public final class JobCommand implements LocalCommand, Callable<Integer> {
    @ParentCommand
    private MotflowCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LocalOptions local = new LocalOptions();

    @Mixin
    private HelpOption help;

    @Parameters(index = "0", paramLabel = "ID", description = "the job id")
    private String id;

    public String id() {
        return id;
    }

    /** A job command as code calls it (tests). */
    public static JobCommand of(LocalOptions local, String id) {
        JobCommand c = new JobCommand();
        c.local = local;
        c.id = id;
        return c;
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
