package dev.motflow.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.motflow.common.model.ModelPointer;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ModelPointerItemsTest {
    @Test
    void storesTheDocumentedAttributesAndReadsThemBack() {
        ModelPointer p = new ModelPointer("motflow-tracker", 7L, "s3://a/m/model.tar.gz", "cfg-7", 6L,
                Instant.parse("2026-01-02T03:04:05.678Z"), "run-1");
        Map<String, AttributeValue> item = ModelPointerItems.toItem(p);
        assertEquals("MODEL#motflow-tracker", item.get("pk").s());
        assertEquals("CURRENT", item.get("sk").s());
        assertEquals("7", item.get("version").n());
        assertEquals("s3://a/m/model.tar.gz", item.get("artifactS3Uri").s());
        assertEquals("cfg-7", item.get("endpointConfigName").s());
        assertEquals("6", item.get("previousVersion").n());
        assertEquals("2026-01-02T03:04:05.678Z", item.get("deployedAt").s());
        assertEquals("run-1", item.get("executionName").s());
        assertEquals(p, ModelPointerItems.fromItem("motflow-tracker", item));
    }

    @Test
    void theFirstModelHasNoPreviousVersionAndNoItemIsNoPointer() {
        ModelPointer p = new ModelPointer("m", 1L, "s3://a/b", "cfg", null, null, null);
        Map<String, AttributeValue> item = ModelPointerItems.toItem(p);
        assertEquals(false, item.containsKey("previousVersion"));
        assertEquals(p, ModelPointerItems.fromItem("m", item));
        assertNull(ModelPointerItems.fromItem("m", Map.of()));
        assertNull(ModelPointerItems.fromItem("m", null));
    }
}
