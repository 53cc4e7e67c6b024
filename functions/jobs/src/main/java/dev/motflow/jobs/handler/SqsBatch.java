package dev.motflow.jobs.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.motflow.common.JsonLog;
import dev.motflow.common.LogContext;
import dev.motflow.jobs.service.Outcome;

/** Runs each SQS message through a service and reports the ones to retry as batch item failures. */
final class SqsBatch {
    private static final JsonLog LOG = JsonLog.get(SqsBatch.class);

    private SqsBatch() {
    }

    static SQSBatchResponse process(SQSEvent event, BiFunction<String, String, Outcome> service) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        if (event == null || event.getRecords() == null) {
            LOG.warn("empty SQS event");
            return new SQSBatchResponse(failures);
        }
        for (SQSEvent.SQSMessage m : event.getRecords()) {
            Outcome outcome;
            // Each message's lines carry its id; the job id the service binds ends with the message.
            try (LogContext.Scope message = LogContext.with("messageId", m.getMessageId())) {
                outcome = service.apply(m.getMessageId(), m.getBody());
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
                LOG.error("message handling failed unexpectedly; it will be retried", e, "messageId", m.getMessageId());
                outcome = Outcome.RETRY;
            }
            if (outcome == Outcome.RETRY) {
                failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }
}
