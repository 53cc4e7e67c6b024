package dev.motflow.tracking;

/**
 * What one {@link Tracker#update} returns: the confirmed tracks that are tracked in this frame
 * (id, Kalman box as top-left and size, last detection score), in the tracker's list order, then with
 * {@link TrackerConfig#reportMissedFrame()} the settled tracks lost in this frame (their predicted box), and
 * for each input detection the id of the output track that took it (0 when none did). Reused by
 * the next update: copy what you keep.
 */
public final class TrackerOutput {
    int frameId;
    int count;
    int[] ids = new int[16];
    double[] tlwh = new double[64];
    double[] scores = new double[16];
    int detectionCount;
    int[] detectionIds = new int[16];

    void reset(int frameId, int detections) {
        this.frameId = frameId;
        count = 0;
        detectionCount = detections;
        if (detectionIds.length < detections) {
            detectionIds = new int[Math.max(detections, detectionIds.length * 2)];
        }
        java.util.Arrays.fill(detectionIds, 0, detections, 0);
    }

    void add(Track t) {
        if (count == ids.length) {
            int cap = count * 2;
            ids = java.util.Arrays.copyOf(ids, cap);
            scores = java.util.Arrays.copyOf(scores, cap);
            tlwh = java.util.Arrays.copyOf(tlwh, cap * 4);
        }
        ids[count] = t.id;
        double w = t.w();
        tlwh[count * 4] = t.mean[0] - w / 2;
        tlwh[count * 4 + 1] = t.y();
        tlwh[count * 4 + 2] = w;
        tlwh[count * 4 + 3] = t.h();
        scores[count] = t.score;
        if (t.lastDet >= 0) {
            detectionIds[t.lastDet] = t.id;
        }
        count++;
    }

    /** The tracker's frame counter for this output (1 for the first update). */
    public int frameId() {
        return frameId;
    }

    /** Number of output tracks. */
    public int size() {
        return count;
    }

    public int id(int i) {
        check(i);
        return ids[i];
    }

    public double x(int i) {
        check(i);
        return tlwh[i * 4];
    }

    public double y(int i) {
        check(i);
        return tlwh[i * 4 + 1];
    }

    public double w(int i) {
        check(i);
        return tlwh[i * 4 + 2];
    }

    public double h(int i) {
        check(i);
        return tlwh[i * 4 + 3];
    }

    public double score(int i) {
        check(i);
        return scores[i];
    }

    /** Number of detections of the frame. */
    public int detectionCount() {
        return detectionCount;
    }

    /** Id of the output track that took detection {@code det} in this frame, or 0. */
    public int trackIdForDetection(int det) {
        if (det < 0 || det >= detectionCount) {
            throw new IndexOutOfBoundsException(det);
        }
        return detectionIds[det];
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException(i);
        }
    }
}
