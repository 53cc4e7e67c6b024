package dev.motflow.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.motflow.common.Backoff;
import dev.motflow.common.SdkRetries;
import dev.motflow.jobs.handler.ApiHandler;
import dev.motflow.jobs.handler.AsyncCompletionHandler;
import dev.motflow.jobs.handler.IngestHandler;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.handler.ProcessingJobEventHandler;
import dev.motflow.jobs.service.JobsConfig;
import dev.motflow.jobs.store.JobTableSchema;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.SageMakerStub;
import dev.motflow.testsupport.Videos;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * The job Lambdas' handlers wired to the local services (one table and three buckets per
 * instance), plus payloads in the shapes AWS delivers them.
 */
final class Stack {
    static final String ENDPOINT = "motflow-tracker";
    static final String ROLE = "arn:aws:iam::123456789012:role/motflow-processing";
    static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/motflow-processing:1";
    private static final ObjectMapper JSON = new ObjectMapper();

    final LocalAws aws = LocalAws.shared();
    final SageMakerStub sm = aws.sageMaker();
    final String table = aws.uniqueName("jobs");
    final String drop = aws.newBucket("drop");
    final String results = aws.newBucket("results");
    final String asyncOut = aws.newBucket("async-out");
    final JobsConfig config;
    final JobsRuntime runtime;
    final IngestHandler ingest;
    final AsyncCompletionHandler completion;
    final ProcessingJobEventHandler processing;
    final ApiHandler api;

    /** SageMaker clients with the production retry strategy at this backoff's attempts and waits. */
    Stack(long maxUploadBytes, Backoff sageMakerBackoff) {
        this(maxUploadBytes, sageMakerBackoff.maxAttempts(), sageMakerBackoff::delay);
    }

    /** SageMaker clients with the production retry strategy at these attempts and waits (tests record the waits). */
    Stack(long maxUploadBytes, int sageMakerAttempts, BackoffStrategy sageMakerWaits) {
        aws.dynamo().createTable(JobTableSchema.createTableRequest(table));
        aws.dynamo().waiter().waitUntilTableExists(b -> b.tableName(table));
        config = new JobsConfig(table, results, drop, ENDPOINT, 1L << 30, maxUploadBytes, "incoming/batch/",
                IMAGE, ROLE, "ml.g5.xlarge", null, 3600, null, Duration.ofMinutes(15));
        sm.asyncOutputPrefix("s3://" + asyncOut + "/out/");
        SageMakerClient smc = SageMakerClient.builder().endpointOverride(sm.endpoint())
                .region(LocalAws.REGION).credentialsProvider(LocalAws.CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(SdkRetries.standard(sageMakerAttempts, sageMakerWaits))).build();
        SageMakerRuntimeClient rt = SageMakerRuntimeClient.builder()
                .endpointOverride(sm.endpoint()).region(LocalAws.REGION).credentialsProvider(LocalAws.CREDENTIALS)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(SdkRetries.standard(sageMakerAttempts, sageMakerWaits))).build();
        runtime = JobsRuntime.create(config, aws.dynamo(), aws.s3(), aws.s3Presigner(), smc, rt, Clock.systemUTC(),
                new JobsRuntime.Tuning(sageMakerAttempts, Backoff.of(8, Duration.ofMillis(2), Duration.ofMillis(50)),
                        Duration.ofMinutes(2)));
        ingest = new IngestHandler(runtime.ingest());
        completion = new AsyncCompletionHandler(runtime.completion());
        processing = new ProcessingJobEventHandler(runtime.completion());
        api = new ApiHandler(runtime.api());
    }

    static Backoff fastBackoff() {
        return Backoff.of(6, Duration.ofMillis(5), Duration.ofMillis(80));
    }

    /** Puts an object, returns its unquoted ETag. */
    String put(String key, byte[] bytes) {
        return aws.s3().putObject(b -> b.bucket(drop).key(key), RequestBody.fromBytes(bytes)).eTag().replace("\"", "");
    }

    void putText(String s3Uri, String text) {
        String rest = s3Uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        aws.s3().putObject(b -> b.bucket(rest.substring(0, slash)).key(rest.substring(slash + 1)), RequestBody.fromString(text));
    }

    // --- payloads -------------------------------------------------------------------------------

    /** SageMaker's async inference notification from this stack's endpoint. */
    static String asyncNotification(String inferenceId, String status, String input, String location, String failureReason) {
        return AwsEvents.asyncNotification(inferenceId, status, ENDPOINT, input, location, failureReason);
    }

    /** An EventBridge processing-job state change, as the Lambda runtime hands it over (a map). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> processingEvent(String jobName, String status, String failureReason) {
        return JSON.convertValue(AwsEvents.processingStateChange(jobName, status, failureReason, null), Map.class);
    }

    static SQSEvent sqs(List<String> bodies) {
        List<SQSEvent.SQSMessage> msgs = new ArrayList<>();
        for (String b : bodies) {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId(UUID.randomUUID().toString());
            m.setBody(b);
            m.setEventSource("aws:sqs");
            msgs.add(m);
        }
        SQSEvent e = new SQSEvent();
        e.setRecords(msgs);
        return e;
    }

    static APIGatewayV2HTTPEvent http(String method, String path, Map<String, String> query, String body) {
        APIGatewayV2HTTPEvent.RequestContext.Http http = APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                .withMethod(method).withPath(path).withProtocol("HTTP/1.1").withSourceIp("127.0.0.1").build();
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("$default").withRawPath(path)
                .withHeaders(Map.of("content-type", "application/json"))
                .withQueryStringParameters(query)
                .withBody(body).withIsBase64Encoded(false)
                // An admin of the console's pool (motflow-admins): these tests read dropped objects' jobs too.
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withHttp(http).withStage("$default")
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                                        .withClaims(Map.of("sub", "integration-tests", "cognito:groups", "[motflow-admins]"))
                                        .build()).build())
                        .build())
                .build();
    }

    // --- test data ------------------------------------------------------------------------------

    /** A real H.264 MP4 from ffmpeg when it is installed, else the synthetic container. */
    static byte[] realMp4OrSynthetic() {
        try {
            Path out = Files.createTempFile("motflow-e2e-", ".mp4");
            Process p = new ProcessBuilder("ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=duration=1:size=160x120:rate=10", "-pix_fmt", "yuv420p", out.toString())
                    .redirectErrorStream(true).start();
            if (p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(out) > 0) {
                byte[] bytes = Files.readAllBytes(out);
                Files.deleteIfExists(out);
                return bytes;
            }
            p.destroyForcibly();
        } catch (java.io.IOException e) {
            // no ffmpeg: fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Videos.mp4(4000);
    }
}
