package dev.motflow.cli.local;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.motflow.cli.HelpOption;
import dev.motflow.cli.MotflowCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./motflow demo}: synthetic data, the retraining workflow, tracking through the stack, metrics. */
@Command(name = "demo", sortOptions = false,
        description = {"The whole system on this machine: synthetic data, retraining, tracking, metrics.",
            "Synthetic data -> the retraining workflow (train on the CPU, evaluate, gate, promote) -> track a "
            + "synthetic video through the stack -> tracks + MOTA/IDF1/HOTA against its ground truth and the time "
            + "per phase."})
public final class DemoCommand implements LocalCommand, Callable<Integer> {
    @ParentCommand
    private MotflowCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LocalOptions local = new LocalOptions();

    @Mixin
    private HelpOption help;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "60", description = "frames per synthetic sequence (default ${DEFAULT-VALUE})")
    private int frames;

    @Option(names = "--out", paramLabel = "DIR", description = "where the tracked video's results go (default ./out)")
    private Path out;

    public int frames() {
        return frames;
    }

    /** The results folder, or null for the default. */
    public Path out() {
        return out;
    }

    /** The demo as code calls it (tests). */
    public static DemoCommand of(LocalOptions local, int frames, Path out) {
        DemoCommand c = new DemoCommand();
        c.local = local;
        c.frames = frames;
        c.out = out;
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
