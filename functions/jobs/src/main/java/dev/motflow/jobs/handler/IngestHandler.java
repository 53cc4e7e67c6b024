package dev.motflow.jobs.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.motflow.common.LogContext;
import dev.motflow.jobs.service.IngestService;

/** S3 ObjectCreated notifications via SQS -> jobs (docs/handlers.md). */
public final class IngestHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final IngestService service;

    public IngestHandler() {
        this(JobsRuntime.FromEnvironment.INSTANCE.ingest());
    }

    public IngestHandler(IngestService service) {
        this.service = service;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            return SqsBatch.process(event, service::handleMessage);
        }
    }
}
