package dev.motflow.streams.api;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.motflow.common.JsonLog;
import dev.motflow.common.http.Caller;
import dev.motflow.common.http.HttpRequest;
import dev.motflow.common.http.HttpResponse;
import dev.motflow.streams.service.FrameRules;
import dev.motflow.streams.service.StreamException;
import dev.motflow.streams.service.StreamService;
import dev.motflow.streams.service.StreamService.FrameResult;
import dev.motflow.streams.service.StreamService.StreamStatus;
import dev.motflow.streams.service.StreamsConfig;
import dev.motflow.tracking.Policy;

/**
 * The stream routes (docs/handlers.md): {@code GET /streams}, {@code POST /streams/{streamId}/frames},
 * {@code GET /streams/{streamId}}, {@code DELETE /streams/{streamId}}, each on the caller's own
 * streams (an admin's: any). Errors are JSON {@code {"error": code, "message": text, ...}}; a request
 * without an authenticated caller is 401 {@code Unauthenticated} whatever its route.
 */
public final class StreamApi {
    private static final JsonLog LOG = JsonLog.get(StreamApi.class);
    private static final Map<String, String> JSON_TYPE = Map.of("Content-Type", "application/json");
    public static final String FRAME_HEADER = "x-frame-index";
    public static final String FRAME_QUERY = "frame";
    public static final String POLICY_QUERY = "policy";

    private final StreamService service;

    public StreamApi(StreamService service) {
        this.service = service;
    }

    public HttpResponse handle(HttpRequest request) {
        String method = request.method();
        String path = request.path() == null ? "" : request.path();
        String[] parts = path.startsWith("/") ? path.substring(1).split("/", -1) : path.split("/", -1);
        String streamId = parts.length >= 2 ? parts[1] : null;
        Caller caller = request.caller();
        try {
            if (caller == null) {
                throw new StreamException(401, "Unauthenticated", "the request carries no authenticated caller;"
                        + " sign it with IAM credentials (SigV4) or send the console's Cognito token");
            }
            if (parts.length == 3 && "streams".equals(parts[0]) && "frames".equals(parts[2])) {
                if (!"POST".equals(method)) {
                    return methodNotAllowed(method, path, "POST");
                }
                return postFrame(caller, streamId, request);
            }
            if (parts.length == 1 && "streams".equals(parts[0])) {
                if (!"GET".equals(method)) {
                    return methodNotAllowed(method, path, "GET");
                }
                return listStreams(caller, request);
            }
            if (parts.length == 2 && "streams".equals(parts[0])) {
                return switch (method) {
                    case "DELETE" -> {
                        service.reset(caller, streamId);
                        yield new HttpResponse(204, Map.of(), "");
                    }
                    case "GET" -> getStream(caller, streamId);
                    default -> methodNotAllowed(method, path, "GET, DELETE");
                };
            }
            return error(new StreamException(404, "NotFound", "no route " + method + " " + FrameRules.printable(path)
                    + "; the stream API has GET /streams, POST /streams/{streamId}/frames, GET and DELETE /streams/{streamId}"));
        } catch (StreamException e) {
            log(e, streamId, request);
            return error(e);
        } catch (RuntimeException e) {
            LOG.error("request failed", e, "streamId", streamId, "method", method);
            return error(new StreamException(500, "InternalError", "the request failed unexpectedly; try again"));
        }
    }

    private HttpResponse postFrame(Caller caller, String streamId, HttpRequest request) {
        FrameRules.requireStreamId(streamId);
        long frame = frameIndex(request);
        Policy policy = null;
        String p = request.query().get(POLICY_QUERY);
        if (p != null) {
            try {
                policy = StreamsConfig.parsePolicy(p);
            } catch (IllegalArgumentException e) {
                throw StreamException.badRequest("InvalidPolicy", e.getMessage());
            }
        }
        FrameResult r = service.processFrame(caller, new StreamService.FrameRequest(streamId, frame, request.body(), policy));
        String body = StreamJson.frame(r);
        long trackNanos = System.nanoTime() - r.detectionsAtNanos();
        Map<String, String> headers = new LinkedHashMap<>(JSON_TYPE);
        // Server-Timing: the model call, and everything after the detections were in hand
        // (state read, association, encoding, conditional write with retries, response JSON).
        // The last attempt's parts: consistent read, association (decode/update/encode), conditional write.
        headers.put("Server-Timing", String.format(Locale.ROOT,
                "model;dur=%.3f, track;dur=%.3f, db-read;dur=%.3f, assoc;dur=%.3f, db-write;dur=%.3f",
                r.modelNanos() / 1e6, trackNanos / 1e6, r.timing().readNanos() / 1e6, r.timing().associateNanos() / 1e6,
                r.timing().writeNanos() / 1e6));
        return new HttpResponse(200, headers, body);
    }

