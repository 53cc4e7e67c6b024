package dev.motflow.mot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates ../shared/testdata relative to the repository root. */
public final class TestData {
    private TestData() {
    }

    public static Path repoRoot() {
        String prop = System.getProperty("motflow.repo.root");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Paths.get(prop, ".ci"))) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve(".ci"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("repository root (a folder with .ci/) not found");
        }
        return dir;
    }

    /** A path under ../shared/testdata. */
    public static Path file(String relative) {
        return repoRoot().resolve("../shared/testdata").resolve(relative).normalize();
    }
}
