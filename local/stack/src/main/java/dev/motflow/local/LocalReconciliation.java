package dev.motflow.local;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.motflow.jobs.service.JobReconciler;
import dev.motflow.jobs.service.ReconcilerConfig;

/**
 * The job reconciler of the local stack (the scheduled Lambda of the CDK app): once at start, where
 * everything non-terminal is due (nothing of an earlier process is still running: its SageMaker work
 * died with it, so lost work is submitted again and its start leases are released at once), then every
 * minute with the local deadlines.
 */
final class LocalReconciliation implements AutoCloseable {
    /**
     * Local deadlines: shorter than in AWS (one machine, short videos); the start lease (2 minutes) is
     * still respected; lost SageMaker work is submitted again after 10 minutes without a trace.
     */
    static final ReconcilerConfig EVERY_MINUTE = new ReconcilerConfig(Duration.ofSeconds(30), Duration.ofSeconds(60),
            Duration.ofSeconds(150), Duration.ofSeconds(60), Duration.ofMinutes(60), Duration.ofMinutes(10), 500);
    /** At start: every open job is due at once. */
    static final ReconcilerConfig AT_START = new ReconcilerConfig(Duration.ZERO, Duration.ZERO, Duration.ZERO,
            Duration.ZERO, Duration.ofMinutes(60), Duration.ZERO, 500);
    static final long PERIOD_SECONDS = 60;

    private final JobReconciler reconciler;
    private final Consumer<String> log;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reconciler");
        t.setDaemon(true);
        return t;
    });

    LocalReconciliation(JobReconciler reconciler, Consumer<String> log) {
        this.reconciler = reconciler;
        this.log = log;
    }

    /** {@code processStarted}: what the last process wrote before this instant has no live worker any more. */
    LocalReconciliation start(java.time.Instant processStarted) {
        timer.execute(() -> sweep(reconciler.withDeadlines(AT_START).withWorkersLostBefore(processStarted), "at start"));
        timer.scheduleWithFixedDelay(() -> sweep(reconciler, "periodic"), PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
        return this;
    }

    private void sweep(JobReconciler r, String which) {
        try {
            JobReconciler.Report report = r.run();
            int acted = report.examined() - report.count(JobReconciler.Action.WAITING);
            if (acted > 0) {
                log.accept("reconciler (" + which + "): " + report.examined() + " open job(s) looked at: " + report.actions());
            }
        } catch (RuntimeException e) {
            log.accept("reconciler (" + which + ") failed; the next run retries: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