    private static long frameIndex(HttpRequest request) {
        String header = request.header(FRAME_HEADER);
        String query = request.query().get(FRAME_QUERY);
        if (header == null && query == null) {
            throw StreamException.badRequest("MissingFrameIndex", "the frame index is missing: send it in the"
                    + " X-Frame-Index header or the 'frame' query parameter (a non-negative integer, increasing per stream)");
        }
        Long fromHeader = header == null ? null : FrameRules.parseFrameIndex(header, "the X-Frame-Index header");
        Long fromQuery = query == null ? null : FrameRules.parseFrameIndex(query, "the 'frame' query parameter");
        if (fromHeader != null && fromQuery != null && !fromHeader.equals(fromQuery)) {
            throw StreamException.badRequest("InvalidFrameIndex", "the X-Frame-Index header (" + fromHeader
                    + ") and the 'frame' query parameter (" + fromQuery + ") disagree");
        }
        return fromHeader != null ? fromHeader : fromQuery;
    }

    private HttpResponse listStreams(Caller caller, HttpRequest request) {
        String limit = request.query().get("limit");
        int n = 20;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit.strip());
            } catch (NumberFormatException e) {
                throw StreamException.badRequest("InvalidLimit", "limit must be a whole number 1.."
                        + StreamService.MAX_LIST_LIMIT + ", got '" + FrameRules.printable(limit) + "'");
            }
        }
        StreamService.StreamList list = service.list(caller, n, request.query().get("nextToken"));
        return new HttpResponse(200, JSON_TYPE, StreamJson.list(list));
    }

    private HttpResponse getStream(Caller caller, String streamId) {
        StreamStatus s = service.status(caller, streamId);
        if (s == null) {
            throw service.notFound(streamId);
        }
        return new HttpResponse(200, JSON_TYPE, StreamJson.status(s));
    }

    private static HttpResponse methodNotAllowed(String method, String path, String allowed) {
        StreamException e = new StreamException(405, "MethodNotAllowed", method + " is not allowed on "
                + FrameRules.printable(path) + "; use " + allowed);
        HttpResponse r = error(e);
        Map<String, String> h = new LinkedHashMap<>(r.headers());
        h.put("Allow", allowed);
        return new HttpResponse(405, h, r.body());
    }

    /** The JSON error response of {@code e} (with {@code Retry-After} when it has one). */
    public static HttpResponse error(StreamException e) {
        String body = StreamJson.error(e);
        Map<String, String> headers = new LinkedHashMap<>(JSON_TYPE);
        if (e.retryAfterSeconds() > 0) {
            headers.put("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        return new HttpResponse(e.status(), headers, body);
    }

    private static void log(StreamException e, String streamId, HttpRequest request) {
        String frame = request.header(FRAME_HEADER) != null ? request.header(FRAME_HEADER) : request.query().get(FRAME_QUERY);
        Object fields = e.details().get("frame");
        JsonLog.Level level = e.status() >= 500 ? JsonLog.Level.WARN : JsonLog.Level.INFO;
        LOG.log(level, "request refused", e.status() >= 500 ? e.getCause() : null, "streamId",
                streamId == null ? null : FrameRules.printable(streamId), "frame", fields != null ? fields : frame,
                "status", e.status(), "error", e.code(), "reason", e.getMessage(), "caller",
                request.caller() == null ? null : request.caller().owner());
    }
}
