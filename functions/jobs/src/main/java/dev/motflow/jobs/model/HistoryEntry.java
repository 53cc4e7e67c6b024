package dev.motflow.jobs.model;

import java.time.Instant;

/** One status change of a job: what it became, when, and why. */
public record HistoryEntry(JobStatus status, Instant at, String reason) {
}
