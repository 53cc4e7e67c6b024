package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.motflow.common.http.Admins;
import dev.motflow.jobs.store.JobTableSchema;
import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.handler.StreamsRuntime;
import dev.motflow.streams.service.StreamsConfig;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.SageMakerStub;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import dev.motflow.common.http.Caller;
import dev.motflow.common.http.HttpApiEvents;
import dev.motflow.jobs.service.Tenancy;

/** The local API's caller: the IAM user of {@code X-Motflow-Caller}, else the admin {@code local}; for jobs and streams. */
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

    private static HttpResponse<String> send(HttpClient http, URI uri, String caller, String method, byte[] body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("X-Frame-Index", "1")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (caller != null) {
            b.header("X-Motflow-Caller", caller);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void streamsAreTheCallersOwnLocallyAndTheLocalAdminSeesThemAll() throws Exception {
        // The stream handler as LocalStack wires it (its admins), on dynalite and the SageMaker stub.
        LocalAws aws = LocalAws.shared();
        String table = aws.uniqueName("localstreams");
        aws.dynamo().createTable(JobTableSchema.createTableRequest(table));
        aws.dynamo().waiter().waitUntilTableExists(b -> b.tableName(table));
        String endpoint = aws.uniqueName("frames");
        aws.sageMaker().onInvoke(endpoint, (type, body) -> SageMakerStub.InvokeResponse.json(
                "{\"width\":64,\"height\":48,\"detections\":[]}"));
        SageMakerRuntimeClient runtime = SageMakerRuntimeClient.builder().endpointOverride(aws.sageMaker().endpoint())
                .region(LocalAws.REGION).credentialsProvider(LocalAws.CREDENTIALS)
                .httpClient(UrlConnectionHttpClient.create()).build();
        StreamApiHandler streams = new StreamApiHandler(StreamsRuntime.create(StreamsConfig.of(table, endpoint),
                aws.dynamo(), runtime, Clock.systemUTC(), StreamsRuntime.CONFLICT_BACKOFF, LocalStack.localAdmins()));
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0};
        try (LocalApiServer server = new LocalApiServer(0, m -> { })) {
            server.start(new LocalApiServer.Routes(null, streams, null, () -> "[]", null));
            HttpClient http = HttpClient.newHttpClient();
            URI frames = server.url().resolve("/streams/cam-ana/frames");
            URI stream = server.url().resolve("/streams/cam-ana");
            assertEquals(200, send(http, frames, "ana", "POST", jpeg).statusCode());
            HttpResponse<String> bo = send(http, stream, "bo", "GET", null);
            assertEquals(404, bo.statusCode(), bo.body());
            assertTrue(bo.body().contains("\"StreamNotFound\""), bo.body());
            assertEquals(404, send(http, stream, "bo", "DELETE", null).statusCode());
            HttpResponse<String> admin = send(http, stream, null, "GET", null);
            assertEquals(200, admin.statusCode(), admin.body());
            assertTrue(admin.body().contains("\"owner\":\"iam:" + LocalApiServer.callerArn("ana") + "\""), admin.body());
            assertEquals(401, send(http, stream, "ana/../bo", "GET", null).statusCode(), "a malformed name is no caller");
            URI list = server.url().resolve("/streams");
            assertTrue(send(http, list, "ana", "GET", null).body().contains("\"streamId\":\"cam-ana\""));
            assertEquals("{\"streams\":[]}", send(http, list, "bo", "GET", null).body());
            assertEquals(204, send(http, stream, "ana", "DELETE", null).statusCode());
        }
    }
}
