package dev.motflow.retraining.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.common.JsonLog;
import dev.motflow.mot.MotFile;
import dev.motflow.mot.MotFormatException;
import dev.motflow.mot.MotRow;
import dev.motflow.mot.SeqInfo;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.RunResources;
import dev.motflow.retraining.dataset.DatasetManifest.FileEntry;
import dev.motflow.retraining.model.DatasetVersion;
import dev.motflow.retraining.store.AwsErrors;
import dev.motflow.retraining.store.DatasetVersions;
import dev.motflow.retraining.store.RunRecords;
import dev.motflow.retraining.training.TrainingPlanner;
import dev.motflow.retraining.trigger.ExecutionNames;
import dev.motflow.retraining.trigger.RunRequest;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The ValidateDataset step. Reads the dataset (motflow manifest or converted Ground Truth output),
 * checks it, splits it into train and validation sequences, writes the two SageMaker manifest files
 * and records the dataset version. Bad data is a {@code REJECTED} result listing what is wrong, by
 * file and line; only infrastructure trouble throws.
 *
 * <p>Checks: every listed file exists with the listed size and SHA-256; each sequence has
 * {@code seqinfo.ini}, {@code gt/gt.txt} and frames {@code img1/000001<imExt>..seqLength}; the
 * seqinfo and gt parse; every gt box has a positive size, a frame within 1..seqLength, a positive
 * id, lies at least partly inside the image (when its size is known), has a visibility in [0, 1]
 * (when given), and no id appears twice in one frame.
 */
public final class DatasetValidator {
    /** Share of sequences held out for validation when the manifest does not name them. */
    static final double VALIDATION_SHARE = 0.2;
    private static final Pattern FRAME_FILE = Pattern.compile("img1/(\\d{6})(\\.[A-Za-z0-9]+)");
    private static final long MAX_TEXT_BYTES = 256L * 1024 * 1024;

    private final S3Client s3;
    private final DatasetVersions versions;
    private final String artifactsBucket;
    private final RunRecords runs;
    private final TrainingPlanner planner;
    private final Clock clock;

    public DatasetValidator(S3Client s3, DynamoDbClient dynamo, String table, String artifactsBucket, TrainingPlanner planner,
                            Clock clock) {
        this.s3 = s3;
        this.artifactsBucket = artifactsBucket;
        this.runs = new RunRecords(dynamo, table, clock);
        this.versions = new DatasetVersions(dynamo, table);
        this.planner = planner;
        this.clock = clock;
    }

    /** The layout to check: where the MOTChallenge root is and what files it should hold. */
    private record Layout(String bucket, String rootPrefix, String manifestSha256, List<FileEntry> files,
                          List<String> validationHint, Boolean coldStart) {
    }

    private record SequenceCheck(String name, int frames, String gtSha256) {
    }

