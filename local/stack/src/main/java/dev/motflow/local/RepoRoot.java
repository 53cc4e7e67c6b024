package dev.motflow.local;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the motflow checkout is: the local system runs its node packages, containers/ code and state machines. */
public final class RepoRoot {
    private RepoRoot() {
    }

    /** {@code motflow.repo.root} (the launcher and Surefire set it), else the first parent holding local/node and containers. */
    public static Path find() {
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
