package dev.motflow.jobs.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.motflow.common.JsonLog;
import dev.motflow.common.http.Caller;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.Route;
import dev.motflow.jobs.model.TrackSummary;
import dev.motflow.jobs.store.JobField;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.JobUpdate;
import dev.motflow.jobs.store.Page;
import dev.motflow.jobs.store.PageKey;
import dev.motflow.jobs.store.PageTokens;
import dev.motflow.jobs.store.TrackRepository;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * What the HTTP API does, in domain terms: reserve an upload, read a job, list jobs by status and a
 * job's tracks (page tokens in and out), and hand out presigned links. No HTTP, no JSON. A job is
 * its creator's: reads and lists answer only the caller's own jobs unless {@link Tenancy} makes the
 * caller an admin, and another owner's job reads as absent (its existence is not revealed).
 */
public final class JobService {
    private static final JsonLog LOG = JsonLog.get(JobService.class);

    private final JobsConfig config;
    private final JobRepository jobs;
    private final TrackRepository tracks;
    private final S3Presigner presigner;
    private final PageTokens tokens;
    private final Clock clock;
    private final Tenancy tenancy;

    /** With no admin principals ({@link Tenancy#noAdmins()}). */
    public JobService(JobsConfig config, JobRepository jobs, TrackRepository tracks, S3Presigner presigner,
                      PageTokens tokens, Clock clock) {
        this(config, jobs, tracks, presigner, tokens, clock, Tenancy.noAdmins());
    }

