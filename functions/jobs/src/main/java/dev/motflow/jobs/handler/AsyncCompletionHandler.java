package dev.motflow.jobs.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.motflow.common.LogContext;
import dev.motflow.jobs.service.CompletionService;

/** Async endpoint SNS success/error notifications via SQS -> finished jobs (docs/handlers.md). */
public final class AsyncCompletionHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final CompletionService service;

    public AsyncCompletionHandler() {
        this(JobsRuntime.FromEnvironment.INSTANCE.completion());
    }

    public AsyncCompletionHandler(CompletionService service) {
        this.service = service;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            return SqsBatch.process(event, service::handleAsyncNotification);
        }
    }
}
