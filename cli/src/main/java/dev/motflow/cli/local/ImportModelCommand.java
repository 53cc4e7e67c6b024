package dev.motflow.cli.local;

import java.nio.file.Path;
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

/** {@code ./motflow import-model fairmot CHECKPOINT}: a published checkpoint as the local production model. */
@Command(name = "import-model", sortOptions = false,
        description = {"Import a published checkpoint as the production model of the local system.",
            "Imports a published checkpoint (FairMOT's {\"epoch\", \"state_dict\"} layout) with "
            + "motflow_ml.import_fairmot, packs it as model.tar.gz like a promoted retraining run, registers it as "
            + "the production model of the local model registry and deploys it to the local endpoints: ./motflow "
            + "track uses it at once."})
public final class ImportModelCommand implements LocalCommand, Callable<Integer> {
    /** Checkpoint layouts motflow can import. */
    public enum Format { fairmot }

    @ParentCommand
    private MotflowCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LocalOptions local = new LocalOptions();

    @Mixin
    private HelpOption help;

    @Parameters(index = "0", paramLabel = "FORMAT", description = "the checkpoint's layout: ${COMPLETION-CANDIDATES}")
    private Format format;

    @Parameters(index = "1", paramLabel = "CHECKPOINT", description = "the checkpoint file (e.g. fairmot_dla34.pth)")
    private Path checkpoint;

    @Option(names = "--version", paramLabel = "V", description = "names the import: its artifact imported/V/model.tar.gz (default: imported-<time>); the registry numbers the version")
    private String version;

    public Format format() {
        return format;
    }

    public Path checkpoint() {
        return checkpoint;
    }

    /** The version, or null for the default. */
    public String version() {
        return version;
    }

    /** An import as code calls it (tests). */
    public static ImportModelCommand of(LocalOptions local, Format format, Path checkpoint, String version) {
        ImportModelCommand c = new ImportModelCommand();
        c.local = local;
        c.format = format;
        c.checkpoint = checkpoint;
        c.version = version;
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
