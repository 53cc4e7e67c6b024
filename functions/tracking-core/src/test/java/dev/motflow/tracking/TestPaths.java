package dev.motflow.tracking;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the repository root: the {@code motflow.repo.root} property, else the nearest folder with {@code .ci/}. */
final class TestPaths {
    private TestPaths() {
    }

    static Path repoRoot() {
        String prop = System.getProperty("motflow.repo.root");
        if (prop != null && !prop.isEmpty()) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve(".ci"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("repository root not found (no .ci/ above the working directory)");
    }
}
