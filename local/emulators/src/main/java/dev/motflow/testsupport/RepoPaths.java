package dev.motflow.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository root and the shared test data beside it. */
public final class RepoPaths {
    private RepoPaths() {
    }

    /** The repo root: system property {@code motflow.repo.root} (set by Surefire), else the first parent holding {@code .ci/}. */
    public static Path root() {
        String prop = System.getProperty("motflow.repo.root");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop, ".ci"))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(".ci")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the motflow repository root above " + dir);
    }

    /** {@code ../shared/testdata} relative to the repo root (read-only MOT data with reference values). */
    public static Path sharedTestData() {
        return root().resolveSibling("shared").resolve("testdata");
    }
}
