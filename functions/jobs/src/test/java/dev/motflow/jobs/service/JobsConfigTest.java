package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JobsConfigTest {
    @Test
    void readsTheDocumentedVariablesWithTheirDefaults() {
        JobsConfig c = JobsConfig.fromMap(Map.of("TABLE_NAME", "t", "RESULTS_BUCKET", "r", "DROP_BUCKET", "d",
                "ASYNC_ENDPOINT_NAME", "e", "PROCESSING_VOLUME_KMS_KEY_ID", " "));
        assertEquals(1L << 30, c.maxAsyncBytes());
        assertEquals(50L << 30, c.maxUploadBytes());
        assertEquals("incoming/batch/", c.batchPrefix());
        assertEquals(3600, c.processingMaxRuntimeSeconds());
        assertEquals(Duration.ofSeconds(900), c.presignTtl());
        assertEquals("ml.g5.xlarge", c.processingInstanceType());
        assertNull(c.processingVolumeKmsKeyId());
        assertNull(c.processingModelS3Uri());
        assertEquals("motflow-tracker", c.modelName());
        assertEquals("other", JobsConfig.fromMap(Map.of("TABLE_NAME", "t", "MODEL_NAME", "other")).modelName());
    }

    @Test
    void refusesBadValuesWithTheVariableName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobsConfig.fromMap(Map.of("TABLE_NAME", "t", "MAX_ASYNC_BYTES", "1GB")));
        assertTrue(e.getMessage().contains("MAX_ASYNC_BYTES"));
        assertThrows(IllegalArgumentException.class, () -> JobsConfig.fromMap(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> JobsConfig.fromMap(Map.of("TABLE_NAME", "t", "BATCH_PREFIX", "batch/")));
        assertThrows(IllegalArgumentException.class, () -> JobsConfig.fromMap(Map.of("TABLE_NAME", "t", "PRESIGN_TTL_SECONDS", "0")));
    }
}
