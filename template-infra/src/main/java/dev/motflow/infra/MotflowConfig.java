package dev.motflow.infra;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Every deploy-time setting of the stack, read from CDK context (`cdk deploy -c key=value`, the
 * "context" block of cdk.json, or `./motflow synth -c key=value`). Defaults suit a small account.
 * Each key is documented in the README ("Deploying to AWS").
 */
public record MotflowConfig(
        String stage,
        String imageTag,
        String modelDataUrl,
        boolean deployEndpoints,
        String asyncInstanceType,
        int asyncMaxInstances,
        int asyncMaxConcurrentInvocationsPerInstance,
        double asyncBacklogPerInstanceTarget,
        String realtimeInstanceType,
        String processingInstanceType,
        int processingMaxRuntimeSeconds,
        String trainingInstanceType,
        int trainingInstanceCount,
        String evaluationInstanceType,
        double gateMinHota,
        double gateMinIdf1,
        double gateMinMota,
        long maxAsyncBytes,
        long maxUploadBytes,
        int presignTtlSeconds,
        int rawUploadRetentionDays,
        int asyncOutputRetentionDays,
        int noncurrentVersionRetentionDays,
        int checkpointRetentionDays,
        int accessLogRetentionDays,
        int abortMultipartUploadDays,
        int logRetentionDays,
        int maxReceiveCount,
        int apiThrottleRatePerSecond,
        int apiThrottleBurst,
        int lambdaErrorThreshold,
        int endpointLatencyThresholdMs,
        String alertEmail,
        String adminPrincipals) {

    private static final Pattern STAGE = Pattern.compile("[a-z][a-z0-9-]{0,19}");
    private static final Pattern INSTANCE = Pattern.compile("ml\\.[a-z0-9]+\\.[a-z0-9]+");
    /**
     * One admin of {@code adminPrincipals}: an ARN as API Gateway's IAM authorizer reports the caller
     * (IAM user, or {@code arn:aws:sts::<account>:assumed-role/<role>/<session>}), the same with the
     * {@code iam:} owner prefix, or a Cognito user as {@code cognito:<sub>}.
     */
    private static final Pattern ADMIN = Pattern.compile("(iam:)?arn:aws[a-z-]*:(iam|sts)::\\d{12}:\\S+|cognito:[\\w-]+");
    /**
     * Instance families SageMaker training runs the motflow training image on: the GPU families
     * (every GPU of every instance is used) and a few CPU families for small or test runs.
     */
    static final Set<String> TRAINING_FAMILIES = Set.of("g4dn", "g5", "g6", "g6e", "p3", "p3dn", "p4d", "p4de",
            "p5", "p5e", "p5en", "m5", "m6i", "m7i", "c5", "c6i", "c7i");
    /** Upper bound of trainingInstanceCount: catches typos; the account's quota is the real limit. */
    static final int MAX_TRAINING_INSTANCES = 64;

    public MotflowConfig {
        if (!STAGE.matcher(stage).matches()) {
            throw new IllegalArgumentException("context 'stage' must match " + STAGE + " (it is part of bucket"
                    + " and endpoint names), got '" + stage + "'");
        }
        for (String type : new String[] {asyncInstanceType, realtimeInstanceType, processingInstanceType,
                trainingInstanceType, evaluationInstanceType}) {
            if (!INSTANCE.matcher(type).matches()) {
                throw new IllegalArgumentException("not a SageMaker instance type: '" + type + "'");
            }
        }
        String trainingFamily = trainingInstanceType.split("\\.")[1];
        if (!TRAINING_FAMILIES.contains(trainingFamily)) {
            throw new IllegalArgumentException("context 'trainingInstanceType': '" + trainingInstanceType + "' is not an"
                    + " instance family motflow trains on; use one of " + new TreeSet<>(TRAINING_FAMILIES)
                    + " (e.g. ml.g5.2xlarge, ml.p4d.24xlarge)");
        }
        if (trainingInstanceCount < 1 || trainingInstanceCount > MAX_TRAINING_INSTANCES) {
            throw new IllegalArgumentException("context 'trainingInstanceCount' must be 1.." + MAX_TRAINING_INSTANCES
                    + ", got " + trainingInstanceCount);
        }
        if (gateMinHota < 0 || gateMinHota > 1 || gateMinIdf1 < 0 || gateMinIdf1 > 1 || gateMinMota > 1
                || Double.isNaN(gateMinMota)) {
            throw new IllegalArgumentException("context 'gateMinHota' and 'gateMinIdf1' must be in [0, 1] and"
                    + " 'gateMinMota' <= 1 (scores are fractions: 0.3, not 30), got " + gateMinHota + ", " + gateMinIdf1
                    + ", " + gateMinMota);
        }
        for (String admin : adminPrincipals.isBlank() ? new String[0] : adminPrincipals.split(",")) {
            if (!ADMIN.matcher(admin.strip()).matches()) {
                throw new IllegalArgumentException("context 'adminPrincipals': '" + admin.strip() + "' is not an IAM"
                        + " user/role-session ARN (arn:aws:iam::<account>:user/<name>, arn:aws:sts::<account>:assumed-role/"
                        + "<role>/<session>) or cognito:<sub>; separate several with commas");
            }
        }
        if (asyncMaxInstances < 1 || maxReceiveCount < 1 || maxAsyncBytes > maxUploadBytes) {
            throw new IllegalArgumentException("asyncMaxInstances and maxReceiveCount must be >= 1 and"
                    + " maxAsyncBytes <= maxUploadBytes");
        }
    }

    /** Reads the configuration through {@code lookup} (normally {@code node.tryGetContext}). */
    public static MotflowConfig fromContext(Function<String, Object> lookup) {
        Ctx c = new Ctx(lookup);
        return new MotflowConfig(
                c.str("stage", "dev"),
                c.str("imageTag", "0.1.0"),
                c.str("modelDataUrl", ""),
                c.bool("deployEndpoints", true),
                c.str("asyncInstanceType", "ml.g5.xlarge"),
                c.integer("asyncMaxInstances", 2),
                c.integer("asyncMaxConcurrentInvocationsPerInstance", 1),
                c.dbl("asyncBacklogPerInstanceTarget", 4.0),
                c.str("realtimeInstanceType", "ml.g5.xlarge"),
                c.str("processingInstanceType", "ml.g5.xlarge"),
                c.integer("processingMaxRuntimeSeconds", 3600),
                c.str("trainingInstanceType", "ml.g5.2xlarge"),
                c.integer("trainingInstanceCount", 1),
                c.str("evaluationInstanceType", "ml.g5.xlarge"),
                // the Gate Lambda's quality floor; the same defaults as functions/retraining's QualityFloor
                c.dbl("gateMinHota", 0.30),
                c.dbl("gateMinIdf1", 0.30),
                c.dbl("gateMinMota", 0.0),
                c.lng("maxAsyncBytes", 1L << 30),
                c.lng("maxUploadBytes", 50L << 30),
                c.integer("presignTtlSeconds", 900),
                c.integer("rawUploadRetentionDays", 30),
                c.integer("asyncOutputRetentionDays", 30),
                c.integer("noncurrentVersionRetentionDays", 30),
                c.integer("checkpointRetentionDays", 14),
                c.integer("accessLogRetentionDays", 365),
                c.integer("abortMultipartUploadDays", 1),
                c.integer("logRetentionDays", 30),
                c.integer("maxReceiveCount", 5),
                c.integer("apiThrottleRatePerSecond", 50),
                c.integer("apiThrottleBurst", 100),
                c.integer("lambdaErrorThreshold", 1),
                c.integer("endpointLatencyThresholdMs", 30000),
                c.str("alertEmail", ""),
                // owners who see every job and stream (ADMIN_PRINCIPALS of the jobs and streams APIs)
                c.str("adminPrincipals", ""));
    }

    public static MotflowConfig defaults() {
        return fromContext(Map.<String, Object>of()::get);
    }

    /** Name prefix of named resources (endpoints, alarms, ECR repositories): {@code motflow-<stage>}. */
    public String prefix() {
        return "motflow-" + stage;
    }

    /**
     * The API functions' {@code ADMIN_PRINCIPALS} (the admins, comma separated, without blanks), or
     * nothing when no admin is configured (the variable is then left out: no IAM caller is an admin).
     */
    public Map<String, String> adminEnvironment() {
        String list = String.join(",", java.util.Arrays.stream(adminPrincipals.split(",")).map(String::strip)
                .filter(a -> !a.isEmpty()).toList());
        return list.isEmpty() ? Map.of() : Map.of("ADMIN_PRINCIPALS", list);
    }

    public Optional<String> alertEmailAddress() {
        return alertEmail.isBlank() ? Optional.empty() : Optional.of(alertEmail);
    }

    /**
     * Whether an EBS volume KMS key may be set for this instance type. SageMaker rejects a volume key
     * for instance types whose storage is local NVMe (g4dn, g5, g6, p4d, p5, *d families); their
     * instance store is encrypted by the hardware instead.
     */
    public static boolean supportsVolumeKmsKey(String instanceType) {
        String family = instanceType.split("\\.")[1].toLowerCase(Locale.ROOT);
        return !(family.startsWith("g4dn") || family.startsWith("g5") || family.startsWith("g6")
                || family.startsWith("p4") || family.startsWith("p5") || family.startsWith("trn")
                || family.endsWith("d") || family.endsWith("dn"));
    }

    private record Ctx(Function<String, Object> lookup) {
        String str(String key, String dflt) {
            Object v = lookup.apply(key);
            return v == null ? dflt : v.toString().trim();
        }

        long lng(String key, long dflt) {
            Object v = lookup.apply(key);
            if (v == null) {
                return dflt;
            }
            try {
                return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("context '" + key + "' must be a whole number, got '" + v + "'");
            }
        }

        int integer(String key, int dflt) {
            long v = lng(key, dflt);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("context '" + key + "' out of range: " + v);
            }
            return (int) v;
        }

        double dbl(String key, double dflt) {
            Object v = lookup.apply(key);
            if (v == null) {
                return dflt;
            }
            try {
                return v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("context '" + key + "' must be a number, got '" + v + "'");
            }
        }

        boolean bool(String key, boolean dflt) {
            Object v = lookup.apply(key);
            if (v == null) {
                return dflt;
            }
            String s = v.toString().trim().toLowerCase(Locale.ROOT);
            if (!s.equals("true") && !s.equals("false")) {
                throw new IllegalArgumentException("context '" + key + "' must be true or false, got '" + v + "'");
            }
            return Boolean.parseBoolean(s);
        }
    }
}
