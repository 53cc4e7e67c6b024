package dev.motflow.retraining.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.retraining.Json;

/**
 * motflow's dataset manifest, {@code labelled/<dataset>/manifest.json}: written last, after every
 * file it lists, it marks the dataset complete.
 *
 * <pre>{@code
 * {
 *   "schema": "motflow.dataset/1",
 *   "dataset": "street-cams",
 *   "version": "2026-11-24.1",
 *   "files": [
 *     {"path": "cam1-0001/seqinfo.ini", "size": 167, "sha256": "<64 hex>"},
 *     {"path": "cam1-0001/gt/gt.txt", "size": 51234, "sha256": "<64 hex>"},
 *     {"path": "cam1-0001/img1/000001.jpg", "size": 201563, "sha256": "<64 hex>"}
 *   ],
 *   "validation": ["cam1-0001"],
 *   "training": {"coldStart": true}
 * }
 * }</pre>
 * Paths are relative to the manifest's folder. {@code validation} is optional: without it the
 * split is chosen by a hash of the sequence names. {@code training} is optional:
 * {@code coldStart: true} trains from scratch instead of from the production model ({@code false}
 * or absent: warm start when there is a production model).
 */
public record DatasetManifest(String dataset, String version, List<FileEntry> files, List<String> validation,
                              Boolean coldStart) {
    /** The fields {@code training} may hold. */
    static final List<String> TRAINING_FIELDS = List.of("coldStart");
    public static final String SCHEMA = "motflow.dataset/1";
    static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._-]{1,40}");
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** One listed file and the line of the manifest it is on (for reports). */
    public record FileEntry(String path, long size, String sha256, int line) {
    }

    /** Parses the manifest; every problem goes to {@code issues} with the manifest's line. */
    static DatasetManifest parse(String text, String fileLabel, String expectedDataset, Issues issues) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            issues.add(fileLabel, line, "not valid JSON: " + e.getOriginalMessage());
            return null;
        }
        if (root == null || !root.isObject()) {
            issues.add(fileLabel, 1, "must be a JSON object");
            return null;
        }
        if (!SCHEMA.equals(Json.text(root, "schema"))) {
            issues.add(fileLabel, lineOf(text, "\"schema\""), "\"schema\" must be \"" + SCHEMA + "\"");
        }
        String dataset = Json.text(root, "dataset");
        if (dataset != null && !dataset.equals(expectedDataset)) {
            issues.add(fileLabel, lineOf(text, "\"dataset\""), "\"dataset\" is \"" + dataset + "\" but the manifest is under labelled/"
                    + expectedDataset + "/");
        }
        String version = Json.text(root, "version");
        if (version == null || !VERSION.matcher(version).matches()) {
            issues.add(fileLabel, lineOf(text, "\"version\""), "\"version\" must match " + VERSION.pattern());
        }
        List<FileEntry> files = new ArrayList<>();
        JsonNode list = root.get("files");
        if (list == null || !list.isArray() || list.isEmpty()) {
            issues.add(fileLabel, lineOf(text, "\"files\""), "\"files\" must be a non-empty array");
        } else {
            int searchFrom = Math.max(0, text.indexOf("\"files\""));
            for (int i = 0; i < list.size(); i++) {
                JsonNode f = list.get(i);
                String path = Json.text(f, "path");
                int at = path == null ? -1 : text.indexOf(Json.write(path), searchFrom);
                int line = at < 0 ? 0 : lineAt(text, at);
                if (at >= 0) {
                    searchFrom = at + 1;
                }
                String where = "files[" + i + "]";
                if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("\\")
                        || ("/" + path + "/").contains("/../") || ("/" + path + "/").contains("/./") || path.contains("//")) {
                    issues.add(fileLabel, line, where + ": \"path\" must be a relative path without . or .. parts");
                    continue;
                }
                JsonNode size = f.get("size");
                if (size == null || !size.canConvertToLong() || size.asLong() < 0) {
                    issues.add(fileLabel, line, where + " (" + path + "): \"size\" must be a non-negative integer");
                    continue;
                }
                String sha = Json.text(f, "sha256");
                if (sha == null || !SHA256.matcher(sha).matches()) {
                    issues.add(fileLabel, line, where + " (" + path + "): \"sha256\" must be 64 lower-case hex digits");
                    continue;
                }
                files.add(new FileEntry(path, size.asLong(), sha, line));
            }
        }
        List<String> validation = new ArrayList<>();
        JsonNode val = root.get("validation");
        if (val != null && !val.isNull()) {
            if (!val.isArray()) {
                issues.add(fileLabel, lineOf(text, "\"validation\""), "\"validation\" must be an array of sequence names");
            } else {
                val.forEach(v -> validation.add(v.asText()));
            }
        }
        Boolean coldStart = null;
        JsonNode training = root.get("training");
        if (training != null && !training.isNull()) {
            int line = lineOf(text, "\"training\"");
            if (!training.isObject()) {
                issues.add(fileLabel, line, "\"training\" must be an object such as {\"coldStart\": true}");
            } else {
                training.fieldNames().forEachRemaining(name -> {
                    if (!TRAINING_FIELDS.contains(name)) {
                        issues.add(fileLabel, line, "\"training\" has an unknown field \"" + name + "\"; known: " + TRAINING_FIELDS);
                    }
                });
                JsonNode cold = training.get("coldStart");
                if (cold != null && !cold.isNull()) {
                    if (cold.isBoolean()) {
                        coldStart = cold.booleanValue();
                    } else {
                        issues.add(fileLabel, lineOf(text, "\"coldStart\""), "\"training.coldStart\" must be true or false, got "
                                + cold);
                    }
                }
            }
        }
        return new DatasetManifest(dataset, version, files, validation, coldStart);
    }

    static int lineOf(String text, String needle) {
        int at = text.indexOf(needle);
        return at < 0 ? 1 : lineAt(text, at);
    }

    static int lineAt(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
