package dev.motflow.metrics;

import java.util.Arrays;

/**
 * CLEAR MOT and Identity metrics of one sequence as the MOTChallenge benchmark computes them with
 * TrackEval 1.3.0 ({@link MetricMode#TRACKEVAL}), on the frames HOTA scores (TrackEval's box IoU):
 *
 * <ol>
 *   <li>Only frames with both ground truth and hypotheses are matched. There, each allowed pair
 *     (IoU &gt;= 0.5 - eps) scores its IoU plus 1000 when the object was matched to that hypothesis
 *     in the previous matched frame (the continuity preference); the maximum-score assignment gives
 *     the matches. A frame without hypotheses leaves every object's continuity as it was; a frame
 *     with hypotheses clears it for the objects left unmatched.</li>
 *   <li>A match to another hypothesis than the object's last match, however long ago, is an ID
 *     switch.</li>
 *   <li>Per object, the tracked ratio (matched frames / frames present) gives MT (&gt; 0.8), PT
 *     (&gt;= 0.2) or ML; a fragmentation is each start of a matched run after the first.</li>
 *   <li>Identity: per (object, hypothesis) the frames where their IoU is &gt;= 0.5 (no eps here);
 *     IDTP is the maximum total over a one-to-one id mapping.</li>
 * </ol>
 * Work arrays are sized once per sequence; the per-frame loop allocates nothing.
 */
final class TrackEvalClear {
    private static final double THRESHOLD = 0.5;
    /** Added to the score of last frame's pairs: larger than any sum of IoUs it competes with. */
    private static final double CONTINUITY_BONUS = 1000;

    private TrackEvalClear() {
    }

    static ClearCounts compute(Frames fr) {
        int maxGt = fr.maxGtPerFrame();
        int maxHyp = fr.maxHypPerFrame();
        double[] sim = new double[Math.max(1, maxGt * maxHyp)];
        double[] cost = new double[sim.length];
        int[] colForRow = new int[maxGt];
        LinearAssignment solver = new LinearAssignment();

        int[] lastHyp = new int[fr.numGtIds];          // last matched hypothesis (for ID switches), -1 none
        int[] lastStepHyp = new int[fr.numGtIds];      // hypothesis matched in the previous matched frame
        Arrays.fill(lastHyp, -1);
        Arrays.fill(lastStepHyp, -1);
        int[] lastStepObjects = new int[maxGt];        // the objects whose lastStepHyp is set
        int lastStepCount = 0;
        int[] matchedObjects = new int[maxGt];
        int[] matchedHyps = new int[maxGt];
        int[] present = new int[fr.numGtIds];
        int[] tracked = new int[fr.numGtIds];
        int[] runStarts = new int[fr.numGtIds];
        PairIndex pairs = new PairIndex(fr.numGtIds + fr.numHypIds);
        int[] pairFrames = new int[64];

        long tp = 0, fn = 0, fp = 0, switches = 0;
        double iouSum = 0;
        for (int f = 0; f < fr.numFrames; f++) {
            int g0 = fr.gtStart[f];
            int no = fr.gtStart[f + 1] - g0;
            int h0 = fr.hypStart[f];
            int nh = fr.hypStart[f + 1] - h0;
            if (no == 0) {
                fp += nh;
                continue;
            }
            for (int i = 0; i < no; i++) {
                present[fr.gtId[g0 + i]]++;
            }
            if (nh == 0) {
                fn += no;
                continue;
            }
            double[] gb = fr.gtBox;
            double[] hb = fr.hypBox;
            for (int i = 0; i < no; i++) {
                int a = 4 * (g0 + i);
                int o = fr.gtId[g0 + i];
                for (int j = 0; j < nh; j++) {
                    int b = 4 * (h0 + j);
                    double s = BoxIou.trackeval(gb[a], gb[a + 1], gb[a + 2], gb[a + 3],
                            hb[b], hb[b + 1], hb[b + 2], hb[b + 3]);
                    sim[i * nh + j] = s;
                    int h = fr.hypId[h0 + j];
                    if (s >= THRESHOLD) {
                        int p = pairs.add(o, h);
                        if (p == pairFrames.length) {
                            pairFrames = Arrays.copyOf(pairFrames, p * 2);
                        }
                        pairFrames[p]++;
                    }
                    double score = (lastStepHyp[o] == h ? CONTINUITY_BONUS : 0) + s;
                    // TrackEval minimises -score; pairs below the threshold score 0 (-0.0 as a cost)
                    cost[i * nh + j] = s < THRESHOLD - BoxIou.EPS ? -0.0 : -score;
                }
            }
            solver.solve(cost, no, nh, colForRow);
            int matched = 0;
            for (int i = 0; i < no; i++) {
                int j = colForRow[i];
                if (j < 0 || !(-cost[i * nh + j] > BoxIou.EPS)) {
                    continue;
                }
                int o = fr.gtId[g0 + i];
                int h = fr.hypId[h0 + j];
                if (lastHyp[o] >= 0 && lastHyp[o] != h) {
                    switches++;
                }
                lastHyp[o] = h;
                tracked[o]++;
                iouSum += sim[i * nh + j];
                matchedObjects[matched] = o;
                matchedHyps[matched] = h;
                matched++;
            }
            // A run starts where the object was not matched in the previous matched frame.
            for (int k = 0; k < matched; k++) {
                if (lastStepHyp[matchedObjects[k]] < 0) {
                    runStarts[matchedObjects[k]]++;
                }
            }
            for (int k = 0; k < lastStepCount; k++) {
                lastStepHyp[lastStepObjects[k]] = -1;
            }
            for (int k = 0; k < matched; k++) {
                lastStepHyp[matchedObjects[k]] = matchedHyps[k];
                lastStepObjects[k] = matchedObjects[k];
            }
            lastStepCount = matched;
            tp += matched;
            fn += no - matched;
            fp += nh - matched;
        }

        long mostlyTracked = 0, partiallyTracked = 0, mostlyLost = 0, fragmentations = 0;
        for (int o = 0; o < fr.numGtIds; o++) {
            if (runStarts[o] > 0) {
                fragmentations += runStarts[o] - 1;
            }
            double ratio = (double) tracked[o] / (double) present[o];
            if (ratio > 0.8) {
                mostlyTracked++;
            } else if (ratio >= 0.2) {
                partiallyTracked++;
            } else {
                mostlyLost++;
            }
        }
        long numObjects = fr.gtId.length;
        long numPredictions = fr.hypId.length;
        long idtp = ClearMot.identityTruePositives(pairs, pairFrames, solver);
        double motp = 1.0 - iouSum / Math.max(1.0, tp);
        return new ClearCounts(numObjects, numPredictions, tp - switches, switches, fp, fn, fragmentations,
                fr.numGtIds, mostlyTracked, partiallyTracked, mostlyLost, motp, idtp, numPredictions - idtp,
                numObjects - idtp, iouSum, MetricMode.TRACKEVAL);
    }
}
