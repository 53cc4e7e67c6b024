package dev.motflow.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import dev.motflow.cli.local.DemoCommand;
import dev.motflow.cli.local.DlqCommand;
import dev.motflow.cli.local.ImportModelCommand;
import dev.motflow.cli.local.JobCommand;
import dev.motflow.cli.local.JobsCommand;
import dev.motflow.cli.local.LocalCommand;
import dev.motflow.cli.local.LocalOptions;
import dev.motflow.cli.local.LocalSystem;
import dev.motflow.cli.local.RetrainCommand;
import dev.motflow.cli.local.RetrainingLockCommand;
import dev.motflow.cli.local.ServeCommand;
import dev.motflow.cli.local.TrackCommand;
import dev.motflow.cli.local.TracksCommand;

/**
 * Runs the local system's commands for the {@code ./motflow} command line (registered for
 * {@link java.util.ServiceLoader} in META-INF/services). The handlers' own JSON logs (what CloudWatch
 * would hold) go to {@code <data>/logs/handlers.log}; the console gets the commands' output.
 */
public final class LocalSystemRunner implements LocalSystem {
    @Override
    public int run(LocalCommand command, PrintStream console) {
        LocalOptions o = command.local();
        Path root = RepoRoot.find();
        Path data = o.dataDir() != null ? o.dataDir().toAbsolutePath().normalize() : root.resolve(".motflow");
        CommandContext ctx = new CommandContext(root, data, o.port(), o.trainSeconds(), console);
        if (console == System.out) {
            // The Lambda handlers log to System.out: when that is the console, their lines go to a file instead.
            redirectHandlerLogs(data);
        }
        return switch (command) {
            case DemoCommand c -> new Demo(ctx).run(c.frames(), c.out()).metrics() != null ? 0 : 1;
            case TrackCommand c -> new VideoTracking(ctx).run(c.video().toString(), c.out(), c.model(), c.annotate());
            case JobsCommand c -> new JobQueries(ctx).jobs(c.status());
            case JobCommand c -> new JobQueries(ctx).job(c.id());
            case TracksCommand c -> new JobQueries(ctx).tracks(c.id());
            case RetrainCommand c -> new DatasetRetraining(ctx).run(c.datasetDir(), c.dataset(), c.version(), c.validation());
            case ServeCommand c -> new ServeLoop(ctx).run();
            case ImportModelCommand c -> new ModelImport(ctx).run(c.checkpoint(), c.version());
            case DlqCommand c -> new DeadLetters(data).run(c.action().name(), c.queue(), c.ids(), console);
            case RetrainingLockCommand c -> new LockOperations(ctx).run(c.action(), c.holder());
        };
    }

    private static void redirectHandlerLogs(Path data) {
        try {
            Files.createDirectories(data.resolve("logs"));
            System.setOut(new PrintStream(Files.newOutputStream(data.resolve("logs/handlers.log"),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LocalStackException("cannot write to the data folder " + data + ": " + e.getMessage());
        }
    }
}