    public JobService(JobsConfig config, JobRepository jobs, TrackRepository tracks, S3Presigner presigner,
                      PageTokens tokens, Clock clock, Tenancy tenancy) {
        this.tenancy = tenancy;
        this.config = config;
        this.jobs = jobs;
        this.tracks = tracks;
        this.presigner = presigner;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** An upload the caller may PUT within {@code expiresAt}; the job waits for it in AWAITING_UPLOAD. */
    public record Reservation(String jobId, String bucket, String key, String contentType, long sizeBytes, String url,
                              Instant expiresAt) {
    }

    /** A presigned GET of a finished job's result file. */
    public record ResultLink(String url, Instant expiresAt) {
    }

    /**
     * Presigned GETs of a job's video: the uploaded object, and for the processing route the
     * annotated MP4 the container writes next to its result (null when the route has none).
     */
    public record VideoLinks(String videoUrl, String annotatedVideoUrl, Instant expiresAt) {
    }

    /** One page and the token of the next (null on the last page). */
    public record PageOf<T>(java.util.List<T> items, String nextToken) {
    }

    /**
     * Reserves a random job id owned by {@code caller} and an upload key for a video of
     * {@code sizeBytes} (already validated). The URL signs the content length, so S3 refuses a PUT
     * of any other size.
     */
    public Reservation reserveUpload(Caller caller, String fileName, String contentType, long sizeBytes) {
        String jobId = JobIds.random();
        String key = JobsConfig.DROP_PREFIX + jobId + "/" + fileName;
        Instant now = clock.instant();
        Duration ttl = config.presignTtl();
        JobUpdate reservation = JobUpdate.of()
                .set(JobField.OWNER, caller.owner())
                .set(JobField.UPLOAD_KEY, key)
                .set(JobField.FILE_NAME, fileName)
                .set(JobField.DECLARED_SIZE_BYTES, sizeBytes)
                .set(JobField.DECLARED_CONTENT_TYPE, contentType)
                // Unclaimed reservations expire a day after their URL does.
                .set(JobField.EXPIRES_AT, now.plus(ttl).plus(Duration.ofDays(1)).getEpochSecond());
        jobs.create(jobId, JobStatus.AWAITING_UPLOAD, "waiting for the upload to " + key, reservation)
                .orElseThrow(() -> new IllegalStateException("random job id collided"));
        String url = presigner.presignPutObject(p -> p.signatureDuration(ttl)
                .putObjectRequest(o -> o.bucket(config.dropBucket()).key(key).contentType(contentType)
                        .contentLength(sizeBytes)))
                .url().toString();
        LOG.info("upload reserved", "jobId", jobId, "sizeBytes", sizeBytes);
        return new Reservation(jobId, config.dropBucket(), key, contentType, sizeBytes, url, now.plus(ttl));
    }

    /** The job, when {@code caller} may see it (its owner or an admin); else empty, as for no job. */
    public Optional<Job> job(Caller caller, String jobId) {
        return jobs.get(jobId).filter(j -> tenancy.canSee(caller, j));
    }

    /** A presigned link to a SUCCEEDED job's result, or empty when it has none. */
    public Optional<ResultLink> resultLink(Job job) {
        if (job.status() != JobStatus.SUCCEEDED || job.result().key() == null) {
            return Optional.empty();
        }
        Duration ttl = config.presignTtl();
        String url = presigner.presignGetObject(p -> p.signatureDuration(ttl)
                .getObjectRequest(o -> o.bucket(job.result().bucket()).key(job.result().key())))
                .url().toString();
        return Optional.of(new ResultLink(url, clock.instant().plus(ttl)));
    }

    /**
     * Links to play a job's video in a browser, or empty before ingest has recorded the object. The
     * annotated MP4 is linked whenever the processing route's result is known; the container writes
     * it only when asked to annotate, so a client must expect the link to answer 404.
     */
    public Optional<VideoLinks> videoLinks(Job job) {
        Job.Source source = job.source();
        if (source == null || source.bucket() == null || source.key() == null) {
            return Optional.empty();
        }
        Duration ttl = config.presignTtl();
        String video = presignGet(source.bucket(), source.key(), source.versionId(), ttl);
        String annotated = null;
        String processingResult = job.result() == null ? null : job.result().sourceResult();
        if (job.video() != null && job.video().route() == Route.PROCESSING_JOB && processingResult != null
                && processingResult.startsWith("s3://") && processingResult.endsWith("/" + SageMakerLauncher.PROCESSING_RESULT_FILE)) {
            String rest = processingResult.substring("s3://".length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                String key = rest.substring(slash + 1, rest.length() - SageMakerLauncher.PROCESSING_RESULT_FILE.length())
                        + ANNOTATED_VIDEO_FILE;
                annotated = presignGet(rest.substring(0, slash), key, null, ttl);
            }
        }
        return Optional.of(new VideoLinks(video, annotated, clock.instant().plus(ttl)));
    }

    /** What the processing container writes beside {@code tracks.txt} when it annotates. */
    public static final String ANNOTATED_VIDEO_FILE = "annotated.mp4";

    private String presignGet(String bucket, String key, String versionId, Duration ttl) {
        return presigner.presignGetObject(p -> p.signatureDuration(ttl)
                .getObjectRequest(o -> o.bucket(bucket).key(key).versionId(versionId)))
                .url().toString();
    }

    /**
     * Jobs in {@code status} that {@code caller} may see (all for an admin, else the caller's own),
     * newest first. A token is bound to its caller's scope: another owner's token is refused.
     *
     * @throws PageTokens.InvalidTokenException for a token of another query or a forged one
     */
    public PageOf<Job> jobsByStatus(Caller caller, JobStatus status, int limit, String nextToken) {
        boolean all = tenancy.isAdmin(caller);
        String scope = "status:" + status.name() + (all ? ":all" : ":owner:" + caller.owner());
        PageKey start = tokens.decode(scope, nextToken, JobRepository.statusPageShape(status));
        Page<Job> page = all ? jobs.listByStatus(status, limit, start)
                : jobs.listByStatusOwnedBy(status, caller.owner(), limit, start);
        return new PageOf<>(page.items(), tokens.encode(scope, page.lastKey()));
    }

    /**
     * Tracks of a job that overlap {@code [fromFrame, toFrame]} (either may be null), by first frame.
     *
     * @throws PageTokens.InvalidTokenException for a token of another query or a forged one
     */
    public PageOf<TrackSummary> tracks(String jobId, Integer fromFrame, Integer toFrame, int limit, String nextToken) {
        String scope = "tracks:" + jobId + ":" + fromFrame + ":" + toFrame;
        PageKey start = tokens.decode(scope, nextToken, TrackRepository.pageShape(jobId));
        Page<TrackSummary> page = tracks.page(jobId, fromFrame, toFrame, limit, start);
        return new PageOf<>(page.items(), tokens.encode(scope, page.lastKey()));
    }
}
