package dev.motflow.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./motflow demo|track|jobs|job|tracks|retrain|serve|local}: the local stack's commands.
 * The handlers' own JSON logs (what CloudWatch would hold) go to {@code <data>/logs/handlers.log};
 * the console gets the commands' output.
 */
public final class LocalMain {
    static final String USAGE = """
            usage: ./motflow <command> [options]
              demo                    synthetic data -> retraining workflow (train on the CPU, evaluate, promote)
                                      -> track a synthetic video through the stack -> tracks + MOTA/IDF1/HOTA
                  [--train-seconds N] (cap, 180) [--frames N] (60 per sequence) [--out DIR]
              track VIDEO             upload a video, follow the job, write results to ./out/<jobId>/
                  [--out DIR] [--model DIR] (serve this model folder instead of the promoted one)
                  [--annotate]        take the processing-job route (incoming/batch/), which also writes annotated.mp4
              jobs [--status S]       list jobs (all statuses unless given)
              job ID                  one job as JSON
              tracks ID               the job's tracks as JSON
              retrain DATASET_DIR     upload a MOTChallenge-layout dataset + manifest under labelled/ and follow the run
                  [--dataset NAME] [--version V] [--validation SEQ[,SEQ]] [--train-seconds N]
              serve | local           keep the stack up for API calls (Ctrl-C stops it)
            common options: --data-dir DIR (./.motflow)  --port N (API port, 8470)
            """;

    private LocalMain() {
    }

    public static void main(String[] argv) {
        PrintStream console = System.out;
        int rc;
        try {
            rc = run(argv, console, true);
        } catch (LocalStackException e) {
            console.flush();
            System.err.println("motflow: " + e.getMessage());
            rc = 1;
        }
        console.flush();
        // Non-daemon threads of the SDK or the servers must not keep a finished command alive.
        System.exit(rc);
    }

    static int run(String[] argv, PrintStream console, boolean handlerLogsToFile) {
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help")) {
            console.print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        String cmd = argv[0];
        List<String> positional = new ArrayList<>();
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                String key = a.substring(2);
                String value;
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                    value = argv[++i];
                } else {
                    value = "true";
                }
                opts.put(key, value);
            } else {
                positional.add(a);
            }
        }
        Path root = repoRoot();
        Path data = Path.of(opts.getOrDefault("data-dir", root.resolve(".motflow").toString())).toAbsolutePath().normalize();
        int port = intOpt(opts, "port", 8470);
        Commands commands = new Commands(root, data, port, opts, console);
        if (handlerLogsToFile) {
            redirectHandlerLogs(data);
        }
        return switch (cmd) {
            case "demo" -> commands.demo();
            case "track" -> commands.track(one(positional, "track VIDEO"));
            case "jobs" -> commands.jobs();
            case "job" -> commands.job(one(positional, "job ID"));
            case "tracks" -> commands.tracks(one(positional, "tracks ID"));
            case "retrain" -> commands.retrain(one(positional, "retrain DATASET_DIR"));
            case "serve", "local" -> commands.serve();
            default -> {
                console.print(USAGE);
                throw new LocalStackException("unknown command '" + cmd + "'");
            }
        };
    }

    private static String one(List<String> positional, String usage) {
        if (positional.size() != 1) {
            throw new LocalStackException("usage: ./motflow " + usage);
        }
        return positional.get(0);
    }

    static int intOpt(Map<String, String> opts, String name, int dflt) {
        String v = opts.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new LocalStackException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    /** The Lambda handlers print JSON logs on stdout: in the local stack they go to a file, like CloudWatch. */
    private static void redirectHandlerLogs(Path data) {
        try {
            Files.createDirectories(data.resolve("logs"));
            System.setOut(new PrintStream(Files.newOutputStream(data.resolve("logs/handlers.log"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true,
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LocalStackException("cannot write to the data folder " + data + ": " + e.getMessage());
        }
    }

    static Path repoRoot() {
        String prop = System.getProperty("motflow.repo.root");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("local/node")) && Files.isDirectory(p.resolve("containers"))) {
                System.setProperty("motflow.repo.root", p.toString());
                return p;
            }
        }
        throw new LocalStackException("cannot find the motflow repository (run through ./motflow)");
    }
}
