package dev.motflow.retraining.dataset;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.retraining.Json;
import dev.motflow.retraining.dataset.DatasetManifest.FileEntry;
import dev.motflow.retraining.store.AwsErrors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Converts a SageMaker Ground Truth video-frame object-tracking output manifest to the MOTChallenge
 * layout the training and evaluation containers read.
 *
 * <p>Each line of {@code output.manifest} is one sequence: {@code source-ref} names the sequence
 * file ({@code {"seq-no", "prefix", "number-of-frames", "frames": [{"frame-no", "frame"}]}}) and a
 * label attribute {@code <name>-ref} (with {@code <name>-ref-metadata.type} =
 * {@code groundtruth/video-object-tracking}) names the SeqLabel.json file
 * ({@code {"tracking-annotations": [{"frame-no", "frame", "annotations": [{"object-id", "top",
 * "left", "width", "height", "class-id", "object-name"}]}]}}). Frames are matched by file name,
 * numbered 1..n in sequence order and copied (server-side) to {@code <seq>/img1/%06d.<ext>};
 * object ids become 1-based integers in order of first appearance; gt rows get conf 1, class 1
 * (pedestrian), visibility 1.
 */
final class GroundTruthConverter {
    static final String TRACKING_TYPE = "groundtruth/video-object-tracking";

    record Converted(String bucket, String rootPrefix, List<FileEntry> files) {
    }

    private final S3Client s3;

    GroundTruthConverter(S3Client s3) {
        this.s3 = s3;
    }

