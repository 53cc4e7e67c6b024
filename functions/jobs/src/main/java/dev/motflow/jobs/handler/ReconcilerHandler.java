package dev.motflow.jobs.handler;

import java.util.LinkedHashMap;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

import dev.motflow.common.LogContext;
import dev.motflow.jobs.service.JobReconciler;

/**
 * EventBridge schedule -> one reconciliation sweep over the non-terminal jobs (docs/handlers.md,
 * "Reconciler"). The event's content is not used. A job that cannot be settled now is counted as an
 * error and retried by the next scheduled run, so the handler throws only when the sweep itself
 * cannot run (the table is unreachable): the schedule's next tick is the retry.
 */
public final class ReconcilerHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final JobReconciler reconciler;

    public ReconcilerHandler() {
        this(JobsRuntime.FromEnvironment.INSTANCE.reconciler());
    }

    public ReconcilerHandler(JobReconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            JobReconciler.Report report = reconciler.run();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("examined", report.examined());
            for (JobReconciler.Action a : JobReconciler.Action.values()) {
                out.put(a.name().toLowerCase(java.util.Locale.ROOT), report.count(a));
            }
            return out;
        }
    }
}
