package dev.motflow.jobs.model;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The job lifecycle (docs/data-model.md). Transitions not listed in {@link #next()} are refused. */
public enum JobStatus {
    /** Reserved by POST /jobs; waits for its upload. */
    AWAITING_UPLOAD,
    /** The object arrived; being validated. */
    RECEIVED,
    /** A worker holds the start lease and is calling SageMaker. */
    STARTING,
    /** SageMaker accepted the work. */
    RUNNING,
    SUCCEEDED,
    /** The pipeline could not produce a result. */
    FAILED,
    /** The input is bad; retrying cannot help. */
    REJECTED;

    public Set<JobStatus> next() {
        return switch (this) {
            case AWAITING_UPLOAD -> EnumSet.of(RECEIVED);
            case RECEIVED -> EnumSet.of(STARTING, REJECTED, FAILED);
            // REJECTED after the start: the container found the input undecodable (CompletionService).
            case STARTING -> EnumSet.of(STARTING, RUNNING, FAILED, SUCCEEDED, REJECTED);
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, REJECTED);
            case SUCCEEDED, FAILED, REJECTED -> EnumSet.noneOf(JobStatus.class);
        };
    }

    public boolean canMoveTo(JobStatus target) {
        return next().contains(target);
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == REJECTED;
    }

    /** Parses a status name case-insensitively; empty when it names none. */
    public static Optional<JobStatus> parse(String s) {
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(s.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
