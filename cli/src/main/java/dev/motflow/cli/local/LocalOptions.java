package dev.motflow.cli.local;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The options every command of the local system takes. */
public final class LocalOptions {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "the local system's data folder: tables, buckets, jobs, models, logs (default ./.motflow)")
    private Path dataDir;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8470", description = "the local HTTP API's port (default ${DEFAULT-VALUE})")
    private int port;

    @Option(names = "--train-seconds", paramLabel = "N", defaultValue = "600",
            description = "time cap of training runs this process starts (they run 4 epochs; default ${DEFAULT-VALUE})")
    private int trainSeconds;

    /** The data folder given, or null for the default ({@code <repo>/.motflow}). */
    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return port;
    }

    public int trainSeconds() {
        return trainSeconds;
    }

    /** Options as given in code (tests, other commands), not on a command line. */
    public static LocalOptions of(Path dataDir, int port, int trainSeconds) {
        LocalOptions o = new LocalOptions();
        o.dataDir = dataDir;
        o.port = port;
        o.trainSeconds = trainSeconds;
        return o;
    }
}
