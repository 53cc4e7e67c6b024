package dev.motflow.jobs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.motflow.jobs.model.HistoryEntry;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.Route;
import dev.motflow.jobs.testing.Local;

class JobRepositoryTest {
    private static final Local LOCAL = new Local();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-25T06:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final JobRepository jobs = new JobRepository(LOCAL.aws.dynamo(), LOCAL.table, clock);

    @Test
    void createIsOncePerId() {
        String id = JobIds.random();
        assertTrue(jobs.create(id, JobStatus.RECEIVED, "arrived", JobUpdate.of().set(JobField.SRC_KEY, "incoming/a.mp4")).isPresent());
        assertTrue(jobs.create(id, JobStatus.RECEIVED, "again", JobUpdate.of()).isEmpty());
        Job job = jobs.get(id).orElseThrow();
        assertEquals("incoming/a.mp4", job.source().key());
        assertEquals(1, job.version());
        assertEquals(List.of(new HistoryEntry(JobStatus.RECEIVED, now.get(), "arrived")), job.history());
    }

    @Test
    void transitionsAreCompareAndSetOnStatusAndVersion() {
        String id = JobIds.random();
        Job received = jobs.create(id, JobStatus.RECEIVED, "arrived", JobUpdate.of()).orElseThrow();
        now.set(now.get().plusSeconds(5));
        Job starting = jobs.transition(received, JobStatus.STARTING, "go", JobUpdate.of().set(JobField.ROUTE, Route.ASYNC_ENDPOINT));
        assertEquals(JobStatus.STARTING, starting.status());
        assertEquals(2, starting.version());
        assertEquals(Instant.parse("2026-11-25T06:00:05.000Z"), starting.updatedAt());
        // A second writer that read the RECEIVED version loses.
        assertThrows(StaleJobException.class, () -> jobs.transition(received, JobStatus.REJECTED, "late", JobUpdate.of()));
        assertThrows(IllegalTransitionException.class, () -> jobs.transition(starting, JobStatus.RECEIVED, "back", JobUpdate.of()));
        Job running = jobs.transition(starting, JobStatus.RUNNING, null, JobUpdate.of().remove(JobField.ROUTE));
        assertEquals(null, running.video().route());
        assertEquals(null, running.statusReason());
        assertEquals(List.of(JobStatus.RECEIVED, JobStatus.STARTING, JobStatus.RUNNING),
                running.history().stream().map(HistoryEntry::status).toList());
    }

    @Test
    void historyIsBounded() {
        String id = JobIds.random();
        Job job = jobs.create(id, JobStatus.RECEIVED, "arrived", JobUpdate.of()).orElseThrow();
        job = jobs.transition(job, JobStatus.STARTING, "attempt 1", JobUpdate.of());
        for (int i = 2; i <= 20; i++) {
            job = jobs.transition(job, JobStatus.STARTING, "attempt " + i, JobUpdate.of());
        }
        List<HistoryEntry> h = jobs.get(id).orElseThrow().history();
        assertEquals(JobRepository.MAX_HISTORY, h.size());
        assertEquals("attempt 20", h.get(h.size() - 1).reason());
        assertEquals("attempt 5", h.get(0).reason());
        assertEquals(21, job.version());
    }

    @Test
    void listsByStatusNewestFirstInPages() {
        JobStatus status = JobStatus.REJECTED;
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            now.set(Instant.parse("2026-11-25T07:00:00Z").plus(Duration.ofSeconds(i)));
            String id = JobIds.random();
            Job j = jobs.create(id, JobStatus.RECEIVED, "arrived", JobUpdate.of()).orElseThrow();
            jobs.transition(j, status, "bad", JobUpdate.of());
            created.add(0, id);
        }
        List<String> seen = new ArrayList<>();
        PageKey start = null;
        int pages = 0;
        do {
            Page<Job> p = jobs.listByStatus(status, 3, start);
            p.items().forEach(j -> seen.add(j.jobId()));
            start = p.lastKey();
            pages++;
        } while (start != null && pages < 10);
        assertEquals(created, seen.subList(0, 7));
    }
}
