package dev.motflow.jobs.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.motflow.jobs.model.HistoryEntry;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.TrackSummary;
import dev.motflow.jobs.service.JobService;

/**
 * The API's response bodies as records (docs/handlers.md), and the presenter that builds them from
 * domain records. {@link dev.motflow.jobs.JobsJson#MAPPER} writes them; a null field is left out.
 */
final class JobViews {
    private JobViews() {
    }

    record Error(String error, String message) {
    }

    record Reservation(String jobId, String status, Upload upload) {
    }

    record Upload(String method, String url, String bucket, String key, Map<String, String> headers, String expiresAt) {
    }

    /**
     * A job; {@code history}, {@code results} and the presigned video links only on
     * {@code GET /jobs/{id}} ({@code videoUrl} once ingest has recorded the object,
     * {@code annotatedVideoUrl} on the processing route); {@code lastError} while the job waits out a
     * transient failure in its state.
     */
    record JobView(String jobId, String status, String reason, String createdAt, String updatedAt, String fileName,
                   Long sizeBytes, String container, String route, SageMaker sagemaker, Counts counts,
                   Timings timings, List<History> history, Results results, String videoUrl,
                   String annotatedVideoUrl, LastError lastError) {
    }

    record LastError(String message, String at) {
    }

    record SageMaker(String endpointName, String inferenceId, String outputLocation, String processingJobName,
                     String processingJobArn, Model model) {
    }

    record Model(String source, Long version, String s3Uri) {
    }

    record Counts(Long tracks, Long frames, Long boxes) {
    }

    record Timings(String receivedAt, String runningAt, String inferenceReceivedAt, String inferenceCompletedAt,
                   String finishedAt, Long totalMillis) {
        boolean isEmpty() {
            return receivedAt == null && runningAt == null && inferenceReceivedAt == null && inferenceCompletedAt == null
                    && finishedAt == null && totalMillis == null;
        }
    }

    record History(String status, String at, String reason) {
    }

    record Results(String tracksUrl, String format, String expiresAt, String tracksApi) {
    }

    record JobList(List<JobView> jobs, String nextToken) {
    }

    record TrackList(String jobId, String status, Long trackCount, List<Track> tracks, String nextToken) {
    }

    /** {@code trajectory}: {@code [frame, x, y, w, h]} boxes. */
    record Track(int trackId, int classId, int firstFrame, int lastFrame, int frameCount, Double meanScore,
                 List<List<Number>> trajectory) {
    }

    static final String RESULT_FORMAT = "MOTChallenge text: frame,id,x,y,w,h,score,-1,-1,-1";

    static Reservation reservation(JobService.Reservation r) {
        return new Reservation(r.jobId(), dev.motflow.jobs.model.JobStatus.AWAITING_UPLOAD.name(),
                new Upload("PUT", r.url(), r.bucket(), r.key(), uploadHeaders(r), r.expiresAt().toString()));
    }

    /** The headers the presigned PUT signs: the client sends them as they are. */
    private static Map<String, String> uploadHeaders(JobService.Reservation r) {
        Map<String, String> h = new java.util.LinkedHashMap<>();
        h.put("Content-Type", r.contentType());
        h.put("Content-Length", Long.toString(r.sizeBytes()));
        return h;
    }

    /** A job as {@code GET /jobs} lists it. */
    static JobView summary(Job job) {
        Job.SageMakerWork sm = job.sagemaker();
        SageMaker sagemaker = null;
        if (sm.inferenceId() != null || sm.processingJobName() != null) {
            Job.ModelUse m = sm.model();
            sagemaker = new SageMaker(sm.endpointName(), sm.inferenceId(), sm.outputLocation(), sm.processingJobName(),
                    sm.processingJobArn(), m.source() == null ? null
                    : new Model(m.source().name(), m.version(), m.s3Uri()));
        }
        Job.Result r = job.result();
        Counts counts = r.trackCount() == null ? null : new Counts(r.trackCount(), r.frameCount(), r.boxCount());
        Job.Timings t = job.timings();
        Timings timings = new Timings(text(t.receivedAt()), text(t.runningAt()), text(t.inferenceReceivedAt()),
                text(t.inferenceCompletedAt()), text(t.finishedAt()), t.totalMillis());
        Job.Video v = job.video();
        return new JobView(job.jobId(), job.status().name(), job.statusReason(), text(job.createdAt()),
                text(job.updatedAt()), job.fileName(), v.sizeBytes() != null ? v.sizeBytes() : v.declaredSizeBytes(),
                v.container() == null ? null : v.container().name(), v.route() == null ? null : v.route().name(),
                sagemaker, counts, timings.isEmpty() ? null : timings, null, null, null, null,
                job.lastError() == null ? null : new LastError(job.lastError().message(), text(job.lastError().at())));
    }

    /** A job as {@code GET /jobs/{id}} shows it: with its history, video links and, once SUCCEEDED, its result links. */
    static JobView detail(Job job, JobService.ResultLink link, JobService.VideoLinks video) {
        JobView s = summary(job);
        List<History> history = new ArrayList<>();
        for (HistoryEntry h : job.history()) {
            history.add(new History(h.status().name(), h.at().toString(), h.reason()));
        }
        Results results = link == null ? null
                : new Results(link.url(), RESULT_FORMAT, link.expiresAt().toString(), "/jobs/" + job.jobId() + "/tracks");
        return new JobView(s.jobId(), s.status(), s.reason(), s.createdAt(), s.updatedAt(), s.fileName(), s.sizeBytes(),
                s.container(), s.route(), s.sagemaker(), s.counts(), s.timings(), history, results,
                video == null ? null : video.videoUrl(), video == null ? null : video.annotatedVideoUrl(), s.lastError());
    }

    static JobList jobList(JobService.PageOf<Job> page) {
        return new JobList(page.items().stream().map(JobViews::summary).toList(), page.nextToken());
    }

    static TrackList trackList(Job job, JobService.PageOf<TrackSummary> page) {
        List<Track> tracks = new ArrayList<>();
        for (TrackSummary t : page.items()) {
            List<List<Number>> trajectory = new ArrayList<>();
            for (TrackSummary.Box b : t.trajectory()) {
                trajectory.add(List.of(b.frame(), b.x(), b.y(), b.w(), b.h()));
            }
            tracks.add(new Track(t.trackId(), t.classId(), t.firstFrame(), t.lastFrame(), t.frameCount(), t.meanScore(),
                    trajectory));
        }
        return new TrackList(job.jobId(), job.status().name(), job.result().trackCount(), tracks, page.nextToken());
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
