package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.motflow.common.Backoff;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class TransientErrorsTest {
    private static S3Exception s3(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code + " message").build()).build();
    }

    @Test
    void outagesAndThrottlingAreTransientClientMistakesAreNot() {
        assertTrue(TransientErrors.isTransient(SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused"))));
        assertTrue(TransientErrors.isTransient(new UncheckedIOException(new java.io.IOException("reset"))));
        assertTrue(TransientErrors.isTransient(s3(503, "SlowDown")));
        assertTrue(TransientErrors.isTransient(s3(500, "InternalError")));
        assertTrue(TransientErrors.isTransient(s3(400, "RequestTimeout")), "S3's idle-connection timeout is a 400");
        assertTrue(TransientErrors.isTransient(ProvisionedThroughputExceededException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException").build()).build()));
        assertTrue(TransientErrors.isTransient(new IllegalStateException("wrapped", s3(502, "BadGateway"))));

        assertFalse(TransientErrors.isTransient(s3(403, "AccessDenied")));
        S3Exception headRefused = (S3Exception) S3Exception.builder().statusCode(403)
                .awsErrorDetails(AwsErrorDetails.builder().build()).build(); // a HEAD answer has no body, so no code
        assertFalse(TransientErrors.isTransient(headRefused));
        assertEquals("refused (HTTP 403)", TransientErrors.describe(headRefused));
        assertFalse(TransientErrors.isTransient(s3(404, "NoSuchKey")));
        assertFalse(TransientErrors.isTransient(s3(400, "InvalidRequest")));
        assertFalse(TransientErrors.isTransient(new IllegalArgumentException("a bug")));
        assertEquals("AccessDenied (HTTP 403): AccessDenied message", TransientErrors.describe(s3(403, "AccessDenied")));
    }

    @Test
    void inJobRetryRetriesTransientFailuresWithItsBackoffAndGivesUpAfterItsAttempts() {
        List<Duration> waits = new ArrayList<>();
        InJobRetry retry = new InJobRetry(new Backoff(3, Duration.ofMillis(100), Duration.ofMillis(150), waits::add));
        AtomicInteger calls = new AtomicInteger();
        assertEquals("ok", retry.call("j", "step", () -> {
            if (calls.incrementAndGet() < 3) {
                throw s3(503, "SlowDown");
            }
            return "ok";
        }));
        assertEquals(3, calls.get());
        assertEquals(2, waits.size());
        assertTrue(waits.get(0).compareTo(Duration.ofMillis(100)) <= 0 && waits.get(1).compareTo(Duration.ofMillis(150)) <= 0,
                "jittered waits within the capped ceilings: " + waits);

        calls.set(0);
        assertThrows(S3Exception.class, () -> retry.call("j", "step", () -> {
            calls.incrementAndGet();
            throw s3(503, "SlowDown");
        }));
        assertEquals(3, calls.get(), "at most the backoff's attempts");

        calls.set(0);
        assertThrows(S3Exception.class, () -> retry.call("j", "step", () -> {
            calls.incrementAndGet();
            throw s3(403, "AccessDenied");
        }));
        assertEquals(1, calls.get(), "a permanent failure is not retried");
    }
}
