package dev.motflow.metrics;

import dev.motflow.mot.MotRow;
import java.util.Arrays;
import java.util.List;

/**
 * Ground truth and hypotheses of one sequence packed frame by frame into flat primitive arrays:
 * the rows of frame {@code f} are {@code gtStart[f] .. gtStart[f+1]-1} (file order kept, which the
 * reference tools' tie rules depend on). Ids are renumbered densely {@code 0..numGtIds-1} in the
 * order of the original ids; boxes are {@code x,y,w,h} at {@code 4*row}.
 */
final class Frames {
    final int numFrames;
    final int[] frameNumber;
    final int[] gtStart;
    final int[] gtId;
    final double[] gtBox;
    final int numGtIds;
    final int[] hypStart;
    final int[] hypId;
    final double[] hypBox;
    final int numHypIds;

    private Frames(int[] frameNumber, int[] gtStart, int[] gtId, double[] gtBox, int numGtIds,
                   int[] hypStart, int[] hypId, double[] hypBox, int numHypIds) {
        this.numFrames = frameNumber.length;
        this.frameNumber = frameNumber;
        this.gtStart = gtStart;
        this.gtId = gtId;
        this.gtBox = gtBox;
        this.numGtIds = numGtIds;
        this.hypStart = hypStart;
        this.hypId = hypId;
        this.hypBox = hypBox;
        this.numHypIds = numHypIds;
    }

    int maxGtPerFrame() {
        return maxPerFrame(gtStart);
    }

    int maxHypPerFrame() {
        return maxPerFrame(hypStart);
    }

    private int maxPerFrame(int[] start) {
        int max = 0;
        for (int f = 0; f < numFrames; f++) {
            max = Math.max(max, start[f + 1] - start[f]);
        }
        return max;
    }

    /**
     * Packs the selected rows ({@code gtRows}, {@code hypRows}: indices into the lists, ascending)
     * over the union of their frames. {@code shift} is subtracted from x and y (py-motmetrics'
     * loader moves boxes by -1 for the Matlab convention; the IoU's last bits depend on it).
     */
    static Frames of(List<MotRow> gt, int[] gtRows, List<MotRow> hyp, int[] hypRows, double shift) {
        int[] frames = new int[gtRows.length + hypRows.length];
        int n = 0;
        for (int r : gtRows) {
            frames[n++] = gt.get(r).frame();
        }
        for (int r : hypRows) {
            frames[n++] = hyp.get(r).frame();
        }
        Numbering frameNumbering = Numbering.of(frames, n);
        int[] frameNumber = frameNumbering.values;
        int unique = frameNumber.length;

        int[] gtStart = new int[unique + 1];
        int[] gtIds = new int[gtRows.length];
        double[] gtBox = new double[4 * gtRows.length];
        int numGtIds = pack(gt, gtRows, frameNumbering, gtStart, gtIds, gtBox, shift);
        int[] hypStart = new int[unique + 1];
        int[] hypIds = new int[hypRows.length];
        double[] hypBox = new double[4 * hypRows.length];
        int numHypIds = pack(hyp, hypRows, frameNumbering, hypStart, hypIds, hypBox, shift);
        return new Frames(frameNumber, gtStart, gtIds, gtBox, numGtIds, hypStart, hypIds, hypBox, numHypIds);
    }

    /** Counting sort by frame (stable), dense ids; returns the number of distinct ids. */
    private static int pack(List<MotRow> rows, int[] selected, Numbering frames, int[] start, int[] denseIds,
                            double[] box, double shift) {
        int[] frameIndex = new int[selected.length];
        int[] originalIds = new int[selected.length];
        for (int k = 0; k < selected.length; k++) {
            MotRow r = rows.get(selected[k]);
            frameIndex[k] = frames.indexOf(r.frame());
            start[frameIndex[k] + 1]++;
            originalIds[k] = r.id();
        }
        int numFrames = frames.values.length;
        for (int f = 0; f < numFrames; f++) {
            start[f + 1] += start[f];
        }
        Numbering ids = Numbering.of(originalIds, originalIds.length);
        int[] fill = Arrays.copyOf(start, numFrames);
        for (int k = 0; k < selected.length; k++) {
            MotRow r = rows.get(selected[k]);
            int pos = fill[frameIndex[k]]++;
            denseIds[pos] = ids.indexOf(originalIds[k]);
            box[4 * pos] = r.x() - shift;
            box[4 * pos + 1] = r.y() - shift;
            box[4 * pos + 2] = r.w();
            box[4 * pos + 3] = r.h();
        }
        return ids.values.length;
    }

    /**
     * The distinct values of an int array in ascending order, and each value's position among them:
     * a direct lookup table when the values span a small range (frame numbers, usual ids), sorting
     * and binary search otherwise.
     */
    static final class Numbering {
        final int[] values;
        private final int min;
        private final int[] table;

        private Numbering(int[] values, int min, int[] table) {
            this.values = values;
            this.min = min;
            this.table = table;
        }

        static Numbering of(int[] a, int n) {
            if (n == 0) {
                return new Numbering(new int[0], 0, null);
            }
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                min = Math.min(min, a[i]);
                max = Math.max(max, a[i]);
            }
            long range = (long) max - min + 1;
            if (range <= 4L * n + 1024) {
                int[] table = new int[(int) range];
                for (int i = 0; i < n; i++) {
                    table[a[i] - min] = 1;
                }
                int distinct = 0;
                for (int v = 0; v < table.length; v++) {
                    table[v] = table[v] != 0 ? distinct++ : -1;
                }
                int[] values = new int[distinct];
                for (int v = 0; v < table.length; v++) {
                    if (table[v] >= 0) {
                        values[table[v]] = v + min;
                    }
                }
                return new Numbering(values, min, table);
            }
            int[] sorted = Arrays.copyOf(a, n);
            Arrays.sort(sorted);
            int distinct = 0;
            for (int i = 0; i < n; i++) {
                if (distinct == 0 || sorted[distinct - 1] != sorted[i]) {
                    sorted[distinct++] = sorted[i];
                }
            }
            return new Numbering(Arrays.copyOf(sorted, distinct), min, null);
        }

        int indexOf(int v) {
            return table != null ? table[v - min] : Arrays.binarySearch(values, v);
        }
    }
}
