package dev.motflow.jobs.service;

import java.time.Duration;
import java.util.Map;

/**
 * When the reconciler looks at a non-terminal job (docs/handlers.md, "Reconciler"). Each deadline
 * counts from the job's last write ({@code updatedAt}): a job that moved recently is left to the
 * event path; the hard timeout counts from the same point and ends the job FAILED.
 *
 * @param awaitingUpload a reservation this old is checked for its object (the S3 event may be lost)
 * @param received a RECEIVED job this old lost its ingest worker: ingest it again
 * @param starting a STARTING job this old, with its start lease expired, is started again
 * @param running a RUNNING job this old is checked with SageMaker (processing) or S3 (async output)
 * @param hardTimeout a job RECEIVED, STARTING or RUNNING this long without a write is FAILED
 * @param resubmitLost SageMaker work that left no trace after this long is submitted again: an async
 *        inference without output or failure (same inference id, same input), a processing job SageMaker
 *        does not know (same name); null in AWS, where SageMaker always answers within its own limits;
 *        set by the local stack, whose in-flight SageMaker work dies with it
 * @param maxJobs most jobs of one state looked at in one run (a Lambda run stays well inside its timeout)
 */
public record ReconcilerConfig(Duration awaitingUpload, Duration received, Duration starting, Duration running,
                               Duration hardTimeout, Duration resubmitLost, int maxJobs) {

    public ReconcilerConfig {
        for (Duration d : new Duration[] {awaitingUpload, received, starting, running, hardTimeout}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("reconciler deadlines must be >= 0");
            }
        }
        if (hardTimeout.compareTo(running) <= 0) {
            throw new IllegalArgumentException("RECONCILE_HARD_TIMEOUT_MINUTES must exceed RECONCILE_RUNNING_SECONDS");
        }
        if (maxJobs < 1) {
            throw new IllegalArgumentException("RECONCILE_MAX_JOBS must be >= 1");
        }
    }

    /**
     * AWS defaults: an S3 event or a notification normally lands within seconds, a start lease lasts
     * 2 minutes, and a processing job or an async inference ends within its 1-hour limit: 2 hours
     * without progress is stuck.
     */
    public static ReconcilerConfig defaults() {
        return new ReconcilerConfig(Duration.ofMinutes(2), Duration.ofMinutes(2), Duration.ofMinutes(3),
                Duration.ofMinutes(5), Duration.ofHours(2), null, 500);
    }

    public static ReconcilerConfig fromMap(Map<String, String> env) {
        ReconcilerConfig d = defaults();
        String resubmit = env.get("RECONCILE_RESUBMIT_LOST_SECONDS");
        return new ReconcilerConfig(
                seconds(env, "RECONCILE_AWAITING_UPLOAD_SECONDS", d.awaitingUpload()),
                seconds(env, "RECONCILE_RECEIVED_SECONDS", d.received()),
                seconds(env, "RECONCILE_STARTING_SECONDS", d.starting()),
                seconds(env, "RECONCILE_RUNNING_SECONDS", d.running()),
                Duration.ofMinutes(JobsConfig.longOf(env, "RECONCILE_HARD_TIMEOUT_MINUTES", d.hardTimeout().toMinutes())),
                resubmit == null || resubmit.isBlank() ? null : seconds(env, "RECONCILE_RESUBMIT_LOST_SECONDS", null),
                (int) JobsConfig.longOf(env, "RECONCILE_MAX_JOBS", d.maxJobs()));
    }

    public static ReconcilerConfig fromEnvironment() {
        return fromMap(System.getenv());
    }

    private static Duration seconds(Map<String, String> env, String name, Duration dflt) {
        String v = env.get(name);
        return v == null || v.isBlank() ? dflt : Duration.ofSeconds(JobsConfig.longOf(env, name, 0));
    }
}
