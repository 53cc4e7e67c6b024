package dev.motflow.jobs.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.motflow.jobs.JobsJson;
import dev.motflow.jobs.model.Container;
import dev.motflow.jobs.model.HistoryEntry;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.ModelSource;
import dev.motflow.jobs.model.Route;
import dev.motflow.jobs.model.TrackSummary;
import dev.motflow.jobs.service.JobService;

/** The response bodies are the API's contract: field names, nesting, order and what is left out. */
class JobViewsTest {
    private static final Instant T0 = Instant.parse("2026-11-25T06:00:00.000Z");
    private static final Instant T1 = Instant.parse("2026-11-25T06:00:01.250Z");

    private static Job succeededProcessingJob() {
        return new Job("0123456789abcdef0123456789abcdef", JobStatus.SUCCEEDED, "3 tracks", 5, T0, T1,
                List.of(new HistoryEntry(JobStatus.RECEIVED, T0, "arrived"), new HistoryEntry(JobStatus.SUCCEEDED, T1, null)),
                "cam.mp4", "drop:drop/incoming/batch/", new Job.Upload(null, null, null),
                new Job.Source("drop", "incoming/batch/cam.mp4", "e:x:1", null, "x", "1"),
                new Job.Video(10L, 2000L, Container.MP4, Route.PROCESSING_JOB),
                new Job.Start(null, 1L, 1L, null),
                new Job.SageMakerWork(null, null, null, null, "motflow-0123", "arn:p", "s3://o/", "s3://o/t.txt",
                        new Job.ModelUse(ModelSource.CURRENT, 7L, "s3://a/model.tar.gz")),
                new Job.Result(3L, 100L, 250L, "results", "results/0123/tracks.txt", null),
                new Job.Timings(T0, T0, null, null, null, null, T1, 1250L), null);
    }

    @Test
    void aJobInTheListKeepsItsFieldsAndLeavesOutWhatIsUnknown() {
        assertEquals("{\"jobId\":\"0123456789abcdef0123456789abcdef\",\"status\":\"SUCCEEDED\",\"reason\":\"3 tracks\","
                + "\"createdAt\":\"2026-11-25T06:00:00Z\",\"updatedAt\":\"2026-11-25T06:00:01.250Z\",\"fileName\":\"cam.mp4\","
                + "\"sizeBytes\":2000,\"container\":\"MP4\",\"route\":\"PROCESSING_JOB\","
                + "\"sagemaker\":{\"processingJobName\":\"motflow-0123\",\"processingJobArn\":\"arn:p\","
                + "\"model\":{\"source\":\"CURRENT\",\"version\":7,\"s3Uri\":\"s3://a/model.tar.gz\"}},"
                + "\"counts\":{\"tracks\":3,\"frames\":100,\"boxes\":250},"
                + "\"timings\":{\"receivedAt\":\"2026-11-25T06:00:00Z\",\"runningAt\":\"2026-11-25T06:00:00Z\","
                + "\"finishedAt\":\"2026-11-25T06:00:01.250Z\",\"totalMillis\":1250}}",
                JobsJson.write(JobViews.summary(succeededProcessingJob())));
    }

    @Test
    void theDetailAddsHistoryAndResultLinks() {
        String json = JobsJson.write(JobViews.detail(succeededProcessingJob(),
                new JobService.ResultLink("https://r", T1), null));
        assertEquals(true, json.endsWith(",\"history\":[{\"status\":\"RECEIVED\",\"at\":\"2026-11-25T06:00:00Z\","
                + "\"reason\":\"arrived\"},{\"status\":\"SUCCEEDED\",\"at\":\"2026-11-25T06:00:01.250Z\"}],"
                + "\"results\":{\"tracksUrl\":\"https://r\",\"format\":\"MOTChallenge text: frame,id,x,y,w,h,score,-1,-1,-1\","
                + "\"expiresAt\":\"2026-11-25T06:00:01.250Z\",\"tracksApi\":\"/jobs/0123456789abcdef0123456789abcdef/tracks\"}}"),
                json);
    }

    @Test
    void theDetailLinksTheVideoAndTheAnnotatedVideo() {
        String json = JobsJson.write(JobViews.detail(succeededProcessingJob(), null,
                new JobService.VideoLinks("https://v", "https://a", T1)));
        assertEquals(true, json.endsWith(",\"videoUrl\":\"https://v\",\"annotatedVideoUrl\":\"https://a\"}"), json);
    }

    @Test
    void tracksAreListedWithTrajectoriesAsBoxArrays() {
        TrackSummary t = new TrackSummary(4, 1, 1, 2, 2, 0.5, List.of(new TrackSummary.Box(1, 10, 20.5, 30, 40),
                new TrackSummary.Box(2, 11, 21, 30, 40)));
        TrackSummary unscored = new TrackSummary(5, 1, 2, 2, 1, null, List.of(new TrackSummary.Box(2, 1, 2, 3, 4)));
        assertEquals("{\"jobId\":\"0123456789abcdef0123456789abcdef\",\"status\":\"SUCCEEDED\",\"trackCount\":3,"
                + "\"tracks\":[{\"trackId\":4,\"classId\":1,\"firstFrame\":1,\"lastFrame\":2,\"frameCount\":2,\"meanScore\":0.5,"
                + "\"trajectory\":[[1,10.0,20.5,30.0,40.0],[2,11.0,21.0,30.0,40.0]]},"
                + "{\"trackId\":5,\"classId\":1,\"firstFrame\":2,\"lastFrame\":2,\"frameCount\":1,"
                + "\"trajectory\":[[2,1.0,2.0,3.0,4.0]]}],\"nextToken\":\"tok\"}",
                JobsJson.write(JobViews.trackList(succeededProcessingJob(),
                        new JobService.PageOf<>(List.of(t, unscored), "tok"))));
    }
}
