package dev.motflow.retraining.trigger;

import java.io.IOException;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.JsonLog;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.store.AwsErrors;
import dev.motflow.retraining.store.RunCoordinator;
import dev.motflow.retraining.store.RunCoordinator.Admitted;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Turns "an object landed under labelled/" into a retraining request. Only the object that
 * completes a dataset starts a run: {@code labelled/<dataset>/manifest.json} (motflow's manifest)
 * or a Ground Truth {@code output.manifest} anywhere under {@code labelled/<dataset>/}. Images,
 * gt.txt files and everything else are ignored.
 */
public final class LabelledDataTrigger {
    public static final String PREFIX = "labelled/";
    /** Dataset names become key parts and execution-name parts: keep them plain. */
    public static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern MANIFEST = Pattern.compile("labelled/([^/]+)/manifest\\.json");
    private static final Pattern GT_MANIFEST = Pattern.compile("labelled/([^/]+)/(?:.+/)?output\\.manifest");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._-]{1,40}");

    /** The caller named a dataset or manifest that does not exist. */
    public static final class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message);
        }
    }

    private final S3Client s3;
    private final RunCoordinator coordinator;
    private final Clock clock;

    public LabelledDataTrigger(S3Client s3, RunCoordinator coordinator, Clock clock) {
        this.s3 = s3;
        this.coordinator = coordinator;
        this.clock = clock;
    }

    /** The request an S3 object stands for, or empty when the object does not complete a dataset. */
    public Optional<RunRequest> requestFor(String bucket, String key, String eTag, String versionId) {
        Matcher m = MANIFEST.matcher(key);
        if (m.matches()) {
            String dataset = m.group(1);
            if (!DATASET.matcher(dataset).matches()) {
                return Optional.empty();
            }
            return Optional.of(new RunRequest(dataset, bucket, key, manifestVersion(bucket, key, eTag, versionId),
                    RunRequest.MOTCHALLENGE, false, "S3", clock.instant().toString()));
        }
        m = GT_MANIFEST.matcher(key);
        if (m.matches() && DATASET.matcher(m.group(1)).matches()) {
            return Optional.of(new RunRequest(m.group(1), bucket, key, objectVersion("gt", eTag, versionId),
                    RunRequest.GROUND_TRUTH, false, "S3", clock.instant().toString()));
        }
        return Optional.empty();
    }

    /** The run lock's coordinator (the API's lock routes). */
    public RunCoordinator coordinator() {
        return coordinator;
    }

    public Admitted admit(RunRequest request) {
        return coordinator.admit(request);
    }

    /**
     * A manual request ({@code POST /retraining}): the dataset's manifest.json, or the given key (a
     * Ground Truth output.manifest under the dataset's prefix).
     *
     * @throws NotFound when the manifest does not exist
     * @throws IllegalArgumentException when the names are not acceptable
     */
    public RunRequest manualRequest(String bucket, String dataset, String manifestKey, boolean hpo) {
        if (dataset == null || !DATASET.matcher(dataset).matches()) {
            throw new IllegalArgumentException("dataset must match " + DATASET.pattern());
        }
        String key = manifestKey == null ? PREFIX + dataset + "/manifest.json" : manifestKey;
        if (!key.startsWith(PREFIX + dataset + "/")) {
            throw new IllegalArgumentException("manifestKey must be under " + PREFIX + dataset + "/");
        }
        String eTag;
        String versionId;
        try {
            var head = s3.headObject(b -> b.bucket(bucket).key(key));
            eTag = head.eTag();
            versionId = head.versionId();
        } catch (NoSuchKeyException e) {
            throw new NotFound("no manifest at s3://" + bucket + "/" + key);
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NotFound("no manifest at s3://" + bucket + "/" + key);
            }
            throw AwsErrors.classify("head " + key, e);
        }
        Optional<RunRequest> base = requestFor(bucket, key, eTag, versionId);
        if (base.isEmpty()) {
            throw new IllegalArgumentException("manifestKey must be manifest.json or a Ground Truth output.manifest");
        }
        RunRequest r = base.get();
        return new RunRequest(r.dataset(), r.manifestBucket(), r.manifestKey(), r.manifestVersion(), r.format(), hpo,
                "API", r.requestedAt());
    }

    /** Where imported models must be: the artifacts bucket, which the SageMaker role reads. */
    public static final String IMPORT_PREFIX = "models/";
    /** The dataset name of a forced import that names none (its run item's partition). */
    public static final String IMPORT_DATASET = "import";

    /**
     * A model import ({@code POST /retraining} with {@code importModel}): the artifact
     * {@code s3Uri} replaces training; with a dataset it is evaluated on that dataset's validation
     * split and gated (unless {@code force}), without one it must be forced.
     *
     * @throws NotFound when the artifact or the dataset's manifest does not exist
     * @throws IllegalArgumentException when the request is not acceptable
     */
    public RunRequest importRequest(String labelledBucket, String artifactsBucket, String dataset, String manifestKey,
                                    String s3Uri, boolean force) {
        if (artifactsBucket == null || artifactsBucket.isBlank()) {
            throw new IllegalArgumentException("model import is not configured here (ARTIFACTS_BUCKET is not set)");
        }
        String prefix = "s3://" + artifactsBucket + "/" + IMPORT_PREFIX;
        if (s3Uri == null || !s3Uri.startsWith(prefix) || !s3Uri.endsWith(".tar.gz") || s3Uri.contains("/../")) {
            throw new IllegalArgumentException("importModel.s3Uri must be " + prefix + "<name>/model.tar.gz (upload the model"
                    + " there first: aws s3 cp model.tar.gz " + prefix + "<name>/model.tar.gz), got " + s3Uri);
        }
        if (dataset == null && !force) {
            throw new IllegalArgumentException("an import without \"dataset\" cannot be evaluated: name the labelled dataset"
                    + " to evaluate it on, or set \"force\": true to promote it unevaluated");
        }
        String key = s3Uri.substring(("s3://" + artifactsBucket + "/").length());
        String version;
        try {
            var head = s3.headObject(b -> b.bucket(artifactsBucket).key(key));
            version = objectVersion("m", head.eTag(), head.versionId());
        } catch (NoSuchKeyException e) {
            throw new NotFound("no model at " + s3Uri);
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NotFound("no model at " + s3Uri);
            }
            throw AwsErrors.classify("head " + key, e);
        }
        ModelImport model = new ModelImport(s3Uri, version, force);
        if (dataset == null) {
            return new RunRequest(IMPORT_DATASET, null, null, "none", RunRequest.NONE, false, "API", clock.instant().toString(),
                    null, model);
        }
        RunRequest r = manualRequest(labelledBucket, dataset, manifestKey, false);
        return new RunRequest(r.dataset(), r.manifestBucket(), r.manifestKey(), r.manifestVersion(), r.format(), false, "API",
                r.requestedAt(), null, model);
    }

    /**
     * The manifest's own {@code version}; when the manifest cannot be read as JSON or has no usable
     * version, a version derived from the object so the run still starts and validation reports
     * what is wrong with it.
     */
    private String manifestVersion(String bucket, String key, String eTag, String versionId) {
        try {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
            JsonNode manifest = Json.MAPPER.readTree(bytes);
            String v = Json.text(manifest, "version");
            if (v != null && VERSION.matcher(v).matches()) {
                return v;
            }
        } catch (IOException | RuntimeException unreadable) {
            if (unreadable instanceof SdkException sdk && AwsErrors.transientFailure(sdk)) {
                throw AwsErrors.classify("read " + key, sdk);
            }
            JsonLog.named("trigger").log(JsonLog.Level.WARN, "manifest-unreadable", unreadable, "key", key);
        }
        return objectVersion("obj", eTag, versionId);
    }

    private static String objectVersion(String prefix, String eTag, String versionId) {
        String id = versionId != null && !versionId.isBlank() && !"null".equals(versionId) ? versionId
                : eTag == null ? "unknown" : eTag;
        String clean = id.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
        return prefix + "-" + clean.substring(0, Math.min(16, clean.length()));
    }
}
