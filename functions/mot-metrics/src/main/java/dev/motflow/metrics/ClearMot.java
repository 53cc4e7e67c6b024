package dev.motflow.metrics;

import java.util.Arrays;

/**
 * CLEAR MOT and Identity metrics of one sequence, following py-motmetrics 1.4.0
 * ({@link MetricMode#PY_MOTMETRICS}; {@link TrackEvalClear} has the default definitions)
 * ({@code MOTAccumulator.update} with IoU distances, {@code max_iou = 0.5}):
 *
 * <ol>
 *   <li>Distance {@code 1 - IoU}; pairs with distance &gt; 0.5 cannot match.</li>
 *   <li>Per frame, in ground-truth row order, an object keeps the hypothesis it was last matched to
 *     (at any earlier frame) when that hypothesis is present, not yet taken and close enough.</li>
 *   <li>The remaining objects and hypotheses are matched by a minimum-cost assignment that first
 *     maximises the number of allowed pairs; a match to a hypothesis other than the object's last one
 *     is a switch.</li>
 *   <li>Identity: per (object, hypothesis) the number of frames where they could match (distance
 *     allowed); IDTP is the maximum total over a one-to-one mapping of ids.</li>
 * </ol>
 * Work arrays are sized once per sequence; the per-frame loop allocates nothing.
 */
final class ClearMot {
    private static final double MAX_DISTANCE = 0.5;

    private ClearMot() {
    }

