package dev.motflow.jobs.store;

import static dev.motflow.common.Attr.n;
import static dev.motflow.common.Attr.s;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.motflow.jobs.model.TrackSummary;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@link TrackSummary} <-> its DynamoDB item ({@code pk=JOB#<jobId>},
 * {@code sk=TRACK#<firstFrame:8>#<trackId:10>}, docs/data-model.md "Track summary").
 */
public final class TrackItems {
    static final String LAST_FRAME = "lastFrame";

    private TrackItems() {
    }

    static Map<String, AttributeValue> toItem(String jobId, TrackSummary t) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(TableKeys.PK, s(TableKeys.jobPk(jobId)));
        item.put(TableKeys.SK, s(TableKeys.trackSk(t.firstFrame(), t.trackId())));
        item.put("trackId", n(t.trackId()));
        item.put("classId", n(t.classId()));
        item.put("firstFrame", n(t.firstFrame()));
        item.put(LAST_FRAME, n(t.lastFrame()));
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
                intOf(item, LAST_FRAME), intOf(item, "frameCount"),
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
}
