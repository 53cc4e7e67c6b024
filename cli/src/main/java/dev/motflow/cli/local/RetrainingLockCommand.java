package dev.motflow.cli.local;

import java.util.concurrent.Callable;

import dev.motflow.cli.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./motflow retraining lock [show | release --holder NAME]}: the retraining lock, through the API. */
@Command(name = "lock", sortOptions = false,
        description = {"The one-run-at-a-time retraining lock, through the local API (GET and DELETE /retraining/lock).",
            "show (default): the holder, its execution status, since when, the lease and whether it has run out,"
                + " and the queued requests per dataset.",
            "release --holder NAME: frees the lock if NAME (an execution name, as show prints it) still holds it;"
                + " the holder's run is marked ABANDONED unless it finished, and the oldest queued request starts."
                + " Exit code 1 when NAME does not hold it (another holder, or none)."})
public final class RetrainingLockCommand implements LocalCommand, Callable<Integer> {
    /** What to do with the lock. */
    public enum Action { show, release }

    @ParentCommand
    private RetrainingCommand parent;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LocalOptions local = new LocalOptions();

    @Mixin
    private HelpOption help;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION", defaultValue = "show",
            description = "show or release (default ${DEFAULT-VALUE})")
    private Action action = Action.show;

    @Option(names = "--holder", paramLabel = "NAME", description = "release: the execution that holds the lock")
    private String holder;

    public Action action() {
        return action;
    }

    /** The holder to release (release only). */
    public String holder() {
        return holder;
    }

    /** A lock command as code calls it (tests). */
    public static RetrainingLockCommand of(LocalOptions local, Action action, String holder) {
        RetrainingLockCommand c = new RetrainingLockCommand();
        c.local = local;
        c.action = action;
        c.holder = holder;
        return c;
    }

    @Override
    public LocalOptions local() {
        return local;
    }

    @Override
    public Integer call() {
        if (action == Action.release && (holder == null || holder.isBlank())) {
            throw new ParameterException(spec.commandLine(), "release needs --holder NAME: the execution name that"
                    + " holds the lock ('./motflow retraining lock' shows it)");
        }
        if (action == Action.show && holder != null) {
            throw new ParameterException(spec.commandLine(), "--holder is for release only");
        }
        return LocalCommand.run(this, spec, parent.out());
    }
}
