package dev.motflow.metrics;

import java.util.Arrays;

/**
 * HOTA of one sequence as TrackEval 1.3.0 computes it. Two passes over the frames:
 *
 * <ol>
 *   <li>For each (gt id, hyp id) pair, the sum over frames of the similarity-normalised overlap
 *     {@code S / (rowSum + colSum - S)}; with the ids' frame counts this gives a global alignment
 *     score {@code A = sum / (nGt + nHyp - sum)}.</li>
 *   <li>Per frame, boxes are matched maximising {@code A * IoU}; for each alpha the matches with
 *     IoU &gt;= alpha count as TP, and per pair the number of matched frames gives AssA.</li>
 * </ol>
 */
final class Hota {
    private Hota() {
    }

    static HotaCounts compute(Frames fr) {
        HotaCounts res = new HotaCounts();
        int numGtDets = fr.gtId.length;
        int numHypDets = fr.hypId.length;
        if (numHypDets == 0 || numGtDets == 0) {
            for (int a = 0; a < HotaCounts.ALPHAS; a++) {
                res.fn[a] = numGtDets;
                res.fp[a] = numHypDets;
                res.locA[a] = 1.0;
            }
            return res;
        }
        int maxGt = fr.maxGtPerFrame();
        int maxHyp = fr.maxHypPerFrame();
        double[] sim = new double[Math.max(1, maxGt * maxHyp)];
        double[] cost = new double[sim.length];
        double[] rowSum = new double[maxGt];
        double[] colSum = new double[maxHyp];
        int[] colForRow = new int[maxGt];
        LinearAssignment solver = new LinearAssignment();
        double[] threshold = new double[HotaCounts.ALPHAS];
        for (int a = 0; a < HotaCounts.ALPHAS; a++) {
            threshold[a] = HotaCounts.alpha(a) - BoxIou.EPS;
        }

        // Pass 1: potential matches per id pair, frames per id.
        PairIndex pairs = new PairIndex(fr.numGtIds + fr.numHypIds);
        double[] potential = new double[64];
        // Non-zero similarities of every frame, kept for pass 2 (cell i*nh+j, value, pair or -1):
        // most box pairs do not overlap, so this is far smaller than the dense matrices.
        int[] entryStart = new int[fr.numFrames + 1];
        int[] entryCell = new int[1024];
        double[] entrySim = new double[1024];
        int[] entryPair = new int[1024];
        int entries = 0;
        double[] gtCount = new double[fr.numGtIds];
        double[] hypCount = new double[fr.numHypIds];
        for (int f = 0; f < fr.numFrames; f++) {
            int g0 = fr.gtStart[f];
            int no = fr.gtStart[f + 1] - g0;
            int h0 = fr.hypStart[f];
            int nh = fr.hypStart[f + 1] - h0;
            for (int i = 0; i < no; i++) {
                gtCount[fr.gtId[g0 + i]]++;
            }
            for (int j = 0; j < nh; j++) {
                hypCount[fr.hypId[h0 + j]]++;
            }
            entryStart[f] = entries;
            if (no == 0 || nh == 0) {
                continue;
            }
            similarity(fr, g0, no, h0, nh, sim);
            Arrays.fill(rowSum, 0, no, 0.0);
            Arrays.fill(colSum, 0, nh, 0.0);
            for (int i = 0; i < no; i++) {
                for (int j = 0; j < nh; j++) {
                    double s = sim[i * nh + j];
                    rowSum[i] += s;
                    colSum[j] += s;
                }
            }
            for (int i = 0; i < no; i++) {
                for (int j = 0; j < nh; j++) {
                    double s = sim[i * nh + j];
                    if (s == 0) {
                        continue;
                    }
                    double denom = colSum[j] + rowSum[i] - s;
                    int p = -1;
                    if (denom > BoxIou.EPS) {
                        p = pairs.add(fr.gtId[g0 + i], fr.hypId[h0 + j]);
                        if (p == potential.length) {
                            potential = Arrays.copyOf(potential, p * 2);
                        }
                        potential[p] += s / denom;
                    }
                    if (entries == entryCell.length) {
                        entryCell = Arrays.copyOf(entryCell, entries * 2);
                        entrySim = Arrays.copyOf(entrySim, entries * 2);
                        entryPair = Arrays.copyOf(entryPair, entries * 2);
                    }
                    entryCell[entries] = i * nh + j;
                    entrySim[entries] = s;
                    entryPair[entries] = p;
                    entries++;
                }
            }
        }
        entryStart[fr.numFrames] = entries;
        int numPairs = pairs.size();
        double[] alignment = new double[numPairs];
        for (int p = 0; p < numPairs; p++) {
            long k = pairs.keyAt(p);
            alignment[p] = potential[p]
                    / (gtCount[PairIndex.gtOf(k)] + hypCount[PairIndex.hypOf(k)] - potential[p]);
        }

        // Pass 2: per-frame matching on alignment * similarity.
        int[] matchCount = new int[numPairs * HotaCounts.ALPHAS];
        int[] matchesThisFrame = new int[HotaCounts.ALPHAS];
        double[] locThisFrame = new double[HotaCounts.ALPHAS];
        for (int f = 0; f < fr.numFrames; f++) {
            int g0 = fr.gtStart[f];
            int no = fr.gtStart[f + 1] - g0;
            int h0 = fr.hypStart[f];
            int nh = fr.hypStart[f + 1] - h0;
            if (no == 0) {
                for (int a = 0; a < HotaCounts.ALPHAS; a++) {
                    res.fp[a] += nh;
                }
                continue;
            }
            if (nh == 0) {
                for (int a = 0; a < HotaCounts.ALPHAS; a++) {
                    res.fn[a] += no;
                }
                continue;
            }
            // TrackEval solves on -(A * S); a pair without overlap scores -0.0.
            Arrays.fill(sim, 0, no * nh, 0.0);
            Arrays.fill(cost, 0, no * nh, -0.0);
            for (int e = entryStart[f]; e < entryStart[f + 1]; e++) {
                int cell = entryCell[e];
                double s = entrySim[e];
                int p = entryPair[e];
                sim[cell] = s;
                cost[cell] = -((p < 0 ? 0.0 : alignment[p]) * s);
            }
            solver.solve(cost, no, nh, colForRow);
            Arrays.fill(matchesThisFrame, 0);
            Arrays.fill(locThisFrame, 0.0);
            for (int i = 0; i < no; i++) {
                int j = colForRow[i];
                if (j < 0) {
                    continue;
                }
                double s = sim[i * nh + j];
                if (s < threshold[0]) {
                    continue;
                }
                int p = pairs.indexOf(fr.gtId[g0 + i], fr.hypId[h0 + j]);
                for (int a = 0; a < HotaCounts.ALPHAS && s >= threshold[a]; a++) {
                    matchesThisFrame[a]++;
                    locThisFrame[a] += s;
                    matchCount[p * HotaCounts.ALPHAS + a]++;
                }
            }
            for (int a = 0; a < HotaCounts.ALPHAS; a++) {
                res.tp[a] += matchesThisFrame[a];
                res.fn[a] += no - matchesThisFrame[a];
                res.fp[a] += nh - matchesThisFrame[a];
                res.locA[a] += locThisFrame[a];
            }
        }

        for (int a = 0; a < HotaCounts.ALPHAS; a++) {
            double assA = 0;
            double assRe = 0;
            double assPr = 0;
            for (int p = 0; p < numPairs; p++) {
                int m = matchCount[p * HotaCounts.ALPHAS + a];
                if (m == 0) {
                    continue;
                }
                long k = pairs.keyAt(p);
                double gc = gtCount[PairIndex.gtOf(k)];
                double hc = hypCount[PairIndex.hypOf(k)];
                assA += m * (m / Math.max(1, gc + hc - m));
                assRe += m * (m / Math.max(1, gc));
                assPr += m * (m / Math.max(1, hc));
            }
            double tp = Math.max(1, res.tp[a]);
            res.assA[a] = assA / tp;
            res.assRe[a] = assRe / tp;
            res.assPr[a] = assPr / tp;
            res.locA[a] = Math.max(1e-10, res.locA[a]) / Math.max(1e-10, res.tp[a]);
        }
        return res;
    }

    private static void similarity(Frames fr, int g0, int no, int h0, int nh, double[] sim) {
        double[] gb = fr.gtBox;
        double[] hb = fr.hypBox;
        for (int i = 0; i < no; i++) {
            int a = 4 * (g0 + i);
            for (int j = 0; j < nh; j++) {
                int b = 4 * (h0 + j);
                sim[i * nh + j] = BoxIou.trackeval(gb[a], gb[a + 1], gb[a + 2], gb[a + 3],
                        hb[b], hb[b + 1], hb[b + 2], hb[b + 3]);
            }
        }
    }
}
