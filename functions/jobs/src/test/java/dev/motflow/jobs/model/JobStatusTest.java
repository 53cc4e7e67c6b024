package dev.motflow.jobs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JobStatusTest {
    @Test
    void lifecycleAllowsOnlyTheDocumentedMoves() {
        assertTrue(JobStatus.RECEIVED.canMoveTo(JobStatus.STARTING));
        assertTrue(JobStatus.STARTING.canMoveTo(JobStatus.RUNNING));
        assertTrue(JobStatus.RUNNING.canMoveTo(JobStatus.SUCCEEDED));
        assertFalse(JobStatus.RECEIVED.canMoveTo(JobStatus.SUCCEEDED));
        assertFalse(JobStatus.RUNNING.canMoveTo(JobStatus.STARTING));
        // the container found the input undecodable after the start
        assertTrue(JobStatus.RUNNING.canMoveTo(JobStatus.REJECTED));
        assertTrue(JobStatus.STARTING.canMoveTo(JobStatus.REJECTED));
        for (JobStatus terminal : new JobStatus[] {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.REJECTED}) {
            assertTrue(terminal.terminal());
            assertTrue(terminal.next().isEmpty());
        }
    }

    @Test
    void idsAreDeterministicPerObjectVersionAndFitSageMakerNames() {
        S3ObjectRef a = new S3ObjectRef("b", "incoming/x.mp4", null, "etag1", "0055AED6DCD90281E5", 10);
        S3ObjectRef again = new S3ObjectRef("b", "incoming/x.mp4", null, "etag1", "0055AED6DCD90281E5", 10);
        S3ObjectRef overwrite = new S3ObjectRef("b", "incoming/x.mp4", null, "etag1", "0055AED6DCD90281F0", 10);
        assertEquals(JobIds.forObject(a), JobIds.forObject(again));
        assertFalse(JobIds.forObject(a).equals(JobIds.forObject(overwrite)));
        assertTrue(JobIds.valid(JobIds.forObject(a)));
        String name = JobIds.processingJobName(JobIds.forObject(a));
        assertTrue(name.matches("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"), name);
        assertEquals(JobIds.forObject(a), JobIds.fromProcessingJobName(name));
        assertEquals(null, JobIds.fromProcessingJobName("someone-elses-job"));
    }
}
