package dev.motflow.cli.local;

import java.nio.file.Path;
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

/** {@code ./motflow retrain DATASET_DIR}: upload a labelled dataset and follow the retraining run it starts. */
@Command(name = "retrain", sortOptions = false,
        description = {"Upload a labelled dataset and follow the retraining run it starts.",
            "Uploads a MOTChallenge-layout folder (<seq>/img1/*.jpg, <seq>/gt/gt.txt, <seq>/seqinfo.ini) under "
            + "labelled/<dataset>/, then manifest.json (sizes, SHA-256), and follows the run until PROMOTED, "
            + "REJECTED or FAILED."})
public final class RetrainCommand implements LocalCommand, Callable<Integer> {
    @ParentCommand
    private MotflowCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LocalOptions local = new LocalOptions();

    @Mixin
    private HelpOption help;

    @Parameters(index = "0", paramLabel = "DATASET_DIR", description = "the labelled dataset folder")
    private Path datasetDir;

    @Option(names = "--dataset", paramLabel = "NAME", description = "dataset name (default: the folder name, lower case)")
    private String dataset;

    @Option(names = "--version", paramLabel = "V", description = "dataset version (default: the time, yyyy-MM-dd.HHmmss)")
    private String version;

    @Option(names = "--validation", paramLabel = "SEQ", split = ",", description = "validation sequences (SEQ[,SEQ...])")
    private List<String> validation = List.of();

    public Path datasetDir() {
        return datasetDir;
    }

    /** The dataset name, or null for the default. */
    public String dataset() {
        return dataset;
    }

    /** The version, or null for the default. */
    public String version() {
        return version;
    }

    public List<String> validation() {
        return validation;
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
