package dev.motflow.jobs.api;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.motflow.common.JsonLog;
import dev.motflow.common.http.Caller;
import dev.motflow.common.http.HttpRequest;
import dev.motflow.common.http.HttpResponse;
import dev.motflow.jobs.JobsJson;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.service.JobService;
import dev.motflow.jobs.service.JobsConfig;
import dev.motflow.jobs.service.KeyRules;
import dev.motflow.jobs.service.Tenancy;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.PageTokens;
import dev.motflow.jobs.store.TrackRepository;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The HTTP API's routes: {@code POST /jobs}, {@code GET /jobs}, {@code GET /jobs/{id}},
 * {@code GET /jobs/{id}/tracks}. It routes, hands validation to {@link JobRequests}, the work to
 * {@link JobService} and the body to {@link JobViews}. Errors are JSON
 * {@code {"error": code, "message": ...}} with 400 (bad parameter or body), 401 (no authenticated
 * caller in the request context), 404 (no such job, another caller's job, or no such route), 405 (method), 413 (body or declared video too large), 415 (not JSON, or not a supported
 * video type), 503 + {@code Retry-After} (DynamoDB or another backing service unreachable, timing
 * out, throttling or failing with a 5xx: {@link Outages}).
 */
public final class JobApi {
    /** The largest {@code POST /jobs} body. */
    public static final int MAX_BODY_BYTES = JobRequests.MAX_BODY_BYTES;

    private static final JsonLog LOG = JsonLog.get(JobApi.class);
    private static final Pattern JOB_PATH = Pattern.compile("^/jobs/([^/]+)$");
    private static final Pattern TRACKS_PATH = Pattern.compile("^/jobs/([^/]+)/tracks$");

    private final JobsConfig config;
    private final JobService service;

    public JobApi(JobsConfig config, JobRepository jobs, TrackRepository tracks, S3Presigner presigner,
                  PageTokens tokens, Clock clock) {
        this(config, jobs, tracks, presigner, tokens, clock, Tenancy.noAdmins());
    }

    public JobApi(JobsConfig config, JobRepository jobs, TrackRepository tracks, S3Presigner presigner,
                  PageTokens tokens, Clock clock, Tenancy tenancy) {
        this(config, new JobService(config, jobs, tracks, presigner, tokens, clock, tenancy));
    }

    public JobApi(JobsConfig config, JobService service) {
        this.config = config;
        this.service = service;
    }

    public HttpResponse handle(HttpRequest req) {
        try {
            String method = req.method();
            String path = normalisePath(req.path());
            Caller caller = req.caller();
            if (caller == null) {
                // API Gateway's IAM or JWT authorizer always sets one; without it nobody owns the request.
                throw new ApiError(401, "Unauthenticated", "the request carries no authenticated caller;"
                        + " sign it with IAM credentials (SigV4) or send the console's Cognito token");
            }
            if (path.equals("/jobs")) {
                return switch (method) {
                    case "POST" -> createJob(caller, req);
                    case "GET" -> listJobs(caller, req);
                    default -> throw methodNotAllowed("GET, POST");
                };
            }
            Matcher tracksPath = TRACKS_PATH.matcher(path);
            if (tracksPath.matches()) {
                requireGet(method);
                return listTracks(caller, JobRequests.listTracks(JobRequests.jobId(tracksPath.group(1)), req));
            }
            Matcher jobPath = JOB_PATH.matcher(path);
            if (jobPath.matches()) {
                requireGet(method);
                return getJob(caller, JobRequests.jobId(jobPath.group(1)));
            }
            throw new ApiError(404, "NotFound", "no route " + method + " " + KeyRules.printable(path));
        } catch (ApiError e) {
            return error(e.status, e.code, e.getMessage(), e.headers);
        } catch (PageTokens.InvalidTokenException e) {
            return error(400, "InvalidPageToken", e.getMessage(), Map.of());
        } catch (RuntimeException e) {
            if (e instanceof SdkException sdk && Outages.isTransient(sdk)) {
                LOG.log(JsonLog.Level.WARN, "API request refused: a backing service is unavailable", e, "method",
                        req.method(), "path", KeyRules.printable(String.valueOf(req.path())));
                return error(503, "ServiceUnavailable", "a service the jobs API depends on (DynamoDB, Secrets Manager)"
                        + " is unavailable or throttling; retry after " + Outages.RETRY_AFTER_SECONDS + " s",
                        Map.of("Retry-After", Integer.toString(Outages.RETRY_AFTER_SECONDS)));
            }
            LOG.error("API request failed", e, "method", req.method(), "path", KeyRules.printable(String.valueOf(req.path())));
            return error(500, "InternalError", "the request could not be completed; try again", Map.of());
        }
    }

    private HttpResponse createJob(Caller caller, HttpRequest req) {
        JobRequests.CreateJob create = JobRequests.createJob(req, config.maxUploadBytes());
        JobService.Reservation r = service.reserveUpload(caller, create.fileName(), create.contentType(), create.sizeBytes());
        return json(201, JobViews.reservation(r), Map.of("Location", "/jobs/" + r.jobId()));
    }

    private HttpResponse getJob(Caller caller, String jobId) {
        Job job = service.job(caller, jobId).orElseThrow(() -> ApiError.notFound(jobId));
        return json(200, JobViews.detail(job, service.resultLink(job).orElse(null),
                service.videoLinks(job).orElse(null)), Map.of());
    }

    private HttpResponse listJobs(Caller caller, HttpRequest req) {
        JobRequests.ListJobs q = JobRequests.listJobs(req);
        return json(200, JobViews.jobList(service.jobsByStatus(caller, q.status(), q.limit(), q.nextToken())), Map.of());
    }

    private HttpResponse listTracks(Caller caller, JobRequests.ListTracks q) {
        // The page first: its token is checked before any DynamoDB call, and the job read after the
        // tracks has a status at least as new as they are.
        JobService.PageOf<dev.motflow.jobs.model.TrackSummary> page = service.tracks(q.jobId(), q.fromFrame(),
                q.toFrame(), q.limit(), q.nextToken());
        // Another owner's job answers 404 like a missing one; its tracks read above are dropped.
        Job job = service.job(caller, q.jobId()).orElseThrow(() -> ApiError.notFound(q.jobId()));
        return json(200, JobViews.trackList(job, page), Map.of());
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

    private static HttpResponse json(int status, Object body, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Type", "application/json");
        headers.put("Cache-Control", "no-store");
        return new HttpResponse(status, headers, JobsJson.write(body));
    }

    /** A JSON error response. */
    public static HttpResponse error(int status, String code, String message, Map<String, String> extra) {
        return json(status, new JobViews.Error(code, message), extra);
    }
}
