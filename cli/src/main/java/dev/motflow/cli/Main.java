package dev.motflow.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of the Java side of {@code ./motflow}: parses with picocli, runs one subcommand and
 * maps what happened to the documented exit codes.
 */
public final class Main {
    /** The command did its job. */
    public static final int EXIT_OK = 0;
    /** The command ran and failed (a job failed, a server did not start, set-up is missing). */
    public static final int EXIT_FAILURE = 1;
    /** Bad input: unknown command or option, a bad value, a missing or malformed input file. */
    public static final int EXIT_BAD_INPUT = 2;

    private static final String[] EXIT_CODES = {
        "0:ok",
        "1:failure (the command ran and failed: a job failed, set-up is missing, ...)",
        "2:usage error (unknown command or option, bad value, missing or malformed input file)"};

    private Main() {
    }

    public static void main(String[] args) {
        int rc = run(args, System.out, System.err);
        // Non-daemon threads (SDK clients, servers of the local stack) must not keep a finished command alive.
        System.exit(rc);
    }

    /** Runs one command line; results go to {@code out}, errors (one line each) to {@code err}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine(out, err);
        int rc = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        out.flush();
        err.flush();
        return rc;
    }

    /** The whole command tree, in one help style, with the exit codes on every command's help. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new MotflowCommand(out, err));
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpAutoWidth(true);
        cli.setParameterExceptionHandler(PARAMETER_ERRORS);
        cli.setExecutionExceptionHandler(EXECUTION_ERRORS);
        style(cli);
        return cli;
    }

    private static void style(CommandLine cli) {
        CommandSpec spec = cli.getCommandSpec();
        spec.usageMessage().synopsisHeading("usage: ");
        spec.usageMessage().exitCodeListHeading("%nExit codes:%n");
        spec.usageMessage().exitCodeList(exitCodes());
        cli.getSubcommands().values().forEach(Main::style);
    }

    private static java.util.Map<String, String> exitCodes() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String line : EXIT_CODES) {
            int colon = line.indexOf(':');
            m.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return m;
    }

    /** Parse errors: one line naming the command, and where its help is. */
    private static final IParameterExceptionHandler PARAMETER_ERRORS = (ParameterException e, String[] args) -> {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + e.getMessage() + " (see ./" + name + " --help)");
        cmd.getErr().flush();
        return EXIT_BAD_INPUT;
    };

    /** Failures while running: bad input files (2), failures the user can act on (1), anything else (1, with its type). */
    private static final IExecutionExceptionHandler EXECUTION_ERRORS = (Exception e, CommandLine cmd, ParseResult parsed) -> {
        String name = cmd.getCommandSpec().qualifiedName();
        if (e instanceof UsageException) {
            cmd.getErr().println(name + ": " + e.getMessage());
            cmd.getErr().flush();
            return EXIT_BAD_INPUT;
        }
        if (e instanceof CommandFailure) {
            cmd.getErr().println(name + ": " + e.getMessage());
        } else {
            cmd.getErr().println(name + ": failed: " + e);
        }
        cmd.getErr().flush();
        return EXIT_FAILURE;
    };
}