    public ObjectNode validate(String executionName, RunRequest request) {
        JsonLog log = JsonLog.named("validate-dataset").with("executionName", executionName);
        if (RunRequest.NONE.equals(request.format())) {
            return withoutDataset(executionName, request);
        }
        Issues issues = new Issues();
        byte[] manifestBytes = readManifest(request, issues);
        Layout layout = null;
        if (manifestBytes != null) {
            String text = new String(manifestBytes, StandardCharsets.UTF_8);
            String label = request.manifestKey().substring(request.manifestKey().lastIndexOf('/') + 1);
            String manifestSha = Checksums.sha256Hex(manifestBytes);
            if (RunRequest.GROUND_TRUTH.equals(request.format())) {
                String root = "datasets/" + request.dataset() + "/" + request.manifestVersion() + "/";
                var converted = new GroundTruthConverter(s3).convert(text, label, artifactsBucket, root, issues);
                layout = new Layout(converted.bucket(), converted.rootPrefix(), manifestSha, converted.files(), List.of(), null);
            } else {
                DatasetManifest manifest = DatasetManifest.parse(text, label, request.dataset(), issues);
                if (manifest != null) {
                    String root = request.manifestKey().substring(0, request.manifestKey().lastIndexOf('/') + 1);
                    layout = new Layout(request.manifestBucket(), root, manifestSha, manifest.files(), manifest.validation(),
                            manifest.coldStart());
                }
            }
        }
        List<SequenceCheck> sequences = List.of();
        if (layout != null && issues.isEmpty()) {
            sequences = checkFiles(layout, issues);
        }
        List<String> validation = List.of();
        if (issues.isEmpty()) {
            validation = split(request.dataset(), sequences, layout.validationHint(), issues);
        }
        if (!issues.isEmpty()) {
            log.info("dataset-rejected", "problems", issues.count());
            runs.validationRejected(request.dataset(), executionName, issues.count());
            return rejected(request, issues);
        }
        RunResources resources = new RunResources(executionName, request.dataset(), artifactsBucket);
        Set<String> validationSet = new TreeSet<>(validation);
        List<String> train = new ArrayList<>();
        for (SequenceCheck s : sequences) {
            if (!validationSet.contains(s.name())) {
                train.add(s.name());
            }
        }
        String trainManifest = writeSplitManifest(resources, "train.manifest", layout, train);
        String validationManifest = writeSplitManifest(resources, "validation.manifest", layout, validation);
        StringBuilder setKey = new StringBuilder();
        int frames = 0;
        for (SequenceCheck s : sequences) {
            frames += s.frames();
            if (validationSet.contains(s.name())) {
                setKey.append(s.name()).append(':').append(s.gtSha256()).append('\n');
            }
        }
        String validationSetId = ExecutionNames.sha256Hex(setKey.toString()).substring(0, 16);
        long datasetVersion = recordVersion(request, layout, sequences.size(), frames, train, validation, validationSetId, executionName);
        runs.validated(request.dataset(), executionName, datasetVersion, validationSetId);
        log.info("dataset-valid", "datasetVersion", datasetVersion, "sequences", sequences.size(), "frames", frames,
                "validation", validation);

        ObjectNode out = Json.object();
        out.put("status", "VALID");
        out.set("report", Json.MAPPER.createArrayNode());
        ObjectNode ds = out.putObject("dataset");
        ds.put("name", request.dataset());
        ds.put("version", datasetVersion);
        ds.put("manifestVersion", request.manifestVersion());
        ds.put("format", request.format());
        ds.put("bucket", layout.bucket());
        ds.put("rootPrefix", layout.rootPrefix());
        ds.put("frames", frames);
        ds.set("trainSequences", Json.MAPPER.valueToTree(train));
        ds.set("validationSequences", Json.MAPPER.valueToTree(validation));
        ds.put("validationSetId", validationSetId);
        ds.put("trainManifestUri", trainManifest);
        ds.put("validationManifestUri", validationManifest);
        out.set("jobs", resources.jobs());
        out.set("paths", resources.paths());
        out.set("training", planner.plan(executionName, request, ds, layout.coldStart()));
        return out;
    }

    /**
     * A forced model import that names no dataset: nothing to check or split; the run's names and
     * paths, and the training plan (import, not evaluated), in the shape of a valid dataset.
     */
    private ObjectNode withoutDataset(String executionName, RunRequest request) {
        if (!request.isImport() || !request.importModel().force()) {
            throw new IllegalArgumentException("a run without a dataset must be a forced model import");
        }
        RunResources resources = new RunResources(executionName, request.dataset(), artifactsBucket);
        ObjectNode out = Json.object();
        out.put("status", "VALID");
        out.set("report", Json.MAPPER.createArrayNode());
        ObjectNode ds = out.putObject("dataset");
        ds.put("name", request.dataset());
        ds.put("version", 0);
        ds.put("manifestVersion", request.manifestVersion());
        ds.put("format", request.format());
        ds.putArray("trainSequences");
        ds.putArray("validationSequences");
        ds.putNull("validationSetId");
        out.set("jobs", resources.jobs());
        out.set("paths", resources.paths());
        out.set("training", planner.plan(executionName, request, ds, null));
        return out;
    }