    static ClearCounts compute(Frames fr) {
        int maxGt = fr.maxGtPerFrame();
        int maxHyp = fr.maxHypPerFrame();
        double[] dist = new double[Math.max(1, maxGt * maxHyp)];
        double[] cost = new double[dist.length];
        boolean[] rowTaken = new boolean[maxGt];
        boolean[] colTaken = new boolean[maxHyp];
        int[] colForRow = new int[maxGt];
        int[] posOfHyp = new int[fr.numHypIds];
        Arrays.fill(posOfHyp, -1);
        LinearAssignment solver = new LinearAssignment();

        int[] lastHyp = new int[fr.numGtIds];       // py-motmetrics' `m`: last matched hypothesis per object
        Arrays.fill(lastHyp, -1);
        int[] seen = new int[fr.numGtIds];          // frames with the object
        int[] tracked = new int[fr.numGtIds];       // ... of which matched
        boolean[] everTracked = new boolean[fr.numGtIds];
        boolean[] missSinceTracked = new boolean[fr.numGtIds];
        int[] hypFrames = new int[fr.numHypIds];
        PairIndex pairs = new PairIndex(fr.numGtIds + fr.numHypIds);
        int[] pairFrames = new int[64];

        long matches = 0, switches = 0, misses = 0, falsePositives = 0, fragmentations = 0;
        double distanceSum = 0;

        for (int f = 0; f < fr.numFrames; f++) {
            int g0 = fr.gtStart[f];
            int no = fr.gtStart[f + 1] - g0;
            int h0 = fr.hypStart[f];
            int nh = fr.hypStart[f + 1] - h0;
            Arrays.fill(rowTaken, 0, no, false);
            Arrays.fill(colTaken, 0, nh, false);

            if (no > 0 && nh > 0) {
                double[] gb = fr.gtBox;
                double[] hb = fr.hypBox;
                for (int i = 0; i < no; i++) {
                    int a = 4 * (g0 + i);
                    int o = fr.gtId[g0 + i];
                    for (int j = 0; j < nh; j++) {
                        int b = 4 * (h0 + j);
                        double d = 1 - BoxIou.motmetrics(gb[a], gb[a + 1], gb[a + 2], gb[a + 3],
                                hb[b], hb[b + 1], hb[b + 2], hb[b + 3]);
                        if (d > MAX_DISTANCE || Double.isNaN(d)) {
                            d = Double.NaN;
                        } else {
                            int p = pairs.add(o, fr.hypId[h0 + j]);
                            if (p == pairFrames.length) {
                                pairFrames = Arrays.copyOf(pairFrames, p * 2);
                            }
                            pairFrames[p]++;
                        }
                        dist[i * nh + j] = d;
                    }
                }

                // 1. Keep earlier pairings that are still possible.
                for (int j = 0; j < nh; j++) {
                    posOfHyp[fr.hypId[h0 + j]] = j;
                }
                for (int i = 0; i < no; i++) {
                    int h = lastHyp[fr.gtId[g0 + i]];
                    if (h < 0) {
                        continue;
                    }
                    int j = posOfHyp[h];
                    if (j < 0 || colTaken[j]) {
                        continue;
                    }
                    double d = dist[i * nh + j];
                    if (!Double.isNaN(d)) {
                        rowTaken[i] = true;
                        colTaken[j] = true;
                        matches++;
                        distanceSum += d;
                    }
                }
                for (int j = 0; j < nh; j++) {
                    posOfHyp[fr.hypId[h0 + j]] = -1;
                }

                // 2. Minimum-cost assignment of the rest, on the full frame matrix with taken rows and
                //    columns forbidden (the same matrix the reference solves, so ties break alike).
                for (int i = 0; i < no; i++) {
                    for (int j = 0; j < nh; j++) {
                        if (rowTaken[i] || colTaken[j]) {
                            dist[i * nh + j] = Double.NaN;
                        }
                    }
                }
                int allowedCount = 0;
                for (int k = 0; k < no * nh; k++) {
                    if (!Double.isNaN(dist[k])) {
                        allowedCount++;
                    }
                }
                if (allowedCount > 0) {
                    // solve on a copy: the NaNs mark what must be skipped afterwards
                    System.arraycopy(dist, 0, cost, 0, no * nh);
                    LinearAssignment.withExpensiveEdges(cost, no, nh);
                    solver.solve(cost, no, nh, colForRow);
                    for (int i = 0; i < no; i++) {
                        int j = colForRow[i];
                        if (j < 0) {
                            continue;
                        }
                        double d = dist[i * nh + j];
                        if (Double.isNaN(d)) {
                            continue;
                        }
                        int o = fr.gtId[g0 + i];
                        int h = fr.hypId[h0 + j];
                        if (lastHyp[o] >= 0 && lastHyp[o] != h) {
                            switches++;
                        } else {
                            matches++;
                        }
                        distanceSum += d;
                        lastHyp[o] = h;
                        rowTaken[i] = true;
                        colTaken[j] = true;
                    }
                }
            }

            // 3. Misses, false positives, per-object track state.
            for (int i = 0; i < no; i++) {
                int o = fr.gtId[g0 + i];
                seen[o]++;
                if (rowTaken[i]) {
                    tracked[o]++;
                    if (everTracked[o] && missSinceTracked[o]) {
                        fragmentations++;
                    }
                    everTracked[o] = true;
                    missSinceTracked[o] = false;
                } else {
                    misses++;
                    if (everTracked[o]) {
                        missSinceTracked[o] = true;
                    }
                }
            }
            for (int j = 0; j < nh; j++) {
                hypFrames[fr.hypId[h0 + j]]++;
                if (!colTaken[j]) {
                    falsePositives++;
                }
            }
        }

        long mostlyTracked = 0, partiallyTracked = 0, mostlyLost = 0;
        for (int o = 0; o < fr.numGtIds; o++) {
            double ratio = (double) tracked[o] / (double) seen[o];
            if (ratio >= 0.8) {
                mostlyTracked++;
            } else if (ratio >= 0.2) {
                partiallyTracked++;
            } else {
                mostlyLost++;
            }
        }
        long numObjects = fr.gtId.length;
        long numPredictions = fr.hypId.length;
        long idtp = identityTruePositives(pairs, pairFrames, solver);
        double motp = distanceSum / (double) (matches + switches);
        return new ClearCounts(numObjects, numPredictions, matches, switches, falsePositives, misses,
                fragmentations, fr.numGtIds, mostlyTracked, partiallyTracked, mostlyLost, motp,
                idtp, numPredictions - idtp, numObjects - idtp, (matches + switches) - distanceSum,
                MetricMode.PY_MOTMETRICS);
    }

