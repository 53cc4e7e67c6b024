package dev.motflow.jobs.handler;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.motflow.common.LogContext;
import dev.motflow.common.http.HttpApiEvents;
import dev.motflow.jobs.api.JobApi;

/** API Gateway HTTP API (payload v2) -> {@link JobApi} (docs/handlers.md). */
public final class ApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final JobApi api;

    public ApiHandler() {
        this(FromEnvironment.API);
    }

    public ApiHandler(JobApi api) {
        this.api = api;
    }

    /** The Lambda's API, built on first use (the init phase); only the API function needs its secret. */
    private static final class FromEnvironment {
        static final JobApi API = JobsRuntime.apiFromEnvironment();

        private FromEnvironment() {
        }
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            return HttpApiEvents.response(api.handle(HttpApiEvents.request(event)));
        } catch (HttpApiEvents.Refused e) {
            return HttpApiEvents.response(JobApi.error(e.status(), e.code(), e.getMessage(), Map.of()));
        }
    }
}