    private byte[] readManifest(RunRequest request, Issues issues) {
        String label = request.manifestKey().substring(request.manifestKey().lastIndexOf('/') + 1);
        try {
            return s3.getObjectAsBytes(b -> b.bucket(request.manifestBucket()).key(request.manifestKey())).asByteArray();
        } catch (NoSuchKeyException e) {
            issues.add(label, 0, "does not exist at s3://" + request.manifestBucket() + "/" + request.manifestKey());
            return null;
        } catch (SdkException e) {
            throw AwsErrors.classify("read manifest", e);
        }
    }

    private List<SequenceCheck> checkFiles(Layout layout, Issues issues) {
        Map<String, Map<String, FileEntry>> bySequence = new TreeMap<>();
        for (FileEntry f : layout.files()) {
            int slash = f.path().indexOf('/');
            if (slash < 0) {
                continue; // files beside the sequences (a README) are allowed and ignored
            }
            bySequence.computeIfAbsent(f.path().substring(0, slash), k -> new TreeMap<>()).put(f.path().substring(slash + 1), f);
        }
        if (bySequence.isEmpty()) {
            issues.add("manifest", 0, "lists no sequence (files must be <sequence>/...)");
            return List.of();
        }
        Map<String, byte[]> texts = new HashMap<>();
        for (FileEntry f : layout.files()) {
            boolean keep = f.path().endsWith("/seqinfo.ini") || f.path().endsWith("/gt/gt.txt");
            byte[] content = checkObject(layout, f, keep, issues);
            if (keep && content != null) {
                texts.put(f.path(), content);
            }
        }
        List<SequenceCheck> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, FileEntry>> e : bySequence.entrySet()) {
            SequenceCheck s = checkSequence(e.getKey(), e.getValue(), texts, issues);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Streams one object: exists, size, checksum. Returns its bytes when {@code keep}. */
    private byte[] checkObject(Layout layout, FileEntry f, boolean keep, Issues issues) {
        String key = layout.rootPrefix() + f.path();
        if (f.sha256() == null && !keep) {
            try {
                long size = s3.headObject(b -> b.bucket(layout.bucket()).key(key)).contentLength();
                if (f.size() >= 0 && size != f.size()) {
                    issues.add("manifest", f.line(), f.path() + ": listed size " + f.size() + " but the object has " + size + " bytes");
                }
            } catch (NoSuchKeyException e) {
                issues.add("manifest", f.line(), f.path() + ": listed but does not exist");
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    issues.add("manifest", f.line(), f.path() + ": listed but does not exist");
                } else {
                    throw AwsErrors.classify("head " + key, e);
                }
            }
            return null;
        }
        MessageDigest digest = Checksums.sha256();
        ByteArrayOutputStream kept = keep ? new ByteArrayOutputStream() : null;
        long size = 0;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(layout.bucket()).key(key))) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
                size += n;
                if (kept != null) {
                    if (size > MAX_TEXT_BYTES) {
                        issues.add(f.path(), 0, "larger than " + MAX_TEXT_BYTES + " bytes");
                        return null;
                    }
                    kept.write(buf, 0, n);
                }
            }
        } catch (NoSuchKeyException e) {
            issues.add("manifest", f.line(), f.path() + ": listed but does not exist");
            return null;
        } catch (SdkException e) {
            throw AwsErrors.classify("read " + key, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean ok = true;
        if (f.size() >= 0 && size != f.size()) {
            issues.add("manifest", f.line(), f.path() + ": listed size " + f.size() + " but the object has " + size + " bytes");
            ok = false;
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        if (f.sha256() != null && !sha.equals(f.sha256())) {
            issues.add("manifest", f.line(), f.path() + ": sha256 is " + sha + ", the manifest lists " + f.sha256());
            ok = false;
        }
        return ok && kept != null ? kept.toByteArray() : null;
    }

    private SequenceCheck checkSequence(String seq, Map<String, FileEntry> files, Map<String, byte[]> texts, Issues issues) {
        String infoPath = seq + "/seqinfo.ini";
        String gtPath = seq + "/gt/gt.txt";
        if (!files.containsKey("seqinfo.ini")) {
            issues.add(infoPath, 0, "missing (every sequence needs seqinfo.ini)");
        }
        if (!files.containsKey("gt/gt.txt")) {
            issues.add(gtPath, 0, "missing (every sequence needs gt/gt.txt)");
        }
        byte[] infoBytes = texts.get(infoPath);
        byte[] gtBytes = texts.get(gtPath);
        if (infoBytes == null || gtBytes == null) {
            return null; // missing or already reported (size/checksum)
        }
        SeqInfo info;
        try {
            info = SeqInfo.read(new StringReader(new String(infoBytes, StandardCharsets.UTF_8)), Path.of(infoPath));
        } catch (MotFormatException e) {
            issues.add(infoPath, e.line(), e.reason());
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String ext = info.imExt();
        TreeSet<Integer> frames = new TreeSet<>();
        for (String rel : files.keySet()) {
            Matcher m = FRAME_FILE.matcher(rel);
            if (m.matches()) {
                if (!m.group(2).equalsIgnoreCase(ext)) {
                    issues.add(seq + "/" + rel, 0, "extension differs from seqinfo.ini imExt " + ext);
                }
                frames.add(Integer.parseInt(m.group(1)));
            } else if (rel.startsWith("img1/")) {
                issues.add(seq + "/" + rel, 0, "frame files must be named img1/<6-digit frame>" + ext);
            }
        }
        int length = info.seqLength();
        if (frames.isEmpty()) {
            issues.add(seq + "/img1", 0, "no frames listed");
        } else {
            List<Integer> missing = new ArrayList<>();
            for (int i = 1; i <= length && missing.size() < 10; i++) {
                if (!frames.contains(i)) {
                    missing.add(i);
                }
            }
            if (!missing.isEmpty()) {
                issues.add(infoPath, 0, "seqLength=" + length + " but frames " + missing + (missing.size() == 10 ? "..." : "")
                        + " are not listed");
            }
            if (frames.last() > length) {
                issues.add(seq + "/img1", 0, "frame " + frames.last() + " is beyond seqLength=" + length);
            }
        }
        List<MotRow> rows;
        try {
            rows = MotFile.read(new StringReader(new String(gtBytes, StandardCharsets.UTF_8)), Path.of(gtPath));
        } catch (MotFormatException e) {
            issues.add(gtPath, e.line(), e.reason());
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (rows.isEmpty()) {
            issues.add(gtPath, 0, "no annotations");
        }
        int width = info.imWidth().orElse(0);
        int height = info.imHeight().orElse(0);
        Map<Long, Integer> seen = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            MotRow r = rows.get(i);
            int line = i + 1; // MotFile allows blank lines only at the end, so row i is line i+1
            if (r.frame() > length) {
                issues.add(gtPath, line, "frame " + r.frame() + " is beyond seqLength=" + length);
            }
            if (r.id() < 1) {
                issues.add(gtPath, line, "ground-truth id must be >= 1, got " + r.id());
            }
            if (!(r.w() > 0) || !(r.h() > 0)) {
                issues.add(gtPath, line, "box size must be positive, got " + r.w() + "x" + r.h());
            } else if (width > 0 && height > 0 && (r.x() >= width || r.y() >= height || r.x() + r.w() <= 0 || r.y() + r.h() <= 0)) {
                issues.add(gtPath, line, "box (" + r.x() + "," + r.y() + " " + r.w() + "x" + r.h() + ") lies outside the "
                        + width + "x" + height + " image");
            }
            if (r.c9() != MotRow.UNUSED && (r.c9() < 0 || r.c9() > 1)) {
                issues.add(gtPath, line, "visibility must be within [0, 1], got " + r.c9());
            }
            Integer previous = seen.putIfAbsent(((long) r.frame() << 32) | (r.id() & 0xffffffffL), line);
            if (previous != null) {
                issues.add(gtPath, line, "id " + r.id() + " appears twice in frame " + r.frame() + " (also line " + previous + ")");
            }
        }
        return new SequenceCheck(seq, frames.size(), Checksums.sha256Hex(gtBytes));
    }

    /**
     * Validation sequences: the manifest's list, or the ~20% whose name hashes lowest. Hashing the
     * name (not the position) keeps a sequence on the same side when later versions add sequences,
     * so scores of successive models stay comparable.
     */
    private static List<String> split(String dataset, List<SequenceCheck> sequences, List<String> hint, Issues issues) {
        List<String> names = new ArrayList<>();
        sequences.forEach(s -> names.add(s.name()));
        if (names.size() < 2) {
            issues.add("manifest", 0, "needs at least two sequences (one to train on, one to validate on), found " + names.size());
            return List.of();
        }
        if (!hint.isEmpty()) {
            for (String v : hint) {
                if (!names.contains(v)) {
                    issues.add("manifest", 0, "validation sequence " + v + " is not in the dataset");
                }
            }
            if (new TreeSet<>(hint).size() >= names.size()) {
                issues.add("manifest", 0, "\"validation\" names every sequence; at least one must remain for training");
            }
            return List.copyOf(new TreeSet<>(hint));
        }
        int count = Math.max(1, (int) Math.round(names.size() * VALIDATION_SHARE));
        List<String> byHash = new ArrayList<>(names);
        byHash.sort(Comparator.comparing((String n) -> ExecutionNames.sha256Hex(dataset + "/" + n)).thenComparing(n -> n));
        return List.copyOf(new TreeSet<>(byHash.subList(0, count)));
    }

    /** A SageMaker manifest file: the root as prefix, then every file of the given sequences. */
    private String writeSplitManifest(RunResources resources, String name, Layout layout, List<String> sequences) {
        Set<String> wanted = new TreeSet<>(sequences);
        ArrayNode manifest = Json.MAPPER.createArrayNode();
        manifest.addObject().put("prefix", "s3://" + layout.bucket() + "/" + layout.rootPrefix());
        for (FileEntry f : layout.files()) {
            int slash = f.path().indexOf('/');
            if (slash > 0 && wanted.contains(f.path().substring(0, slash))) {
                manifest.add(f.path());
            }
        }
        String key = resources.prefix() + name;
        try {
            s3.putObject(b -> b.bucket(artifactsBucket).key(key).contentType("application/json"),
                    RequestBody.fromString(Json.write(manifest)));
        } catch (SdkException e) {
            throw AwsErrors.classify("write " + key, e);
        }
        return "s3://" + artifactsBucket + "/" + key;
    }

    /** Records the dataset version ({@code DATASET#<name>}, {@code V#<n>}) and returns its number. */
    private long recordVersion(RunRequest request, Layout layout, int sequenceCount, int frames, List<String> train,
                               List<String> validation, String validationSetId, String executionName) {
        return versions.record(new DatasetVersion(request.dataset(), 0,
                "s3://" + request.manifestBucket() + "/" + request.manifestKey(), request.manifestVersion(),
                request.format(), layout.manifestSha256(), "s3://" + layout.bucket() + "/" + layout.rootPrefix(),
                sequenceCount, frames, train, validation, validationSetId, executionName, clock.instant()));
    }

    private static ObjectNode rejected(RunRequest request, Issues issues) {
        ObjectNode out = Json.object();
        out.put("status", "REJECTED");
        out.set("report", Json.MAPPER.valueToTree(issues.list()));
        ObjectNode ds = out.putObject("dataset");
        ds.put("name", request.dataset());
        ds.put("manifestVersion", request.manifestVersion());
        ds.put("format", request.format());
        out.putNull("jobs");
        out.putNull("paths");
        out.putNull("training");
        return out;
    }
}
