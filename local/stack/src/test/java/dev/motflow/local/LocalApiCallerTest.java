package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.motflow.common.http.Admins;
import dev.motflow.common.http.Caller;
import dev.motflow.common.http.HttpApiEvents;
import dev.motflow.jobs.service.Tenancy;

/** The local API's caller: the IAM user of {@code X-Motflow-Caller}, else the admin {@code local}. */
class LocalApiCallerTest {
    @Test
    void theCallerIsTheNamedUserElseTheLocalAdmin() throws Exception {
        List<String> seen = new ArrayList<>();
        try (LocalApiServer server = new LocalApiServer(0, m -> { })) {
            server.start(new LocalApiServer.Routes((event, ctx) -> {
                Caller c = HttpApiEvents.request(event).caller();
                seen.add((c == null ? "none" : c.owner()) + " header=" + event.getHeaders().get(LocalApiServer.CALLER_HEADER));
                return APIGatewayV2HTTPResponse.builder().withStatusCode(200).withBody("{}").build();
            }, null, null, () -> "[]", null));
            HttpClient http = HttpClient.newHttpClient();
            URI jobs = server.url().resolve("/jobs");
            http.send(HttpRequest.newBuilder(jobs).GET().build(), HttpResponse.BodyHandlers.discarding());
            http.send(HttpRequest.newBuilder(jobs).header("X-Motflow-Caller", "ana").GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            http.send(HttpRequest.newBuilder(jobs).header("X-Motflow-Caller", "ana/../bo").GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        assertEquals(List.of("iam:arn:aws:iam::000000000000:user/local header=null",
                "iam:arn:aws:iam::000000000000:user/ana header=null", "none header=null"), seen);
        // The same admins for jobs and streams: the default caller; a named one sees only its own.
        Tenancy local = LocalStack.localTenancy();
        Admins streams = LocalStack.localAdmins();
        Caller admin = Caller.iam(LocalApiServer.callerArn(LocalApiServer.DEFAULT_CALLER));
        Caller ana = Caller.iam(LocalApiServer.callerArn("ana"));
        assertEquals(true, local.isAdmin(admin));
        assertEquals(false, local.isAdmin(ana));
        assertEquals(true, streams.maySee(admin, "iam:" + LocalApiServer.callerArn("bo")));
        assertEquals(false, streams.maySee(ana, "iam:" + LocalApiServer.callerArn("bo")));
    }
}
