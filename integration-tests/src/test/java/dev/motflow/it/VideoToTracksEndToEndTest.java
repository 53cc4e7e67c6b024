package dev.motflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.RecordedCall;
import dev.motflow.testsupport.RepoPaths;
import dev.motflow.testsupport.Videos;

/**
 * A video goes in through the API's presigned upload, ingest starts an async inference (recorded
 * by the SageMaker stub), the test writes a real MOTChallenge result where SageMaker said the
 * output would be, the completion notification arrives, and the API serves the job and its tracks.
 */
class VideoToTracksEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void uploadIngestInferenceCompletionAndApi() throws Exception {
        Stack stack = new Stack(50L << 30, Stack.fastBackoff());
        stack.sm.reset();
        byte[] video = Stack.realMp4OrSynthetic();
        String result = Files.readString(RepoPaths.sharedTestData().resolve("mot15/TUD-Campus/result-cem.txt"));
        Set<Integer> ids = new HashSet<>();
        result.lines().forEach(l -> ids.add(Integer.parseInt(l.split(",")[1])));

        // 1. Reserve an upload.
        APIGatewayV2HTTPResponse created = stack.api.handleRequest(Stack.http("POST", "/jobs", null,
                "{\"fileName\":\"tud campus.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":" + video.length + "}"), null);
        assertEquals(201, created.getStatusCode(), created.getBody());
        JsonNode reservation = JSON.readTree(created.getBody());
        String jobId = reservation.path("jobId").asText();
        String key = reservation.at("/upload/key").asText();

        // 2. Upload through the presigned URL; S3 notifies the ingest queue.
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(reservation.at("/upload/url").asText()))
                .header("Content-Type", "video/mp4").PUT(HttpRequest.BodyPublishers.ofByteArray(video)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        String eTag = stack.aws.s3().headObject(b -> b.bucket(stack.drop).key(key)).eTag().replace("\"", "");
        SQSBatchResponse ingest = stack.ingest.handleRequest(Stack.sqs(List.of(
                AwsEvents.s3Put(stack.drop, key, eTag, video.length, AwsEvents.nextSequencer()))), null);
        assertTrue(ingest.getBatchItemFailures().isEmpty());

        // 3. SageMaker (the stub) recorded the async invocation of this object under the job id.
        List<RecordedCall> invokes = stack.sm.successfulCalls("InvokeEndpointAsync");
        assertEquals(1, invokes.size());
        assertEquals("s3://" + stack.drop + "/" + key, invokes.get(0).header("X-Amzn-SageMaker-InputLocation"));
        assertEquals(jobId, invokes.get(0).header("X-Amzn-SageMaker-Inference-Id"));
        JsonNode running = get(stack, "/jobs/" + jobId, null);
        assertEquals("RUNNING", running.path("status").asText(), running.toString());
        String output = running.at("/sagemaker/outputLocation").asText();
        assertTrue(output.startsWith("s3://" + stack.asyncOut + "/"), output);

        // 4. The model's output (a real tracker result) lands where SageMaker said; SNS notifies.
        stack.putText(output, result);
        SQSBatchResponse done = stack.completion.handleRequest(Stack.sqs(List.of(AwsEvents.sns("Notification",
                Stack.asyncNotification(jobId, "Completed", "s3://" + stack.drop + "/" + key, output, null)))), null);
        assertTrue(done.getBatchItemFailures().isEmpty());

        // 5. The API serves the finished job, its result link and its tracks.
        JsonNode job = get(stack, "/jobs/" + jobId, null);
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        assertEquals(ids.size(), job.at("/counts/tracks").asInt());
        assertEquals(result.lines().count(), job.at("/counts/boxes").asLong());
        List<String> states = new ArrayList<>();
        job.path("history").forEach(h -> states.add(h.path("status").asText()));
        assertEquals(List.of("AWAITING_UPLOAD", "RECEIVED", "STARTING", "RUNNING", "SUCCEEDED"), states);
        HttpResponse<String> download = HTTP.send(HttpRequest.newBuilder(URI.create(job.at("/results/tracksUrl").asText()))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, download.statusCode());
        assertEquals(result, download.body());

        Set<Integer> paged = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            Map<String, String> q = new HashMap<>(Map.of("limit", "4"));
            if (token != null) {
                q.put("nextToken", token);
            }
            JsonNode page = get(stack, "/jobs/" + jobId + "/tracks", q);
            page.path("tracks").forEach(t -> {
                assertTrue(paged.add(t.path("trackId").asInt()), "no track twice");
                assertTrue(t.path("trajectory").size() >= 1);
            });
            token = page.path("nextToken").isMissingNode() ? null : page.path("nextToken").asText();
            pages++;
        } while (token != null && pages < 20);
        assertEquals(ids, paged);
        assertTrue(pages >= 4);

        // Frame range: the tracks with a box between frames 30 and 40, computed from the file.
        Map<Integer, int[]> extent = new HashMap<>();
        result.lines().forEach(l -> {
            String[] c = l.split(",");
            int f = Integer.parseInt(c[0]);
            extent.merge(Integer.parseInt(c[1]), new int[] {f, f}, (a, b) -> new int[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        });
        Set<Integer> expected = new HashSet<>();
        extent.forEach((id, e) -> {
            if (e[0] <= 40 && e[1] >= 30) {
                expected.add(id);
            }
        });
        Set<Integer> inRange = new HashSet<>();
        get(stack, "/jobs/" + jobId + "/tracks", Map.of("fromFrame", "30", "toFrame", "40", "limit", "100"))
                .path("tracks").forEach(t -> inRange.add(t.path("trackId").asInt()));
        assertEquals(expected, inRange);
        System.out.printf("end-to-end: video %d bytes, job %s SUCCEEDED, %d tracks (%d distinct ids in result-cem.txt), "
                + "%d boxes, %d track pages of 4%n", video.length, jobId, job.at("/counts/tracks").asInt(), ids.size(),
                job.at("/counts/boxes").asLong(), pages);
    }

    @Test
    void largeOrBatchVideosGoThroughAProcessingJob() throws Exception {
        Stack stack = new Stack(50L << 30, Stack.fastBackoff());
        stack.sm.reset();
        byte[] video = Videos.mp4(500);
        String key = "incoming/batch/cam-7.mp4";
        String eTag = stack.put(key, video);
        assertTrue(stack.ingest.handleRequest(Stack.sqs(List.of(AwsEvents.s3Put(stack.drop, key, eTag, video.length,
                AwsEvents.nextSequencer()))), null).getBatchItemFailures().isEmpty());
        RecordedCall create = stack.sm.successfulCalls("CreateProcessingJob").get(0);
        String name = create.json().path("ProcessingJobName").asText();
        String jobId = name.substring("motflow-".length());
        String output = create.json().at("/ProcessingOutputConfig/Outputs/0/S3Output/S3Uri").asText();
        stack.putText(output + "cam-7/tracks.txt", Files.readString(RepoPaths.sharedTestData().resolve("mot15/TUD-Campus/result-cem.txt")));
        stack.processing.handleRequest(Stack.processingEvent(name, "Completed", null), null);
        JsonNode job = get(stack, "/jobs/" + jobId, null);
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        assertEquals("PROCESSING_JOB", job.path("route").asText());
        assertEquals(name, job.at("/sagemaker/processingJobName").asText());
    }

    private static JsonNode get(Stack stack, String path, Map<String, String> query) throws Exception {
        APIGatewayV2HTTPResponse r = stack.api.handleRequest(Stack.http("GET", path, query, null), null);
        assertEquals(200, r.getStatusCode(), r.getBody());
        return JSON.readTree(r.getBody());
    }
}