    /**
     * Maximum total of co-occurrence frames over a one-to-one id mapping. py-motmetrics solves the
     * equivalent min-cost problem on an (objects + hypotheses)^2 matrix; only the optimum's value is
     * used, and it is the sum of the optima of the connected components of the "could match" graph
     * (ids without any possible match contribute nothing), so each component is solved on its own.
     */
    static long identityTruePositives(PairIndex pairs, int[] pairFrames, LinearAssignment solver) {
        int n = pairs.size();
        if (n == 0) {
            return 0;
        }
        int[] gtNode = new int[n];
        int[] hypNode = new int[n];
        int numGt = compact(pairs, true, gtNode);
        int numHyp = compact(pairs, false, hypNode);
        // Union-find over gt nodes 0..numGt-1 and hyp nodes numGt..numGt+numHyp-1.
        int[] parent = new int[numGt + numHyp];
        for (int k = 0; k < parent.length; k++) {
            parent[k] = k;
        }
        for (int p = 0; p < n; p++) {
            int a = find(parent, gtNode[p]);
            int b = find(parent, numGt + hypNode[p]);
            if (a != b) {
                parent[a] = b;
            }
        }
        // Order pairs by component, then number rows and columns within each component.
        long[] byComponent = new long[n];
        for (int p = 0; p < n; p++) {
            byComponent[p] = ((long) find(parent, gtNode[p]) << 32) | p;
        }
        java.util.Arrays.sort(byComponent);
        int[] localIndex = new int[numGt + numHyp];
        int[] stamp = new int[numGt + numHyp];
        java.util.Arrays.fill(stamp, -1);
        double[] cost = new double[0];
        int[] colForRow = new int[0];
        long total = 0;
        for (int start = 0; start < n; ) {
            int component = (int) (byComponent[start] >>> 32);
            int end = start;
            int rows = 0;
            int cols = 0;
            while (end < n && (int) (byComponent[end] >>> 32) == component) {
                int p = (int) byComponent[end];
                int g = gtNode[p];
                int h = numGt + hypNode[p];
                if (stamp[g] != component) {
                    stamp[g] = component;
                    localIndex[g] = rows++;
                }
                if (stamp[h] != component) {
                    stamp[h] = component;
                    localIndex[h] = cols++;
                }
                end++;
            }
            if (cost.length < rows * cols) {
                cost = new double[rows * cols];
            }
            java.util.Arrays.fill(cost, 0, rows * cols, 0.0);
            for (int k = start; k < end; k++) {
                int p = (int) byComponent[k];
                cost[localIndex[gtNode[p]] * cols + localIndex[numGt + hypNode[p]]] = -pairFrames[p];
            }
            if (colForRow.length < rows) {
                colForRow = new int[rows];
            }
            solver.solve(cost, rows, cols, colForRow);
            for (int r = 0; r < rows; r++) {
                if (colForRow[r] >= 0) {
                    total += (long) -cost[r * cols + colForRow[r]];
                }
            }
            start = end;
        }
        return total;
    }

    private static int find(int[] parent, int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    /** Dense row (or column) numbers for the gt (or hyp) side of the pairs; returns their count. */
    private static int compact(PairIndex pairs, boolean gtSide, int[] out) {
        int n = pairs.size();
        int[] ids = new int[n];
        for (int p = 0; p < n; p++) {
            long k = pairs.keyAt(p);
            ids[p] = gtSide ? PairIndex.gtOf(k) : PairIndex.hypOf(k);
        }
        int[] sorted = ids.clone();
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || sorted[distinct - 1] != sorted[i]) {
                sorted[distinct++] = sorted[i];
            }
        }
        for (int p = 0; p < n; p++) {
            out[p] = Arrays.binarySearch(sorted, 0, distinct, ids[p]);
        }
        return distinct;
    }
}
