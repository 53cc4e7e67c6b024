package dev.motflow.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * API Gateway's HTTP API, locally: a JDK HTTP server on 127.0.0.1 that builds payload v2 events
 * for the $default stage with an IAM caller ({@link #toEvent}), calls the real API handlers (the routes of docs/handlers.md) and
 * writes their responses back. Plus {@code GET /local/executions}: the retraining executions of
 * this process, which the CLI follows, and the web console's static files on every other
 * {@code GET} ({@code /} is the console), on the same origin as the API.
 */
final class LocalApiServer implements AutoCloseable {
    /** The handlers behind the routes. */
    record Routes(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> jobs,
                  RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> streams,
                  RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> retraining,
                  Supplier<String> executionsJson, ConsoleFiles console) {
    }

    private final HttpServer server;
    private final Consumer<String> log;

    /** Binds the port at once: a port in use is the most likely user error, reported before anything else starts. */
    LocalApiServer(int port, Consumer<String> log) {
        this.server = LoopbackServers.bind(port);
        this.log = log;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void start(Routes routes) {
        server.createContext("/", ex -> serve(ex, routes));
        server.setExecutor(Executors.newFixedThreadPool(8, LoopbackServers.daemon("api")));
        server.start();
    }

    private void serve(HttpExchange ex, Routes routes) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            APIGatewayV2HTTPResponse r;
            try {
                if (path.equals("/local/executions")) {
                    r = json(200, routes.executionsJson().get());
                } else {
                    APIGatewayV2HTTPEvent event = toEvent(ex);
                    if (path.equals("/jobs") || path.startsWith("/jobs/")) {
                        r = routes.jobs().handleRequest(event, null);
                    } else if (path.equals("/streams") || path.startsWith("/streams/")) {
                        r = routes.streams().handleRequest(event, null);
                    } else if (path.equals("/retraining") || path.startsWith("/retraining/")) {
                        r = routes.retraining().handleRequest(event, null);
                    } else if (routes.console() != null && (ex.getRequestMethod().equals("GET") || ex.getRequestMethod().equals("HEAD"))) {
                        r = routes.console().find(path, ex.getRequestHeaders().getFirst("If-Modified-Since"))
                                .map(LocalApiServer::file).orElseGet(() -> json(404, "{\"message\":\"Not Found\"}"));
                    } else {
                        r = json(404, "{\"message\":\"Not Found\"}");
                    }
                }
            } catch (RuntimeException e) {
                log.accept("API " + ex.getRequestMethod() + " " + path + " failed: " + e);
                r = json(500, "{\"message\":\"Internal Server Error\"}");
            }
            write(ex, r);
        }
    }

    private static APIGatewayV2HTTPResponse file(ConsoleFiles.File f) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(f.body() == null ? 304 : 200).withHeaders(f.headers())
                .withBody(f.body() == null ? null : Base64.getEncoder().encodeToString(f.body())).withIsBase64Encoded(true).build();
    }

    private static APIGatewayV2HTTPResponse json(int status, String body) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status).withHeaders(Map.of("Content-Type", "application/json"))
                .withBody(body).build();
    }

    private static void write(HttpExchange ex, APIGatewayV2HTTPResponse r) throws IOException {
        byte[] out = r.getBody() == null ? new byte[0]
                : r.getIsBase64Encoded() ? Base64.getDecoder().decode(r.getBody()) : r.getBody().getBytes(StandardCharsets.UTF_8);
        if (r.getHeaders() != null) {
            r.getHeaders().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        }
        if (r.getMultiValueHeaders() != null) {
            r.getMultiValueHeaders().forEach((k, v) -> v.forEach(x -> ex.getResponseHeaders().add(k, x)));
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(r.getStatusCode(), out.length == 0 || head ? -1 : out.length);
        if (out.length > 0 && !head) {
            ex.getResponseBody().write(out);
        }
    }

    /** The header that names a local caller (tests, a second user); without it the caller is {@link #DEFAULT_CALLER}. */
    static final String CALLER_HEADER = "x-motflow-caller";
    /** The local caller when a request names none: the stack's admin (LocalStack lists it). */
    static final String DEFAULT_CALLER = "local";
    private static final String LOCAL_ACCOUNT = "000000000000";
    private static final java.util.regex.Pattern CALLER_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9+=,.@_-]{1,64}");

    /** The IAM user ARN API Gateway's IAM authorizer would report for local user {@code name}. */
    static String callerArn(String name) {
        return "arn:aws:iam::" + LOCAL_ACCOUNT + ":user/" + name;
    }

    /**
     * An HTTP API payload v2 event for the $default stage, as API Gateway builds it. The IAM
     * authorizer's caller is the user named by {@value #CALLER_HEADER} (an IAM user name), else
     * {@value #DEFAULT_CALLER}; a malformed name gives no caller (the API answers 401).
     */
    static APIGatewayV2HTTPEvent toEvent(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, String> headers = new HashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        String query = ex.getRequestURI().getRawQuery();
        Map<String, String> params = null;
        if (query != null && !query.isEmpty()) {
            params = new LinkedHashMap<>();
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.merge(k, v, (a, b) -> a + "," + b);
            }
        }
        String contentType = headers.getOrDefault("content-type", "");
        boolean text = contentType.startsWith("application/json") || contentType.startsWith("text/");
        String path = ex.getRequestURI().getRawPath();
        String callerName = headers.remove(CALLER_HEADER);
        if (callerName == null) {
            callerName = DEFAULT_CALLER;
        }
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = CALLER_NAME.matcher(callerName).matches()
                ? APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                        .withIam(APIGatewayV2HTTPEvent.RequestContext.IAM.builder().withUserArn(callerArn(callerName))
                                .withAccountId(LOCAL_ACCOUNT).build()).build()
                : null;
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRouteKey("$default").withRawPath(path).withRawQueryString(query == null ? "" : query)
                .withHeaders(headers).withQueryStringParameters(params)
                .withBody(body.length == 0 ? null : text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0 && !text)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default")
                        .withRequestId(UUID.randomUUID().toString())
                        .withAuthorizer(authorizer)
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(ex.getRequestMethod())
                                .withPath(path).withProtocol("HTTP/1.1").withSourceIp("127.0.0.1").build())
                        .build())
                .build();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
