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

/** {@code ./motflow track VIDEO}: upload a video through the API, follow the job, write its results. */
@Command(name = "track", sortOptions = false,
        description = {"Track a video through the local stack; results in ./out/<jobId>/.",
            "Uploads the video (mp4, m4v, mov, mkv, webm, avi) through the API, follows the job, writes "
            + "tracks.txt (MOTChallenge), tracks.json and job.json. Uses the promoted model unless --model is "
            + "given."})
public final class TrackCommand implements LocalCommand, Callable<Integer> {
    @ParentCommand
    private MotflowCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LocalOptions local = new LocalOptions();

    @Mixin
    private HelpOption help;

    @Parameters(index = "0", paramLabel = "VIDEO", description = "the video file")
    private Path video;

    @Option(names = "--out", paramLabel = "DIR", description = "results go to DIR/<jobId>/ (default ./out)")
    private Path out;

    @Option(names = "--model", paramLabel = "DIR", description = "serve this model folder (model.pth + config.json) instead of the promoted model")
    private Path model;

    @Option(names = "--annotate", description = "take the processing-job route (incoming/batch/), which also writes annotated.mp4")
    private boolean annotate;

    public Path video() {
        return video;
    }

    /** The results folder, or null for the default. */
    public Path out() {
        return out;
    }

    /** The model folder to serve, or null for the promoted model. */
    public Path model() {
        return model;
    }

    public boolean annotate() {
        return annotate;
    }

    /** A track command as code calls it (tests). */
    public static TrackCommand of(LocalOptions local, Path video, Path out, Path model, boolean annotate) {
        TrackCommand c = new TrackCommand();
        c.local = local;
        c.video = video;
        c.out = out;
        c.model = model;
        c.annotate = annotate;
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
