package dev.motflow.jobs.api;

import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.common.http.HttpRequest;
import dev.motflow.jobs.JobsJson;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.service.KeyRules;

/**
 * Validation of what a client sends: every rule here answers a bad value with an {@link ApiError}
 * that says what to send instead. Parsed requests are records.
 */
final class JobRequests {
    static final int MAX_BODY_BYTES = 16 * 1024;
    static final int DEFAULT_JOB_PAGE = 20;
    static final int MAX_JOB_PAGE = 100;
    static final int DEFAULT_TRACK_PAGE = 100;
    static final int MAX_TRACK_PAGE = 500;
    /** Video types an upload may declare. */
    static final Set<String> VIDEO_TYPES = Set.of("video/mp4", "video/quicktime", "video/x-matroska",
            "video/webm", "video/x-msvideo", "video/avi");
    private static final Set<String> POST_FIELDS = Set.of("fileName", "contentType", "sizeBytes");

    private JobRequests() {
    }

    /** {@code POST /jobs}: {@code fileName} (NFC, checked by the key rules), lower-case {@code contentType}. */
    record CreateJob(String fileName, String contentType, long sizeBytes) {
    }

    /** {@code GET /jobs}. */
    record ListJobs(JobStatus status, int limit, String nextToken) {
    }

    /** {@code GET /jobs/{id}/tracks}. */
    record ListTracks(String jobId, Integer fromFrame, Integer toFrame, int limit, String nextToken) {
    }

    static String jobId(String raw) {
        if (!JobIds.valid(raw)) {
            throw new ApiError(400, "InvalidJobId", "a job id is 32 lower-case hex characters, got '"
                    + KeyRules.printable(raw.length() > 80 ? raw.substring(0, 80) + "..." : raw) + "'");
        }
        return raw;
    }

    static CreateJob createJob(HttpRequest req, long maxUploadBytes) {
        if (req.body().length > MAX_BODY_BYTES) {
            throw new ApiError(413, "PayloadTooLarge", "the request body is " + req.body().length
                    + " bytes; the limit is " + MAX_BODY_BYTES);
        }
        String type = req.header("content-type");
        if (type == null || !type.toLowerCase(Locale.ROOT).strip().startsWith("application/json")) {
            throw new ApiError(415, "UnsupportedMediaType", "send the request body as application/json");
        }
        JsonNode body;
        try {
            String text = req.bodyText();
            body = text.isBlank() ? null : JobsJson.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new ApiError(400, "InvalidJson", "the request body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new ApiError(400, "InvalidBody", "the request body must be a JSON object with fileName, contentType and sizeBytes");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!POST_FIELDS.contains(f)) {
                throw new ApiError(400, "UnknownField", "unknown field '" + KeyRules.printable(f)
                        + "'; expected fileName, contentType, sizeBytes");
            }
        }
        JsonNode fileNameNode = body.get("fileName");
        if (fileNameNode == null || !fileNameNode.isTextual()) {
            throw new ApiError(400, "InvalidFileName", "fileName is required and must be a string");
        }
        KeyRules.Verdict name = KeyRules.checkFileName(fileNameNode.asText());
        if (!name.accepted()) {
            throw new ApiError(400, "InvalidFileName", name.rejection());
        }
        JsonNode typeNode = body.get("contentType");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new ApiError(400, "InvalidContentType", "contentType is required and must be a string such as video/mp4");
        }
        String contentType = typeNode.asText().toLowerCase(Locale.ROOT).strip();
        if (!VIDEO_TYPES.contains(contentType)) {
            throw new ApiError(415, "UnsupportedMediaType", "contentType '" + KeyRules.printable(typeNode.asText())
                    + "' is not a supported video type (" + String.join(", ", VIDEO_TYPES.stream().sorted().toList()) + ")");
        }
        JsonNode sizeNode = body.get("sizeBytes");
        if (sizeNode == null || !sizeNode.isIntegralNumber() || !sizeNode.canConvertToLong()) {
            throw new ApiError(400, "InvalidSize", "sizeBytes is required and must be a whole number of bytes");
        }
        long size = sizeNode.asLong();
        if (size < 1) {
            throw new ApiError(400, "InvalidSize", "sizeBytes must be at least 1");
        }
        if (size > maxUploadBytes) {
            throw new ApiError(413, "VideoTooLarge", "sizeBytes " + size + " exceeds the limit of "
                    + maxUploadBytes + " bytes; split the video or lower its bit rate");
        }
        return new CreateJob(name.fileName(), contentType, size);
    }

    static ListJobs listJobs(HttpRequest req) {
        String statusParam = req.query().get("status");
        if (statusParam == null || statusParam.isBlank()) {
            throw new ApiError(400, "MissingStatus", "status is required: one of " + statusNames());
        }
        JobStatus status = JobStatus.parse(statusParam).orElseThrow(() -> new ApiError(400, "InvalidStatus",
                "status '" + KeyRules.printable(statusParam) + "' is not one of " + statusNames()));
        int limit = intParam(req, "limit", DEFAULT_JOB_PAGE, 1, MAX_JOB_PAGE);
        return new ListJobs(status, limit, req.query().get("nextToken"));
    }

    static ListTracks listTracks(String jobId, HttpRequest req) {
        int limit = intParam(req, "limit", DEFAULT_TRACK_PAGE, 1, MAX_TRACK_PAGE);
        Integer from = optionalInt(req, "fromFrame");
        Integer to = optionalInt(req, "toFrame");
        if (from != null && to != null && from > to) {
            throw new ApiError(400, "InvalidFrameRange", "fromFrame " + from + " is after toFrame " + to);
        }
        return new ListTracks(jobId, from, to, limit, req.query().get("nextToken"));
    }

    private static int intParam(HttpRequest req, String name, int dflt, int min, int max) {
        Integer v = optionalInt(req, name);
        if (v == null) {
            return dflt;
        }
        if (v < min || v > max) {
            throw new ApiError(400, "InvalidParameter", name + " must be " + min + ".." + max + ", got " + v);
        }
        return v;
    }

    private static Integer optionalInt(HttpRequest req, String name) {
        String raw = req.query().get(name);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            int v = Integer.parseInt(raw.strip());
            if (v < 1 && !name.equals("limit")) {
                throw new ApiError(400, "InvalidParameter", name + " must be at least 1 (frames are 1-based), got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ApiError(400, "InvalidParameter", name + " must be a whole number, got '"
                    + KeyRules.printable(raw.length() > 40 ? raw.substring(0, 40) : raw) + "'");
        }
    }

    private static String statusNames() {
        StringBuilder sb = new StringBuilder();
        for (JobStatus s : JobStatus.values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(s.name());
        }
        return sb.toString();
    }
}
