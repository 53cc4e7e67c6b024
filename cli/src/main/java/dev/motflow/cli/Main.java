package dev.motflow.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Entry point of the Java CLI behind ./motflow: dispatches to one {@link Command}. */
public final class Main {
    /** Exit code for bad input (missing file, malformed line, bad flag). */
    public static final int EXIT_BAD_INPUT = 2;

    private Main() {
    }

    static Map<String, Command> commands() {
        Map<String, Command> byName = new LinkedHashMap<>();
        for (Command c : List.<Command>of(new EvalCommand(), new TrackDetsCommand())) {
            byName.put(c.name(), c);
        }
        return byName;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Command> commands = commands();
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            out.println("subcommands:");
            commands.values().forEach(c -> out.printf("  %-12s %s%n", c.name(), c.summary()));
            return 0;
        }
        Command command = commands.get(args[0]);
        if (command == null) {
            err.println("motflow: unknown subcommand '" + args[0] + "' (try ./motflow help)");
            return EXIT_BAD_INPUT;
        }
        try {
            return command.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        } catch (UsageException e) {
            err.println("motflow " + command.name() + ": " + e.getMessage());
            return EXIT_BAD_INPUT;
        } catch (Exception e) {
            err.println("motflow " + command.name() + ": failed: " + e);
            return 1;
        }
    }
}
