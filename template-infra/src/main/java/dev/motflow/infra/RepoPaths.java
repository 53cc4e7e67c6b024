package dev.motflow.infra;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locations in the repository the CDK app reads: the Lambda jar and the state machine definitions. */
public final class RepoPaths {
    public static final String JOBS_JAR = "functions/jobs/target/jobs-0.1.0-SNAPSHOT-lambda.jar";
    public static final String STREAMS_JAR = "functions/streams/target/streams-0.1.0-SNAPSHOT-lambda.jar";
    public static final String RETRAINING_JAR = "functions/retraining/target/retraining-0.1.0-SNAPSHOT-lambda.jar";

    private RepoPaths() {
    }

    /**
     * The repository root: the system property {@code motflow.repo.root} (set by surefire and the
     * launcher), else the first directory upwards from the working directory that holds {@code .ci/}
     * (so {@code cdk} run from the root or from template-infra/ both work).
     */
    public static Path repoRoot() {
        String prop = System.getProperty("motflow.repo.root");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(".ci")) && Files.isDirectory(dir.resolve("template-infra"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the motflow repository root (a directory with .ci/ and"
                + " template-infra/) above " + Path.of("").toAbsolutePath() + "; set -Dmotflow.repo.root");
    }

    /** The shaded jar of the job Lambdas; a clear error when it has not been built. */
    public static Path jobsLambdaJar(Path root) {
        return lambdaJar(root, JOBS_JAR, "functions/jobs");
    }

    /** The shaded jar of the retraining Lambdas; a clear error when it has not been built. */
    public static Path retrainingLambdaJar(Path root) {
        return lambdaJar(root, RETRAINING_JAR, "functions/retraining");
    }

    /** The shaded jar of the stream-tracking Lambda; a clear error when it has not been built. */
    public static Path streamsLambdaJar(Path root) {
        return lambdaJar(root, STREAMS_JAR, "functions/streams");
    }

    private static Path lambdaJar(Path root, String relative, String module) {
        Path jar = root.resolve(relative);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Lambda code missing: " + jar + " does not exist. Build it first:"
                    + " mvn -B -ntp -q -pl " + module + " -am package -DskipTests (./motflow synth does this)");
        }
        return jar;
    }

    /** statemachines/ of the repository, or the directory named by {@code -Dmotflow.statemachines.dir}. */
    public static Path stateMachineDir(Path root) {
        String override = System.getProperty("motflow.statemachines.dir");
        return override != null && !override.isBlank() ? Path.of(override) : root.resolve("statemachines");
    }
}
