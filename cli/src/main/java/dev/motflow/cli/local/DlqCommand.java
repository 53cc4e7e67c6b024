package dev.motflow.cli.local;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.motflow.cli.HelpOption;
import dev.motflow.cli.MotflowCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./motflow dlq list|replay}: the local stack's dead-letter queues. */
@Command(name = "dlq", sortOptions = false,
        description = {"The local dead-letter queues (<data>/queues/<queue>-dlq/): messages that failed every receive.",
            "list: one JSON line per message (queue, id, receives, last error, body).",
            "replay: moves them back to their queue (receive count reset); a running stack delivers them within"
                + " seconds, a stopped one at its next start."})
public final class DlqCommand implements LocalCommand, Callable<Integer> {
    /** What to do with the dead letters. */
    public enum Action { list, replay }

    @ParentCommand
    private MotflowCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LocalOptions local = new LocalOptions();

    @Mixin
    private HelpOption help;

    @Parameters(index = "0", paramLabel = "ACTION", description = "list or replay")
    private Action action;

    @Parameters(index = "1..*", paramLabel = "ID", arity = "0..*",
            description = "replay only these message ids (default: all)")
    private List<String> ids = new ArrayList<>();

    @Option(names = "--queue", paramLabel = "NAME",
            description = "only this queue: ingest, async-completion, processing-events, labelled-data")
    private String queue;

    public Action action() {
        return action;
    }

    public String queue() {
        return queue;
    }

    public List<String> ids() {
        return List.copyOf(ids);
    }

    /** A dlq command as code calls it (tests). */
    public static DlqCommand of(LocalOptions local, Action action, String queue, List<String> ids) {
        DlqCommand c = new DlqCommand();
        c.local = local;
        c.action = action;
        c.queue = queue;
        c.ids = new ArrayList<>(ids);
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
