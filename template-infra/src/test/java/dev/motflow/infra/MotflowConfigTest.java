package dev.motflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.logs.RetentionDays;

/** Context parsing and validation (no synth). */
class MotflowConfigTest {
    private static MotflowConfig of(Map<String, Object> context) {
        return MotflowConfig.fromContext(context::get);
    }

    @Test
    void defaultsMatchTheHandlerContractDefaults() {
        MotflowConfig cfg = MotflowConfig.defaults();
        assertEquals("dev", cfg.stage());
        assertEquals("motflow-dev", cfg.prefix());
        assertEquals(1073741824L, cfg.maxAsyncBytes());    // docs/handlers.md MAX_ASYNC_BYTES
        assertEquals(53687091200L, cfg.maxUploadBytes());  // MAX_UPLOAD_BYTES
        assertEquals(900, cfg.presignTtlSeconds());
        assertEquals(3600, cfg.processingMaxRuntimeSeconds());
        assertTrue(cfg.deployEndpoints());
        assertTrue(cfg.alertEmailAddress().isEmpty());
    }

    @Test
    void contextValuesFromTheCliAreStringsAndFromCdkJsonAreNumbers() {
        MotflowConfig cfg = of(Map.of("stage", "prod", "asyncMaxInstances", "4", "logRetentionDays", 90,
                "deployEndpoints", "false", "asyncBacklogPerInstanceTarget", 2.5, "alertEmail", "ops@example.com"));
        assertEquals("motflow-prod", cfg.prefix());
        assertEquals(4, cfg.asyncMaxInstances());
        assertEquals(90, cfg.logRetentionDays());
        assertFalse(cfg.deployEndpoints());
        assertEquals(2.5, cfg.asyncBacklogPerInstanceTarget());
        assertEquals("ops@example.com", cfg.alertEmailAddress().orElseThrow());
    }

    @Test
    void adminPrincipalsAreNoneByDefaultAndAListOfOwnersOtherwise() {
        assertEquals(Map.of(), MotflowConfig.defaults().adminEnvironment(), "no admins: the variable is left out");
        assertEquals(Map.of(), of(Map.of("adminPrincipals", " , ")).adminEnvironment());
        assertEquals(Map.of("ADMIN_PRINCIPALS", "arn:aws:iam::123456789012:user/ops,iam:arn:aws:sts::123456789012:"
                        + "assumed-role/Ops/bo,cognito:abc-123"),
                of(Map.of("adminPrincipals", "arn:aws:iam::123456789012:user/ops, iam:arn:aws:sts::123456789012:"
                        + "assumed-role/Ops/bo ,cognito:abc-123")).adminEnvironment());
        for (String bad : new String[] {"ops", "arn:aws:iam::1234:user/x", "arn:aws:s3:::bucket", "cognito:",
                "arn:aws:iam::123456789012:user/a b"}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of("adminPrincipals", bad)))
                    .getMessage().contains("adminPrincipals"), bad);
        }
    }

    @Test
    void badValuesAreRejectedWithTheKeyInTheMessage() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of("stage", "Prod_1")))
                .getMessage().contains("stage"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of("asyncMaxInstances", "two")))
                .getMessage().contains("asyncMaxInstances"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of("deployEndpoints", "yes")))
                .getMessage().contains("deployEndpoints"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of("asyncInstanceType", "g5.xlarge")))
                .getMessage().contains("g5.xlarge"));
        assertThrows(IllegalArgumentException.class, () -> of(Map.of("asyncMaxInstances", 0)));
        assertThrows(IllegalArgumentException.class, () -> of(Map.of("maxAsyncBytes", "100", "maxUploadBytes", "10")));
        assertThrows(IllegalArgumentException.class, () -> of(Map.of("logRetentionDays", "-1")));
    }

    @Test
    void trainingInstancesAndTheGateFloorAreSettings() {
        MotflowConfig d = MotflowConfig.defaults();
        assertEquals("ml.g5.2xlarge", d.trainingInstanceType());
        assertEquals(1, d.trainingInstanceCount());
        assertEquals(0.30, d.gateMinHota());
        assertEquals(0.30, d.gateMinIdf1());
        assertEquals(0.0, d.gateMinMota());
        MotflowConfig big = of(Map.of("trainingInstanceType", "ml.p4d.24xlarge", "trainingInstanceCount", "2",
                "gateMinHota", "0.45", "gateMinIdf1", 0.5, "gateMinMota", "-0.5"));
        assertEquals("ml.p4d.24xlarge", big.trainingInstanceType());
        assertEquals(2, big.trainingInstanceCount());
        assertEquals(0.45, big.gateMinHota());
        assertEquals(0.5, big.gateMinIdf1());
        assertEquals(-0.5, big.gateMinMota());
    }

    @Test
    void badTrainingSettingsAreRejectedWithTheKeyInTheMessage() {
        String family = assertThrows(IllegalArgumentException.class, () -> of(Map.of("trainingInstanceType", "ml.x9.large")))
                .getMessage();
        assertTrue(family.contains("trainingInstanceType") && family.contains("ml.x9.large") && family.contains("p4d"), family);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of("trainingInstanceCount", "0")))
                .getMessage().contains("trainingInstanceCount"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of("trainingInstanceCount", "65")))
                .getMessage().contains("trainingInstanceCount"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of("gateMinHota", "30")))
                .getMessage().contains("gateMinHota"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of("gateMinMota", "high")))
                .getMessage().contains("gateMinMota"));
    }

    @Test
    void volumeKmsKeyOnlyForInstanceTypesWithoutLocalNvme() {
        assertFalse(MotflowConfig.supportsVolumeKmsKey("ml.g5.xlarge"));
        assertFalse(MotflowConfig.supportsVolumeKmsKey("ml.g4dn.xlarge"));
        assertFalse(MotflowConfig.supportsVolumeKmsKey("ml.p4d.24xlarge"));
        assertFalse(MotflowConfig.supportsVolumeKmsKey("ml.m5d.large"));
        assertTrue(MotflowConfig.supportsVolumeKmsKey("ml.m5.xlarge"));
        assertTrue(MotflowConfig.supportsVolumeKmsKey("ml.c5.2xlarge"));
        assertTrue(MotflowConfig.supportsVolumeKmsKey("ml.p3.2xlarge"));
    }

    @Test
    void logRetentionRoundsUpToASupportedValue() {
        assertEquals(RetentionDays.ONE_MONTH, JobFunctions.retention(30));
        assertEquals(RetentionDays.TWO_MONTHS, JobFunctions.retention(31));
        assertEquals(RetentionDays.ONE_DAY, JobFunctions.retention(1));
        assertEquals(RetentionDays.TEN_YEARS, JobFunctions.retention(5000));
    }
}
