package dev.motflow.jobs.service;

import static dev.motflow.common.Attr.n;
import static dev.motflow.common.Attr.s;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.common.JsonLog;
import dev.motflow.jobs.model.HistoryEntry;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.TrackSummary;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.JobTableSchema;
import dev.motflow.jobs.store.Page;
import dev.motflow.jobs.store.PageTokens;
import dev.motflow.jobs.store.TrackRepository;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The HTTP API: {@code POST /jobs}, {@code GET /jobs}, {@code GET /jobs/{id}},
 * {@code GET /jobs/{id}/tracks}. Errors are JSON {@code {"error": code, "message": ...}} with
 * 400 (bad parameter or body), 404 (no such job or route), 405 (method), 413 (body or declared
 * video too large), 415 (not JSON, or not a supported video type).
 */
public final class JobApi {
    public static final int MAX_BODY_BYTES = 16 * 1024;
    public static final int DEFAULT_JOB_PAGE = 20;
    public static final int MAX_JOB_PAGE = 100;
    public static final int DEFAULT_TRACK_PAGE = 100;
    public static final int MAX_TRACK_PAGE = 500;
    /** Video types an upload may declare, and the container each implies. */
    public static final Set<String> VIDEO_TYPES = Set.of("video/mp4", "video/quicktime", "video/x-matroska",
            "video/webm", "video/x-msvideo", "video/avi");

