package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.motflow.jobs.store.JobTableSchema;
import dev.motflow.testsupport.LocalAws;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A supervised node server (dynalite) killed with -9 comes back on its port with its data, the
 * restart logged; a closed one is not restarted.
 */
class ChildProcessTest {
    @Test
    void aKilledServerComesBackOnItsPortWithItsDataAndAClosedOneStaysDown(@TempDir Path data) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        ChildProcess dynalite = ChildProcess.startNode("dynalite", RepoRoot.find(), "dynalite-server.mjs",
                List.of("--path", data.resolve("dynamodb").toString(), "--port", "0"), data.resolve("logs"),
                Duration.ofSeconds(60)).supervise(log::add);
        try {
            DynamoDbClient dynamo = LocalAws.dynamoClient(dynalite.endpoint());
            dynamo.createTable(JobTableSchema.createTableRequest("before-kill"));
            long first = dynalite.pid();
            ProcessHandle.of(first).orElseThrow().destroyForcibly();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // The supervisor swaps the process before it logs the restart: wait for the log line.
            while (log.stream().noneMatch(l -> l.startsWith("dynalite restarted on port ")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertNotEquals(first, dynalite.pid(), "restarted: " + log);
            assertTrue(log.stream().anyMatch(l -> l.startsWith("dynalite exited (killed by signal 9); restarting it on port "
                    + dynalite.port())), log.toString());
            assertTrue(log.stream().anyMatch(l -> l.equals("dynalite restarted on port " + dynalite.port()
                    + " (pid " + dynalite.pid() + ")")), log.toString());
            // Same endpoint, same folder: the table made before the kill is there.
            assertEquals(List.of("before-kill"), dynamo.listTables().tableNames());

            long second = dynalite.pid();
            dynalite.close();
            Thread.sleep(1500);
            assertFalse(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false));
            assertEquals(second, dynalite.pid(), "a closed server is not restarted");
        } finally {
            dynalite.close();
        }
    }
}
