package dev.motflow.cli.launcher;

import java.util.List;
import java.util.concurrent.Callable;

import dev.motflow.cli.CommandFailure;
import dev.motflow.cli.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The commands the {@code ./motflow} script runs itself (they drive Maven, npm and Python set-up, so
 * they are shell): declared here only so that the help lists every command in one style.
 */
public final class LauncherCommands {
    private LauncherCommands() {
    }

    /** Shared behaviour: reached only when the Java CLI is run directly instead of through the script. */
    abstract static class ScriptCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Override
        public Integer call() {
            throw new CommandFailure("'" + spec.name() + "' is run by the launcher script: ./motflow " + spec.name());
        }
    }

    @Command(name = "test", description = {"Set up a fresh machine and run every test (what CI runs).",
        "mvn verify over all modules, then the Python suites (tools/crosscheck, containers/)."})
    public static final class Test extends ScriptCommand {
    }

    @Command(name = "setup", description = "Only the set-up: node packages in local/node/, the Python venvs (.venv, containers/.venv).")
    public static final class Setup extends ScriptCommand {
    }

    @Command(name = "bench", description = "JMH benchmarks of benchmarks/ (figures printed, never asserted); JMH options pass through.")
    public static final class Bench extends ScriptCommand {
        @Parameters(arity = "0..*", paramLabel = "REGEX|JMH-OPTION", description = "benchmarks to run (a regex) and JMH options")
        List<String> jmh;
    }

    @Command(name = "bench-trackers", description = {
        "motflow's appearance-free policy next to the pip `trackers` peers (SORT, ByteTrack, OC-SORT, BoT-SORT, C-BIoU)",
        "on the same detections (tools/tracking-eval's sets), all scored by TrackEval: HOTA/MOTA/IDF1/IDSW/FPS per set,",
        "mean, worst set, best peer. Makes benchmarks/trackers/.venv on first use (needs PyPI once)."})
    public static final class BenchTrackers extends ScriptCommand {
        @Option(names = "--sets", paramLabel = "a,b", description = "only these sets (default: all 12)")
        String sets;

        @Option(names = "--variants", paramLabel = "a,b", description = "motflow variants of tools/tracking-eval (default: bytetrack-reference,default)")
        String variants;

        @Option(names = "--peers", paramLabel = "a,b", description = "peers to run (default: sort,bytetrack,ocsort,botsort,cbiou)")
        String peers;

        @Option(names = "--no-peers", description = "score motflow's variants only")
        boolean noPeers;

        @Option(names = "--json", paramLabel = "FILE", description = "also write every score and the summary as JSON")
        String json;
    }

    @Command(name = "synth", description = {"CloudFormation templates of the CDK app into cdk.out/ (offline).",
        "Applies the cdk-nag AwsSolutions checks; exits non-zero on an unsuppressed finding."})
    public static final class Synth extends ScriptCommand {
        @Option(names = "-c", paramLabel = "KEY=VALUE", description = "CDK context, e.g. -c stage=prod -c asyncMaxInstances=4")
        List<String> context;
    }
}
