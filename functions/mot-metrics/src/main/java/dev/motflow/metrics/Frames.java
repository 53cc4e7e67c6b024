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
        Arrays.sort(frames);
        int unique = 0;
        for (int i = 0; i < n; i++) {
            if (unique == 0 || frames[unique - 1] != frames[i]) {
                frames[unique++] = frames[i];
            }
        }
        int[] frameNumber = Arrays.copyOf(frames, unique);

        int[] gtStart = new int[unique + 1];
        int[] gtIds = new int[gtRows.length];
        double[] gtBox = new double[4 * gtRows.length];
        int numGtIds = pack(gt, gtRows, frameNumber, gtStart, gtIds, gtBox, shift);
        int[] hypStart = new int[unique + 1];
        int[] hypIds = new int[hypRows.length];
        double[] hypBox = new double[4 * hypRows.length];
        int numHypIds = pack(hyp, hypRows, frameNumber, hypStart, hypIds, hypBox, shift);
        return new Frames(frameNumber, gtStart, gtIds, gtBox, numGtIds, hypStart, hypIds, hypBox, numHypIds);
    }

    /** Counting sort by frame (stable), dense ids; returns the number of distinct ids. */
    private static int pack(List<MotRow> rows, int[] selected, int[] frameNumber, int[] start, int[] denseIds,
                            double[] box, double shift) {
        int[] frameIndex = new int[selected.length];
        int[] originalIds = new int[selected.length];
        for (int k = 0; k < selected.length; k++) {
            MotRow r = rows.get(selected[k]);
            frameIndex[k] = Arrays.binarySearch(frameNumber, r.frame());
            start[frameIndex[k] + 1]++;
            originalIds[k] = r.id();
        }
        for (int f = 0; f < frameNumber.length; f++) {
            start[f + 1] += start[f];
        }
        int[] sortedIds = originalIds.clone();
        Arrays.sort(sortedIds);
        int distinct = 0;
        for (int i = 0; i < sortedIds.length; i++) {
            if (distinct == 0 || sortedIds[distinct - 1] != sortedIds[i]) {
                sortedIds[distinct++] = sortedIds[i];
            }
        }
        int[] fill = Arrays.copyOf(start, frameNumber.length);
        for (int k = 0; k < selected.length; k++) {
            MotRow r = rows.get(selected[k]);
            int pos = fill[frameIndex[k]]++;
            denseIds[pos] = Arrays.binarySearch(sortedIds, 0, distinct, originalIds[k]);
            box[4 * pos] = r.x() - shift;
            box[4 * pos + 1] = r.y() - shift;
            box[4 * pos + 2] = r.w();
            box[4 * pos + 3] = r.h();
        }
        return distinct;
    }
}
