package dev.motflow.jobs.handler;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.common.LogContext;
import dev.motflow.jobs.service.CompletionService;
import dev.motflow.jobs.service.Outcome;

/**
 * EventBridge "SageMaker Processing Job State Change" -> finished jobs (docs/handlers.md). Bad or
 * foreign events are recorded and return normally; only a transient failure throws
 * {@link RetryLaterException}, which makes Lambda's asynchronous invocation retry the event (and
 * then send it to the function's on-failure destination).
 */
public final class ProcessingJobEventHandler implements RequestHandler<Map<String, Object>, Void> {
    private static final ObjectMapper JSON = dev.motflow.jobs.JobsJson.MAPPER;
    private final CompletionService service;

    public ProcessingJobEventHandler() {
        this(JobsRuntime.FromEnvironment.INSTANCE.completion());
    }

    public ProcessingJobEventHandler(CompletionService service) {
        this.service = service;
    }

    /** Signals Lambda to retry the event later. */
    public static final class RetryLaterException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RetryLaterException(String message) {
            super(message);
        }
    }

    @Override
    public Void handleRequest(Map<String, Object> event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            JsonNode node = event == null ? null : JSON.valueToTree(event);
            if (service.handleProcessingEvent(node) == Outcome.RETRY) {
                throw new RetryLaterException("processing job event could not be applied now; retry");
            }
            return null;
        }
    }
}
