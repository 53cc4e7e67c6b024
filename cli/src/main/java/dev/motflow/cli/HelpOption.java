package dev.motflow.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} on every command, the same way. */
public final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
}
