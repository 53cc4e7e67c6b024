package dev.motflow.it;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.jobs.handler.ApiHandler;
import dev.motflow.jobs.handler.AsyncCompletionHandler;
import dev.motflow.jobs.handler.IngestHandler;
import dev.motflow.jobs.handler.JobsRuntime;
import dev.motflow.jobs.handler.ProcessingJobEventHandler;
import dev.motflow.jobs.service.JobsConfig;
import dev.motflow.jobs.store.Backoff;
import dev.motflow.jobs.store.JobTableSchema;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.SageMakerStub;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
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
    private static final AtomicLong SEQUENCER = new AtomicLong(0x0055AED6DCD90281L);

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

    Stack(long maxUploadBytes, boolean sdkRetries, Backoff sageMakerBackoff) {
        aws.dynamo().createTable(JobTableSchema.createTableRequest(table));
        aws.dynamo().waiter().waitUntilTableExists(b -> b.tableName(table));
        config = new JobsConfig(table, results, drop, ENDPOINT, 1L << 30, maxUploadBytes, "incoming/batch/",
                IMAGE, ROLE, "ml.g5.xlarge", null, 3600, null, Duration.ofMinutes(15));
        sm.asyncOutputPrefix("s3://" + asyncOut + "/out/");
        SageMakerClient smc = sdkRetries ? sm.client() : SageMakerClient.builder().endpointOverride(sm.endpoint())
                .region(LocalAws.REGION).credentialsProvider(LocalAws.CREDENTIALS).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1))).build();
        SageMakerRuntimeClient rt = sdkRetries ? sm.runtimeClient() : SageMakerRuntimeClient.builder()
                .endpointOverride(sm.endpoint()).region(LocalAws.REGION).credentialsProvider(LocalAws.CREDENTIALS)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(1))).build();
        runtime = JobsRuntime.create(config, aws.dynamo(), aws.s3(), aws.s3Presigner(), smc, rt, Clock.systemUTC(),
                new JobsRuntime.Tuning(sageMakerBackoff, Backoff.of(8, Duration.ofMillis(2), Duration.ofMillis(50)),
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

    static String nextSequencer() {
        return String.format(Locale.ROOT, "%018X", SEQUENCER.incrementAndGet());
    }

    static String s3Put(String bucket, String key, String eTag, long size, String sequencer) {
        return s3Event("ObjectCreated:Put", bucket, URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"),
                eTag, size, sequencer);
    }

    static String s3Event(String eventName, String bucket, String encodedKey, String eTag, long size, String sequencer) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode r = root.putArray("Records").addObject();
        r.put("eventVersion", "2.1");
        r.put("eventSource", "aws:s3");
        r.put("awsRegion", "us-east-1");
        r.put("eventTime", "2026-11-25T06:00:00.000Z");
        r.put("eventName", eventName);
        r.putObject("userIdentity").put("principalId", "AWS:AIDAEXAMPLE");
        r.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        r.putObject("responseElements").put("x-amz-request-id", "C3D13FE58DE4C810");
        ObjectNode s3 = r.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", "motflow-drop");
        s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
        ObjectNode o = s3.putObject("object");
        o.put("key", encodedKey);
        o.put("size", size);
        o.put("eTag", eTag);
        o.put("sequencer", sequencer);
        return root.toString();
    }

    static String asyncNotification(String inferenceId, String status, String input, String location, String failureReason) {
        ObjectNode m = JSON.createObjectNode();
        m.put("awsRegion", "us-east-1");
        m.put("eventTime", "2026-11-25T06:05:00.608Z");
        m.put("receivedTime", "2026-11-25T06:04:10.455Z");
        m.put("invocationStatus", status);
        if (failureReason != null) {
            m.put("failureReason", failureReason);
        }
        m.putObject("requestParameters").put("contentType", "video/mp4").put("endpointName", ENDPOINT).put("inputLocation", input);
        ObjectNode resp = m.putObject("responseParameters").put("contentType", "text/csv; charset=utf-8");
        resp.put("Completed".equals(status) ? "outputLocation" : "failureLocation", location);
        m.put("inferenceId", inferenceId);
        m.put("eventVersion", "1.0");
        m.put("eventSource", "aws:sagemaker");
        m.put("eventName", "InferenceResult");
        return m.toString();
    }

    static String sns(String type, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.put("Type", type);
        e.put("MessageId", UUID.randomUUID().toString());
        e.put("TopicArn", "arn:aws:sns:us-east-1:123456789012:motflow-async-success");
        e.put("Message", message);
        e.put("Timestamp", "2026-11-25T06:05:00.700Z");
        e.put("SignatureVersion", "1");
        e.put("Signature", "EXAMPLE==");
        e.put("SigningCertURL", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem");
        e.put("UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe");
        return e.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> processingEvent(String jobName, String status, String failureReason) {
        ObjectNode e = JSON.createObjectNode();
        e.put("version", "0");
        e.put("id", UUID.randomUUID().toString());
        e.put("detail-type", "SageMaker Processing Job State Change");
        e.put("source", "aws.sagemaker");
        e.put("account", "123456789012");
        e.put("time", "2026-11-25T06:30:00Z");
        e.put("region", "us-east-1");
        e.putArray("resources").add("arn:aws:sagemaker:us-east-1:123456789012:processing-job/" + jobName);
        ObjectNode d = e.putObject("detail");
        d.put("ProcessingJobName", jobName);
        d.put("ProcessingJobStatus", status);
        if (failureReason != null) {
            d.put("FailureReason", failureReason);
        }
        return JSON.convertValue(e, Map.class);
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
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withHttp(http).withStage("$default").build())
                .build();
    }

    // --- test data ------------------------------------------------------------------------------

    static Path repoRoot() {
        String prop = System.getProperty("motflow.repo.root");
        if (prop != null && Files.isDirectory(Path.of(prop, ".ci"))) {
            return Path.of(prop);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve(".ci"))) {
            p = p.getParent();
        }
        return p;
    }

    static Path tudCampusResult() {
        return repoRoot().resolve("../shared/testdata/mot15/TUD-Campus/result-cem.txt").normalize();
    }

    /** ISO BMFF bytes: ftyp, moov (mvhd), mdat. */
    static byte[] syntheticMp4(int payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(box("ftyp", concat("isom".getBytes(StandardCharsets.US_ASCII), new byte[] {0, 0, 2, 0},
                "isomiso2avc1mp41".getBytes(StandardCharsets.US_ASCII))));
        ByteBuffer mvhd = ByteBuffer.allocate(100);
        mvhd.putInt(0).putInt(0).putInt(0).putInt(1000).putInt(1000).putInt(0x00010000).putShort((short) 0x0100);
        out.writeBytes(box("moov", box("mvhd", mvhd.array())));
        byte[] data = new byte[payload];
        for (int i = 0; i < payload; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        out.writeBytes(box("mdat", data));
        return out.toByteArray();
    }

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
        return syntheticMp4(4000);
    }

    static byte[] box(String type, byte[] content) {
        ByteBuffer b = ByteBuffer.allocate(8 + content.length);
        b.putInt(8 + content.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(content);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
