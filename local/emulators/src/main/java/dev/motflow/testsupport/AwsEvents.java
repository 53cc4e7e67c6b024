package dev.motflow.testsupport;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Event payloads in the shapes AWS sends them (S3 via SQS, SageMaker async via SNS, EventBridge). */
public final class AwsEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong SEQUENCER = new AtomicLong(0x0055AED6DCD90281L);

    private AwsEvents() {
    }

    /** A fresh S3 sequencer (hex, increasing per PUT). */
    public static String nextSequencer() {
        return String.format(Locale.ROOT, "%018X", SEQUENCER.incrementAndGet());
    }

    /** Encodes a key as S3 does in event notifications (form encoding, '+' for space). */
    public static String eventKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    /** An S3 ObjectCreated:Put notification for one object (the SQS body). */
    public static String s3Put(String bucket, String key, String eTag, long size, String sequencer) {
        return s3Event("ObjectCreated:Put", bucket, eventKey(key), eTag, size, sequencer);
    }

    public static String s3Event(String eventName, String bucket, String encodedKey, String eTag, long size, String sequencer) {
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
        ObjectNode b = s3.putObject("bucket");
        b.put("name", bucket);
        b.putObject("ownerIdentity").put("principalId", "A3NL1KOZZKExample");
        b.put("arn", "arn:aws:s3:::" + bucket);
        ObjectNode o = s3.putObject("object");
        o.put("key", encodedKey);
        o.put("size", size);
        o.put("eTag", eTag);
        o.put("sequencer", sequencer);
        return root.toString();
    }

    public static String s3TestEvent(String bucket) {
        return "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2026-11-25T06:00:00.000Z\",\"Bucket\":\""
                + bucket + "\",\"RequestId\":\"5582815E1AEA5ADF\",\"HostId\":\"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE\"}";
    }

    /** SageMaker's async inference notification (the SNS Message). */
    public static String asyncNotification(String inferenceId, String status, String endpoint, String input,
                                           String outputOrFailureLocation, String failureReason) {
        ObjectNode m = JSON.createObjectNode();
        m.put("awsRegion", "us-east-1");
        m.put("eventTime", "2026-11-25T06:05:00.608Z");
        m.put("receivedTime", "2026-11-25T06:04:10.455Z");
        m.put("invocationStatus", status);
        if (failureReason != null) {
            m.put("failureReason", failureReason);
        }
        ObjectNode req = m.putObject("requestParameters");
        req.put("contentType", "video/mp4");
        req.put("endpointName", endpoint);
        req.put("inputLocation", input);
        ObjectNode resp = m.putObject("responseParameters");
        resp.put("contentType", "text/csv; charset=utf-8");
        if ("Completed".equals(status)) {
            resp.put("outputLocation", outputOrFailureLocation);
        } else if (outputOrFailureLocation != null) {
            resp.put("failureLocation", outputOrFailureLocation);
        }
        m.put("inferenceId", inferenceId);
        m.put("eventVersion", "1.0");
        m.put("eventSource", "aws:sagemaker");
        m.put("eventName", "InferenceResult");
        return m.toString();
    }

    /** The SNS envelope SQS receives with raw delivery off. */
    public static String sns(String message) {
        return sns("Notification", message);
    }

    /** An SNS envelope of another type (for example SubscriptionConfirmation). */
    public static String sns(String type, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.put("Type", type);
        e.put("MessageId", UUID.randomUUID().toString());
        e.put("TopicArn", "arn:aws:sns:us-east-1:123456789012:motflow-async-success");
        e.put("Message", message);
        e.put("Timestamp", "2026-11-25T06:05:00.700Z");
        e.put("SignatureVersion", "1");
        e.put("Signature", "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=");
        e.put("SigningCertURL", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem");
        e.put("UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:motflow-async-success:0000");
        return e.toString();
    }

    /** An EventBridge "SageMaker Processing Job State Change" event. */
    public static ObjectNode processingStateChange(String jobName, String status, String failureReason, String outputUri) {
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
        d.put("ProcessingJobArn", "arn:aws:sagemaker:us-east-1:123456789012:processing-job/" + jobName);
        d.put("ProcessingJobStatus", status);
        if (failureReason != null) {
            d.put("FailureReason", failureReason);
        }
        d.put("ProcessingStartTime", java.time.Instant.parse("2026-11-25T06:00:00Z").toEpochMilli());
        d.put("ProcessingEndTime", java.time.Instant.parse("2026-11-25T06:30:00Z").toEpochMilli());
        ObjectNode out = d.putObject("ProcessingOutputConfig").putArray("Outputs").addObject();
        out.put("OutputName", "tracks");
        out.putObject("S3Output").put("S3Uri", outputUri).put("LocalPath", "/opt/ml/processing/output").put("S3UploadMode", "EndOfJob");
        return e;
    }
}
