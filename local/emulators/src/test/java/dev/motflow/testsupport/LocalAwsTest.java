package dev.motflow.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.model.AppSpecification;
import software.amazon.awssdk.services.sagemaker.model.ProcessingClusterConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingInstanceType;
import software.amazon.awssdk.services.sagemaker.model.ProcessingResources;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncResponse;
import software.amazon.awssdk.services.sagemakerruntime.model.SageMakerRuntimeException;

/** The local stand-ins answer the real SDK clients the way the services do. */
class LocalAwsTest {
    private final LocalAws aws = LocalAws.shared();

    @BeforeEach
    void resetStub() {
        aws.sageMaker().reset();
    }

    @Test
    void dynamoConditionalPutRejectsSecondWriter() {
        DynamoDbClient ddb = aws.dynamo();
        String table = aws.uniqueName("t");
        ddb.createTable(b -> b.tableName(table)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType("S"))
                .keySchema(k -> k.attributeName("pk").keyType("HASH"))
                .billingMode("PAY_PER_REQUEST"));
        Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("a"), "n", AttributeValue.fromN("1"));
        ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
        assertThrows(ConditionalCheckFailedException.class,
                () -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")));
        assertEquals("1", ddb.getItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS("a")))).item().get("n").n());
    }

    @Test
    void s3RoundTripAndPresignedPut() throws Exception {
        S3Client s3 = aws.s3();
        String bucket = aws.newBucket("b");
        s3.putObject(b -> b.bucket(bucket).key("incoming/x.txt"), RequestBody.fromString("hello"));
        assertEquals("hello", s3.getObjectAsBytes(b -> b.bucket(bucket).key("incoming/x.txt")).asUtf8String());

        URL url = aws.s3Presigner().presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .putObjectRequest(r -> r.bucket(bucket).key("incoming/up.bin"))).url();
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        conn.setRequestMethod("PUT");
        conn.setDoOutput(true);
        conn.getOutputStream().write("uploaded".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, conn.getResponseCode());
        assertEquals("uploaded", s3.getObjectAsBytes(b -> b.bucket(bucket).key("incoming/up.bin")).asUtf8String());
    }

    private static software.amazon.awssdk.services.sagemaker.model.CreateProcessingJobRequest job(String name, String role) {
        return software.amazon.awssdk.services.sagemaker.model.CreateProcessingJobRequest.builder()
                .processingJobName(name).roleArn(role)
                .appSpecification(AppSpecification.builder().imageUri("123456789012.dkr.ecr.us-east-1.amazonaws.com/motflow:latest").build())
                .processingResources(ProcessingResources.builder().clusterConfig(ProcessingClusterConfig.builder()
                        .instanceCount(1).instanceType(ProcessingInstanceType.ML_G4_DN_XLARGE).volumeSizeInGB(30).build()).build())
                .processingInputs(i -> i.inputName("video").s3Input(s -> s.s3Uri("s3://drop/incoming/a.mp4").localPath("/opt/ml/processing/input")
                        .s3DataType("S3Prefix").s3InputMode("File")))
                .build();
    }

    @Test
    void createProcessingJobValidatesLikeSageMaker() {
        var sm = aws.sageMaker().client();
        String role = "arn:aws:iam::123456789012:role/motflow-processing";
        assertTrue(sm.createProcessingJob(job("motflow-job-1", role)).processingJobArn().endsWith("/motflow-job-1"));
        SageMakerException dup = assertThrows(SageMakerException.class, () -> sm.createProcessingJob(job("motflow-job-1", role)));
        assertEquals("ResourceInUse", dup.awsErrorDetails().errorCode());
        SageMakerException badName = assertThrows(SageMakerException.class, () -> sm.createProcessingJob(job("bad_name", role)));
        assertEquals(400, badName.statusCode());
        assertTrue(badName.getMessage().contains("ProcessingJobName"));
        assertThrows(SageMakerException.class, () -> sm.createProcessingJob(job("x".repeat(64), role)));
        assertThrows(SageMakerException.class, () -> sm.createProcessingJob(job("ok-name", "not-an-arn")));
        assertEquals("InProgress", sm.describeProcessingJob(b -> b.processingJobName("motflow-job-1")).processingJobStatusAsString());
        assertEquals(6, aws.sageMaker().calls().size());
    }

    @Test
    void throttlingIsRetriedByTheSdk() {
        aws.sageMaker().injectFaults(FaultPlan.firstN(2, Fault.THROTTLING));
        var sm = aws.sageMaker().client();
        sm.createProcessingJob(job("retried-job", "arn:aws:iam::123456789012:role/r"));
        var calls = aws.sageMaker().calls("CreateProcessingJob");
        assertEquals(3, calls.size());
        assertEquals("ThrottlingException", calls.get(0).errorCode());
        assertTrue(calls.get(2).succeeded());
    }

    @Test
    void invokeEndpointAsyncCarriesInputLocationAndAnswersOutputLocation() {
        aws.sageMaker().asyncOutputPrefix("s3://results/async");
        InvokeEndpointAsyncResponse r = aws.sageMaker().runtimeClient().invokeEndpointAsync(b -> b
                .endpointName("motflow-async").inputLocation("s3://drop/incoming/a.mp4").inferenceId("job-123")
                .contentType("video/mp4"));
        assertEquals("job-123", r.inferenceId());
        assertEquals("s3://results/async/job-123.out", r.outputLocation());
        assertTrue(r.failureLocation().contains("failures"));
        RecordedCall call = aws.sageMaker().calls("InvokeEndpointAsync").get(0);
        assertEquals("s3://drop/incoming/a.mp4", call.header("X-Amzn-SageMaker-InputLocation"));
        assertEquals("/endpoints/motflow-async/async-invocations", call.path());

        SageMakerRuntimeException bad = assertThrows(SageMakerRuntimeException.class, () -> aws.sageMaker().runtimeClient()
                .invokeEndpointAsync(b -> b.endpointName("motflow-async").inputLocation("/local/file.mp4")));
        assertEquals("ValidationError", bad.awsErrorDetails().errorCode());
        assertFalse(aws.sageMaker().calls("InvokeEndpointAsync").get(1).succeeded());
    }
}
