package dev.motflow.jobs.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds ../shared/testdata from the repository root (system property motflow.repo.root, else walking up to .ci/). */
public final class TestData {
    private TestData() {
    }

    public static Path repoRoot() {
        String prop = System.getProperty("motflow.repo.root");
        if (prop != null && Files.isDirectory(Path.of(prop, ".ci"))) {
            return Path.of(prop);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve(".ci"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root (a folder with .ci/) not found");
        }
        return p;
    }

    public static Path tudCampusResult() {
        Path f = repoRoot().resolve("../shared/testdata/mot15/TUD-Campus/result-cem.txt").normalize();
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException("test data missing: " + f + " (see ../shared/testdata/README.md)");
        }
        return f;
    }
}
