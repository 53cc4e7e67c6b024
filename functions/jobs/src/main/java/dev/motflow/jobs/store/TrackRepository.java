package dev.motflow.jobs.store;

import static dev.motflow.common.Attr.n;
import static dev.motflow.common.Attr.s;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.motflow.jobs.model.TrackSummary;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** Track summaries of a job: {@code pk=JOB#id, sk=TRACK#<firstFrame:8>#<trackId:10>}. */
public final class TrackRepository {
    /** Queries one page may take to fill up when a frame filter drops items. */
    private static final int MAX_QUERIES_PER_PAGE = 8;

    private final DynamoDbClient dynamo;
    private final String table;
    private final BatchWriter writer;

    public TrackRepository(DynamoDbClient dynamo, String table, BatchWriter writer) {
        this.dynamo = dynamo;
        this.table = table;
        this.writer = writer;
    }

    public static String sortKey(int firstFrame, int trackId) {
        return String.format(Locale.ROOT, "%s%08d#%010d", JobTableSchema.TRACK_PREFIX, firstFrame, trackId);
    }

    public BatchWriter.Stats putAll(String jobId, List<TrackSummary> tracks) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(tracks.size());
        for (TrackSummary t : tracks) {
            items.add(toItem(jobId, t));
        }
        return writer.putAll(table, items);
    }

    static Map<String, AttributeValue> toItem(String jobId, TrackSummary t) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(JobTableSchema.PK, s(JobTableSchema.jobPk(jobId)));
        item.put(JobTableSchema.SK, s(sortKey(t.firstFrame(), t.trackId())));
        item.put("trackId", n(t.trackId()));
        item.put("classId", n(t.classId()));
        item.put("firstFrame", n(t.firstFrame()));
        item.put("lastFrame", n(t.lastFrame()));
        item.put("frameCount", n(t.frameCount()));
        if (t.meanScore() != null) {
            item.put("meanScore", n(t.meanScore()));
        }
        item.put("traj", s(encodeTrajectory(t.trajectory())));
        return item;
    }

    static TrackSummary fromItem(Map<String, AttributeValue> item) {
        AttributeValue score = item.get("meanScore");
        return new TrackSummary(intOf(item, "trackId"), intOf(item, "classId"), intOf(item, "firstFrame"),
                intOf(item, "lastFrame"), intOf(item, "frameCount"),
                score == null ? null : Double.valueOf(score.n()), decodeTrajectory(item.get("traj").s()));
    }

    private static int intOf(Map<String, AttributeValue> item, String name) {
        return Integer.parseInt(item.get(name).n());
    }

    /** {@code frame:x,y,w,h;...}, coordinates to 2 decimals: ~25 bytes a box. */
    static String encodeTrajectory(List<TrackSummary.Box> boxes) {
        StringBuilder sb = new StringBuilder(boxes.size() * 28);
        for (TrackSummary.Box b : boxes) {
            if (!sb.isEmpty()) {
                sb.append(';');
            }
            sb.append(b.frame()).append(':').append(num(b.x())).append(',').append(num(b.y())).append(',')
                    .append(num(b.w())).append(',').append(num(b.h()));
        }
        return sb.toString();
    }

    static List<TrackSummary.Box> decodeTrajectory(String s) {
        List<TrackSummary.Box> out = new ArrayList<>();
        if (s == null || s.isEmpty()) {
            return out;
        }
        for (String part : s.split(";")) {
            int colon = part.indexOf(':');
            String[] c = part.substring(colon + 1).split(",");
            out.add(new TrackSummary.Box(Integer.parseInt(part.substring(0, colon)), Double.parseDouble(c[0]),
                    Double.parseDouble(c[1]), Double.parseDouble(c[2]), Double.parseDouble(c[3])));
        }
        return out;
    }

    private static String num(double v) {
        double r = Math.round(v * 100.0) / 100.0;
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }

    /**
     * Tracks of a job in first-frame order. {@code fromFrame}/{@code toFrame} (either may be null)
     * keep the tracks that overlap the range: first frame <= toFrame is a key condition,
     * last frame >= fromFrame a filter.
     */
    public Page<TrackSummary> page(String jobId, Integer fromFrame, Integer toFrame, int limit,
                                   Map<String, AttributeValue> startKey) {
        String low = JobTableSchema.TRACK_PREFIX;
        String high = toFrame == null ? JobTableSchema.TRACK_PREFIX + "~"
                : String.format(Locale.ROOT, "%s%08d#~", JobTableSchema.TRACK_PREFIX, Math.max(0, toFrame));
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":pk", s(JobTableSchema.jobPk(jobId)));
        values.put(":lo", s(low));
        values.put(":hi", s(high));
        String filter = null;
        if (fromFrame != null) {
            values.put(":from", n(fromFrame));
            filter = "lastFrame >= :from";
        }
        List<TrackSummary> out = new ArrayList<>();
        Map<String, AttributeValue> next = startKey;
        for (int q = 0; q < MAX_QUERIES_PER_PAGE && out.size() < limit; q++) {
            QueryRequest.Builder b = QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :lo AND :hi")
                    .expressionAttributeValues(values)
                    .limit(limit - out.size());
            if (filter != null) {
                b.filterExpression(filter);
            }
            if (next != null) {
                b.exclusiveStartKey(next);
            }
            QueryResponse r = dynamo.query(b.build());
            for (Map<String, AttributeValue> item : r.items()) {
                out.add(fromItem(item));
            }
            next = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
            if (next == null) {
                break;
            }
        }
        return new Page<>(out, next);
    }
}
