package dev.motflow.streams.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.motflow.common.LogContext;
import dev.motflow.common.http.HttpApiEvents;
import dev.motflow.common.http.HttpRequest;
import dev.motflow.streams.api.StreamApi;
import dev.motflow.streams.service.StreamException;

/**
 * API Gateway HTTP API (payload v2) -> {@link StreamApi} (docs/handlers.md, "Stream tracking").
 * The runtime is built in the init phase (the no-argument constructor), so SnapStart snapshots it.
 */
public final class StreamApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final StreamApi api;
    private final int maxFrameBytes;

    public StreamApiHandler() {
        this(StreamsRuntime.FromEnvironment.INSTANCE);
    }

    public StreamApiHandler(StreamsRuntime runtime) {
        this.api = runtime.api();
        this.maxFrameBytes = runtime.service().config().maxFrameBytes();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try (LogContext.Scope invocation = LogContext.invocation(context)) {
            // The size is checked on the base64 text, before decoding: an oversized frame costs no memory.
            HttpRequest request = HttpApiEvents.request(event, maxFrameBytes, "frame");
            return HttpApiEvents.response(api.handle(request));
        } catch (HttpApiEvents.Refused e) {
            String code = e.status() == 413 ? "FrameTooLarge" : e.code();
            return HttpApiEvents.response(StreamApi.error(new StreamException(e.status(), code, e.getMessage())));
        }
    }
}