    Converted convert(String manifestText, String manifestLabel, String outBucket, String rootPrefix, Issues issues) {
        List<FileEntry> files = new ArrayList<>();
        String[] lines = manifestText.split("\n", -1);
        int sequences = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int lineNo = i + 1;
            JsonNode entry;
            try {
                entry = Json.MAPPER.readTree(line);
            } catch (Exception e) {
                issues.add(manifestLabel, lineNo, "not a JSON object");
                continue;
            }
            String sourceRef = Json.text(entry, "source-ref");
            String labelRef = labelRef(entry);
            if (sourceRef == null || labelRef == null) {
                issues.add(manifestLabel, lineNo, "needs \"source-ref\" and a label attribute \"<name>-ref\" whose metadata type is "
                        + TRACKING_TYPE);
                continue;
            }
            sequences++;
            convertSequence(sourceRef, labelRef, manifestLabel, lineNo, outBucket, rootPrefix, files, issues);
        }
        if (sequences == 0 && issues.isEmpty()) {
            issues.add(manifestLabel, 0, "no sequences");
        }
        return new Converted(outBucket, rootPrefix, files);
    }

    private static String labelRef(JsonNode entry) {
        for (Iterator<String> it = entry.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (field.endsWith("-ref") && !field.equals("source-ref")) {
                JsonNode meta = entry.path(field + "-metadata");
                String type = meta.path("type").asText("");
                if (type.equals(TRACKING_TYPE)) {
                    return entry.get(field).asText();
                }
            }
        }
        return null;
    }

    private void convertSequence(String sourceRef, String labelRef, String manifestLabel, int lineNo, String outBucket,
                                 String rootPrefix, List<FileEntry> files, Issues issues) {
        JsonNode seqFile = readJson(sourceRef, manifestLabel, lineNo, issues);
        JsonNode labels = readJson(labelRef, manifestLabel, lineNo, issues);
        if (seqFile == null || labels == null) {
            return;
        }
        String seqFileName = sourceRef.substring(sourceRef.lastIndexOf('/') + 1).replaceAll("\\.json$", "");
        String seqName = seqFileName.replaceAll("[^A-Za-z0-9._-]", "_");
        String framePrefix = Json.text(seqFile, "prefix");
        JsonNode frames = seqFile.get("frames");
        if (framePrefix == null || frames == null || !frames.isArray() || frames.isEmpty()) {
            issues.add(sourceRef, 0, "sequence file needs \"prefix\" and a non-empty \"frames\" array");
            return;
        }
        if (!framePrefix.endsWith("/")) {
            framePrefix = framePrefix + "/";
        }
        List<JsonNode> ordered = new ArrayList<>();
        frames.forEach(ordered::add);
        ordered.sort((a, b) -> Integer.compare(a.path("frame-no").asInt(), b.path("frame-no").asInt()));
        Map<String, Integer> indexByFile = new LinkedHashMap<>();
        Map<Integer, Integer> indexByNo = new LinkedHashMap<>();
        String ext = ".jpg";
        String seqRoot = rootPrefix + seqName + "/";
        for (int i = 0; i < ordered.size(); i++) {
            JsonNode f = ordered.get(i);
            String frame = Json.text(f, "frame");
            int index = i + 1;
            if (frame == null) {
                issues.add(sourceRef, 0, "frames[" + i + "] has no \"frame\" file name");
                continue;
            }
            indexByFile.put(frame, index);
            indexByNo.put(f.path("frame-no").asInt(), index);
            int dot = frame.lastIndexOf('.');
            String frameExt = dot >= 0 ? frame.substring(dot).toLowerCase(Locale.ROOT) : "";
            if (i == 0) {
                ext = frameExt.equals(".jpeg") ? ".jpg" : frameExt;
            }
            S3Location src = S3Location.parse(framePrefix + frame);
            String dest = seqRoot + "img1/" + String.format("%06d", index) + ext;
            try {
                long size = s3.headObject(b -> b.bucket(src.bucket()).key(src.key())).contentLength();
                s3.copyObject(b -> b.sourceBucket(src.bucket()).sourceKey(src.key()).destinationBucket(outBucket).destinationKey(dest));
                files.add(new FileEntry(dest.substring(rootPrefix.length()), size, null, 0));
            } catch (NoSuchKeyException e) {
                issues.add(sourceRef, 0, "frame " + frame + " does not exist at " + src.uri());
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    issues.add(sourceRef, 0, "frame " + frame + " does not exist at " + src.uri());
                } else {
                    throw AwsErrors.classify("copy " + src.uri(), e);
                }
            }
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        StringBuilder gt = new StringBuilder();
        JsonNode annotated = labels.get("tracking-annotations");
        if (annotated == null || !annotated.isArray()) {
            issues.add(labelRef, 0, "needs a \"tracking-annotations\" array");
            return;
        }
        for (int i = 0; i < annotated.size(); i++) {
            JsonNode frameLabels = annotated.get(i);
            String frame = Json.text(frameLabels, "frame");
            Integer index = frame != null ? indexByFile.get(frame) : indexByNo.get(frameLabels.path("frame-no").asInt());
            if (index == null) {
                issues.add(labelRef, 0, "tracking-annotations[" + i + "] names frame " + (frame != null ? frame
                        : "no. " + frameLabels.path("frame-no").asInt()) + ", which the sequence file does not list");
                continue;
            }
            for (JsonNode a : frameLabels.path("annotations")) {
                String objectId = Json.text(a, "object-id");
                if (objectId == null) {
                    objectId = Json.text(a, "object-name");
                }
                if (objectId == null) {
                    issues.add(labelRef, 0, "tracking-annotations[" + i + "] has an annotation without object-id");
                    continue;
                }
                int id = ids.computeIfAbsent(objectId, k -> ids.size() + 1);
                gt.append(index).append(',').append(id).append(',')
                        .append(num(a, "left")).append(',').append(num(a, "top")).append(',')
                        .append(num(a, "width")).append(',').append(num(a, "height")).append(",1,1,1\n");
            }
        }
        String seqinfo = "[Sequence]\nname=" + seqName + "\nimDir=img1\nseqLength=" + ordered.size() + "\nimExt=" + ext + "\n";
        files.add(write(outBucket, rootPrefix, seqRoot + "gt/gt.txt", gt.toString()));
        files.add(write(outBucket, rootPrefix, seqRoot + "seqinfo.ini", seqinfo));
    }

    private static String num(JsonNode a, String field) {
        JsonNode v = a.get(field);
        return v == null || !v.isNumber() ? "nan" : v.asText();
    }

    private FileEntry write(String bucket, String rootPrefix, String key, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).contentType("text/plain"), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw AwsErrors.classify("write " + key, e);
        }
        return new FileEntry(key.substring(rootPrefix.length()), bytes.length, Checksums.sha256Hex(bytes), 0);
    }

    private JsonNode readJson(String uri, String manifestLabel, int lineNo, Issues issues) {
        S3Location loc;
        try {
            loc = S3Location.parse(uri);
        } catch (IllegalArgumentException e) {
            issues.add(manifestLabel, lineNo, e.getMessage());
            return null;
        }
        try {
            return Json.MAPPER.readTree(s3.getObjectAsBytes(b -> b.bucket(loc.bucket()).key(loc.key())).asByteArray());
        } catch (NoSuchKeyException e) {
            issues.add(manifestLabel, lineNo, uri + " does not exist");
        } catch (SdkException e) {
            throw AwsErrors.classify("read " + uri, e);
        } catch (Exception e) {
            issues.add(uri, 0, "not valid JSON");
        }
        return null;
    }
}