    private static final JsonLog LOG = JsonLog.get(JobApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_PATH = Pattern.compile("^/jobs/([^/]+)$");
    private static final Pattern TRACKS_PATH = Pattern.compile("^/jobs/([^/]+)/tracks$");
    private static final Set<String> POST_FIELDS = Set.of("fileName", "contentType", "sizeBytes");

    private final JobsConfig config;
    private final JobRepository jobs;
    private final TrackRepository tracks;
    private final S3Presigner presigner;
    private final PageTokens tokens;
    private final Clock clock;

    public JobApi(JobsConfig config, JobRepository jobs, TrackRepository tracks, S3Presigner presigner,
                  PageTokens tokens, Clock clock) {
        this.config = config;
        this.jobs = jobs;
        this.tracks = tracks;
        this.presigner = presigner;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** A client error: becomes a JSON error response. */
    static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;
        final Map<String, String> headers;

        ApiError(int status, String code, String message) {
            this(status, code, message, Map.of());
        }

        ApiError(int status, String code, String message, Map<String, String> headers) {
            super(message);
            this.status = status;
            this.code = code;
            this.headers = headers;
        }
    }

    public ApiResponse handle(ApiRequest req) {
        try {
            String method = req.method() == null ? "" : req.method().toUpperCase(Locale.ROOT);
            String path = normalisePath(req.path());
            if (path.equals("/jobs")) {
                return switch (method) {
                    case "POST" -> createJob(req);
                    case "GET" -> listJobs(req);
                    default -> throw methodNotAllowed("GET, POST");
                };
            }
            Matcher tracksPath = TRACKS_PATH.matcher(path);
            if (tracksPath.matches()) {
                requireGet(method);
                return listTracks(jobIdOf(tracksPath.group(1)), req);
            }
            Matcher jobPath = JOB_PATH.matcher(path);
            if (jobPath.matches()) {
                requireGet(method);
                return getJob(jobIdOf(jobPath.group(1)));
            }
            throw new ApiError(404, "NotFound", "no route " + method + " " + KeyRules.printable(path));
        } catch (ApiError e) {
            return error(e.status, e.code, e.getMessage(), e.headers);
        } catch (PageTokens.InvalidTokenException e) {
            return error(400, "InvalidNextToken", e.getMessage(), Map.of());
        } catch (RuntimeException e) {
            LOG.error("API request failed", e, "method", req.method(), "path", KeyRules.printable(String.valueOf(req.path())));
            return error(500, "InternalError", "the request could not be completed; try again", Map.of());
        }
    }

    private static String normalisePath(String path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static void requireGet(String method) {
        if (!method.equals("GET")) {
            throw methodNotAllowed("GET");
        }
    }

    private static ApiError methodNotAllowed(String allow) {
        return new ApiError(405, "MethodNotAllowed", "this resource supports " + allow, Map.of("Allow", allow));
    }

    private static String jobIdOf(String raw) {
        if (!JobIds.valid(raw)) {
            throw new ApiError(400, "InvalidJobId", "a job id is 32 lower-case hex characters, got '"
                    + KeyRules.printable(raw.length() > 80 ? raw.substring(0, 80) + "..." : raw) + "'");
        }
        return raw;
    }

    // POST /jobs -------------------------------------------------------------------------------

    private ApiResponse createJob(ApiRequest req) {
        if (req.bodyBytes() > MAX_BODY_BYTES) {
            throw new ApiError(413, "PayloadTooLarge", "the request body is " + req.bodyBytes()
                    + " bytes; the limit is " + MAX_BODY_BYTES);
        }
        String type = req.header("content-type");
        if (type == null || !type.toLowerCase(Locale.ROOT).strip().startsWith("application/json")) {
            throw new ApiError(415, "UnsupportedMediaType", "send the request body as application/json");
        }
        JsonNode body;
        try {
            body = req.body() == null || req.body().isBlank() ? null : JSON.readTree(req.body());
        } catch (java.io.IOException e) {
            throw new ApiError(400, "InvalidJson", "the request body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new ApiError(400, "InvalidBody", "the request body must be a JSON object with fileName, contentType and sizeBytes");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!POST_FIELDS.contains(f)) {
                throw new ApiError(400, "UnknownField", "unknown field '" + KeyRules.printable(f)
                        + "'; expected fileName, contentType, sizeBytes");
            }
        }
        JsonNode fileNameNode = body.get("fileName");
        if (fileNameNode == null || !fileNameNode.isTextual()) {
            throw new ApiError(400, "InvalidFileName", "fileName is required and must be a string");
        }
        KeyRules.Verdict name = KeyRules.checkFileName(fileNameNode.asText());
        if (!name.accepted()) {
            throw new ApiError(400, "InvalidFileName", name.rejection());
        }
        JsonNode typeNode = body.get("contentType");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new ApiError(400, "InvalidContentType", "contentType is required and must be a string such as video/mp4");
        }
        String contentType = typeNode.asText().toLowerCase(Locale.ROOT).strip();
        if (!VIDEO_TYPES.contains(contentType)) {
            throw new ApiError(415, "UnsupportedMediaType", "contentType '" + KeyRules.printable(typeNode.asText())
                    + "' is not a supported video type (" + String.join(", ", VIDEO_TYPES.stream().sorted().toList()) + ")");
        }
        JsonNode sizeNode = body.get("sizeBytes");
        if (sizeNode == null || !sizeNode.isIntegralNumber() || !sizeNode.canConvertToLong()) {
            throw new ApiError(400, "InvalidSize", "sizeBytes is required and must be a whole number of bytes");
        }
        long size = sizeNode.asLong();
        if (size < 1) {
            throw new ApiError(400, "InvalidSize", "sizeBytes must be at least 1");
        }
        if (size > config.maxUploadBytes()) {
            throw new ApiError(413, "VideoTooLarge", "sizeBytes " + size + " exceeds the limit of "
                    + config.maxUploadBytes() + " bytes; split the video or lower its bit rate");
        }
        String jobId = JobIds.random();
        String key = JobsConfig.DROP_PREFIX + jobId + "/" + name.fileName();
        Instant now = clock.instant();
        Duration ttl = config.presignTtl();
        Map<String, AttributeValue> attrs = new LinkedHashMap<>();
        attrs.put("uploadKey", s(key));
        attrs.put("fileName", s(name.fileName()));
        attrs.put("declaredSizeBytes", n(size));
        attrs.put("declaredContentType", s(contentType));
        attrs.put(JobTableSchema.TTL, n(now.plus(ttl).plus(Duration.ofDays(1)).getEpochSecond()));
        jobs.create(jobId, JobStatus.AWAITING_UPLOAD, "waiting for the upload to " + key, attrs)
                .orElseThrow(() -> new IllegalStateException("random job id collided"));
        String url = presigner.presignPutObject(p -> p.signatureDuration(ttl)
                .putObjectRequest(o -> o.bucket(config.dropBucket()).key(key).contentType(contentType)))
                .url().toString();
        ObjectNode out = JSON.createObjectNode();
        out.put("jobId", jobId);
        out.put("status", JobStatus.AWAITING_UPLOAD.name());
        ObjectNode upload = out.putObject("upload");
        upload.put("method", "PUT");
        upload.put("url", url);
        upload.put("bucket", config.dropBucket());
        upload.put("key", key);
        upload.putObject("headers").put("Content-Type", contentType);
        upload.put("expiresAt", now.plus(ttl).toString());
        LOG.info("upload reserved", "jobId", jobId, "sizeBytes", size);
        return json(201, out, Map.of("Location", "/jobs/" + jobId));
    }

    // GET /jobs/{id} ---------------------------------------------------------------------------

    private ApiResponse getJob(String jobId) {
        Job job = jobs.get(jobId).orElseThrow(() -> new ApiError(404, "JobNotFound", "no job " + jobId));
        ObjectNode out = view(job);
        ArrayNode history = out.putArray("history");
        for (HistoryEntry h : job.history()) {
            ObjectNode e = history.addObject();
            e.put("status", h.status().name());
            e.put("at", h.at().toString());
            if (h.reason() != null) {
                e.put("reason", h.reason());
            }
        }
        if (job.status() == JobStatus.SUCCEEDED && job.str("resultKey") != null) {
            Duration ttl = config.presignTtl();
            String url = presigner.presignGetObject(p -> p.signatureDuration(ttl)
                    .getObjectRequest(o -> o.bucket(job.str("resultBucket")).key(job.str("resultKey"))))
                    .url().toString();
            ObjectNode results = out.putObject("results");
            results.put("tracksUrl", url);
            results.put("format", "MOTChallenge text: frame,id,x,y,w,h,score,-1,-1,-1");
            results.put("expiresAt", clock.instant().plus(ttl).toString());
            results.put("tracksApi", "/jobs/" + jobId + "/tracks");
        }
        return json(200, out, Map.of());
    }

    private static ObjectNode view(Job job) {
        ObjectNode o = JSON.createObjectNode();
        o.put("jobId", job.jobId());
        o.put("status", job.status().name());
        putText(o, "reason", job.statusReason());
        putText(o, "createdAt", instantText(job, "createdAt"));
        putText(o, "updatedAt", instantText(job, "updatedAt"));
        putText(o, "fileName", job.str("fileName"));
        putNum(o, "sizeBytes", job.num("sizeBytes") != null ? job.num("sizeBytes") : job.num("declaredSizeBytes"));
        putText(o, "container", job.str("container"));
        putText(o, "route", job.str("route"));
        if (job.str("inferenceId") != null || job.str("processingJobName") != null) {
            ObjectNode sm = o.putObject("sagemaker");
            putText(sm, "endpointName", job.str("endpointName"));
            putText(sm, "inferenceId", job.str("inferenceId"));
            putText(sm, "outputLocation", job.str("outputLocation"));
            putText(sm, "processingJobName", job.str("processingJobName"));
            putText(sm, "processingJobArn", job.str("processingJobArn"));
            if (job.str("modelSource") != null) {
                ObjectNode model = sm.putObject("model");
                putText(model, "source", job.str("modelSource"));
                putNum(model, "version", job.num("modelVersion"));
                putText(model, "s3Uri", job.str("modelS3Uri"));
            }
        }
        if (job.num("trackCount") != null) {
            ObjectNode c = o.putObject("counts");
            putNum(c, "tracks", job.num("trackCount"));
            putNum(c, "frames", job.num("frameCount"));
            putNum(c, "boxes", job.num("boxCount"));
        }
        ObjectNode t = JSON.createObjectNode();
        for (String name : new String[] {"receivedAt", "runningAt", "inferenceReceivedAt", "inferenceCompletedAt",
                "finishedAt"}) {
            putText(t, name, instantText(job, name));
        }
        putNum(t, "totalMillis", job.num("totalMillis"));
        if (!t.isEmpty()) {
            o.set("timings", t);
        }
        return o;
    }

    // GET /jobs --------------------------------------------------------------------------------

    private ApiResponse listJobs(ApiRequest req) {
        String statusParam = req.query().get("status");
        if (statusParam == null || statusParam.isBlank()) {
            throw new ApiError(400, "MissingStatus", "status is required: one of " + statusNames());
        }
        JobStatus status = JobStatus.parse(statusParam).orElseThrow(() -> new ApiError(400, "InvalidStatus",
                "status '" + KeyRules.printable(statusParam) + "' is not one of " + statusNames()));
        int limit = intParam(req, "limit", DEFAULT_JOB_PAGE, 1, MAX_JOB_PAGE);
        String scope = "status:" + status.name();
        Map<String, AttributeValue> start = tokens.decode(scope, req.query().get("nextToken"),
                JobTableSchema.GSI1_PK, JobTableSchema.statusPk(status.name()));
        Page<Job> page = jobs.listByStatus(status, limit, start);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("jobs");
        for (Job j : page.items()) {
            items.add(view(j));
        }
        putText(out, "nextToken", tokens.encode(scope, page.lastKey()));
        return json(200, out, Map.of());
    }

    // GET /jobs/{id}/tracks --------------------------------------------------------------------

    private ApiResponse listTracks(String jobId, ApiRequest req) {
        int limit = intParam(req, "limit", DEFAULT_TRACK_PAGE, 1, MAX_TRACK_PAGE);
        Integer from = optionalInt(req, "fromFrame");
        Integer to = optionalInt(req, "toFrame");
        if (from != null && to != null && from > to) {
            throw new ApiError(400, "InvalidFrameRange", "fromFrame " + from + " is after toFrame " + to);
        }
        Job job = jobs.get(jobId).orElseThrow(() -> new ApiError(404, "JobNotFound", "no job " + jobId));
        String scope = "tracks:" + jobId + ":" + from + ":" + to;
        Map<String, AttributeValue> start = tokens.decode(scope, req.query().get("nextToken"),
                JobTableSchema.PK, JobTableSchema.jobPk(jobId));
        ObjectNode out = JSON.createObjectNode();
        out.put("jobId", jobId);
        out.put("status", job.status().name());
        putNum(out, "trackCount", job.num("trackCount"));
        ArrayNode items = out.putArray("tracks");
        Page<TrackSummary> page = tracks.page(jobId, from, to, limit, start);
        for (TrackSummary t : page.items()) {
            ObjectNode o = items.addObject();
            o.put("trackId", t.trackId());
            o.put("classId", t.classId());
            o.put("firstFrame", t.firstFrame());
            o.put("lastFrame", t.lastFrame());
            o.put("frameCount", t.frameCount());
            if (t.meanScore() != null) {
                o.put("meanScore", t.meanScore());
            }
            ArrayNode traj = o.putArray("trajectory");
            for (TrackSummary.Box b : t.trajectory()) {
                traj.addArray().add(b.frame()).add(b.x()).add(b.y()).add(b.w()).add(b.h());
            }
        }
        putText(out, "nextToken", tokens.encode(scope, page.lastKey()));
        return json(200, out, Map.of());
    }

    // helpers ----------------------------------------------------------------------------------

    private static int intParam(ApiRequest req, String name, int dflt, int min, int max) {
        Integer v = optionalInt(req, name);
        if (v == null) {
            return dflt;
        }
        if (v < min || v > max) {
            throw new ApiError(400, "InvalidParameter", name + " must be " + min + ".." + max + ", got " + v);
        }
        return v;
    }

    private static Integer optionalInt(ApiRequest req, String name) {
        String raw = req.query().get(name);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            int v = Integer.parseInt(raw.strip());
            if (v < 1 && !name.equals("limit")) {
                throw new ApiError(400, "InvalidParameter", name + " must be at least 1 (frames are 1-based), got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ApiError(400, "InvalidParameter", name + " must be a whole number, got '"
                    + KeyRules.printable(raw.length() > 40 ? raw.substring(0, 40) : raw) + "'");
        }
    }

    private static String statusNames() {
        StringBuilder sb = new StringBuilder();
        for (JobStatus s : JobStatus.values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(s.name());
        }
        return sb.toString();
    }

    private static String instantText(Job job, String name) {
        Instant t = job.instant(name);
        return t == null ? null : t.toString();
    }

    private static void putText(ObjectNode o, String name, String v) {
        if (v != null) {
            o.put(name, v);
        }
    }

    private static void putNum(ObjectNode o, String name, Long v) {
        if (v != null) {
            o.put(name, v);
        }
    }

    private static ApiResponse json(int status, JsonNode body, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Type", "application/json");
        headers.put("Cache-Control", "no-store");
        return new ApiResponse(status, headers, body.toString());
    }

    static ApiResponse error(int status, String code, String message, Map<String, String> extra) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", code);
        o.put("message", message);
        return json(status, o, extra);
    }
}
