package dev.motflow.mot;

import java.util.Arrays;
import java.util.Objects;

/**
 * One line of a MOTChallenge text file: {@code frame,id,x,y,w,h,conf,c8,c9,c10[,extra...]}.
 *
 * <p>Frames are 1-based. {@code x,y} is the top-left corner, {@code w,h} the size, in pixels.
 * Columns 8-10 mean different things per file kind: in MOT16/17/20 ground truth they are the class
 * and the visibility ratio ({@link #classId()}, {@link #visibility()}); in MOT15 det/result files
 * they are the world coordinates x,y,z. Absent optional columns read as {@value #UNUSED}, the
 * MOTChallenge "unused" marker. Columns beyond the 10th (e.g. re-ID embeddings in det files) are
 * kept in {@link #extra()}, never null.
 */
public record MotRow(int frame, int id, double x, double y, double w, double h,
                     double conf, double c8, double c9, double c10, float[] extra) {

    /** The value MOTChallenge files use for "not set" (ids of detections, unused columns). */
    public static final int UNUSED = -1;

    private static final float[] NO_EXTRA = new float[0];

    public MotRow {
        extra = extra == null ? NO_EXTRA : extra;
    }

    /** A row with the 10 standard columns and nothing beyond. */
    public MotRow(int frame, int id, double x, double y, double w, double h,
                  double conf, double c8, double c9, double c10) {
        this(frame, id, x, y, w, h, conf, c8, c9, c10, NO_EXTRA);
    }

    /** A tracker output row: {@code frame,id,x,y,w,h,conf,-1,-1,-1}. */
    public static MotRow result(int frame, int id, double x, double y, double w, double h, double conf) {
        return new MotRow(frame, id, x, y, w, h, conf, UNUSED, UNUSED, UNUSED, NO_EXTRA);
    }

    /**
     * A detection row: {@code frame,-1,x,y,w,h,score,-1,-1,-1[,embedding...]}; {@code embedding}
     * may be null or empty. The array is stored as given (not copied).
     */
    public static MotRow detection(int frame, double x, double y, double w, double h, double score,
                                   float[] embedding) {
        return new MotRow(frame, UNUSED, x, y, w, h, score, UNUSED, UNUSED, UNUSED, embedding);
    }

    /** Class of a MOT16/17/20 ground-truth row (column 8; 1 = pedestrian). */
    public int classId() {
        return (int) c8;
    }

    /** Visibility ratio of a MOT16/17/20 ground-truth row (column 9). */
    public double visibility() {
        return c9;
    }

    /** MOT15 world x (column 8). */
    public double worldX() {
        return c8;
    }

    /** MOT15 world y (column 9). */
    public double worldY() {
        return c9;
    }

    /** MOT15 world z (column 10). */
    public double worldZ() {
        return c10;
    }

    /** True when the row carries columns beyond the 10th (e.g. an embedding). */
    public boolean hasExtra() {
        return extra.length > 0;
    }

    /** The same row with a different id (tracker output from a detection). */
    public MotRow withId(int newId) {
        return new MotRow(frame, newId, x, y, w, h, conf, c8, c9, c10, extra);
    }

    // Records compare arrays by reference; rows are values, so compare the extra columns by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof MotRow r && frame == r.frame && id == r.id
                && Double.compare(x, r.x) == 0 && Double.compare(y, r.y) == 0
                && Double.compare(w, r.w) == 0 && Double.compare(h, r.h) == 0
                && Double.compare(conf, r.conf) == 0 && Double.compare(c8, r.c8) == 0
                && Double.compare(c9, r.c9) == 0 && Double.compare(c10, r.c10) == 0
                && Arrays.equals(extra, r.extra);
    }

    @Override
    public int hashCode() {
        return Objects.hash(frame, id, x, y, w, h, conf, c8, c9, c10) * 31 + Arrays.hashCode(extra);
    }

    @Override
    public String toString() {
        return MotFile.format(this);
    }
}
