package dev.motflow.metrics;

import java.util.List;

/**
 * HOTA tallies per localisation threshold alpha = 0.05, 0.10, ..., 0.95 (TrackEval's 19 values), for
 * one sequence or several combined. The reported HOTA, DetA, AssA and LocA are the means over alpha,
 * as TrackEval summarises them.
 */
public final class HotaCounts {
    /** Number of alpha thresholds. */
    public static final int ALPHAS = 19;

    final double[] tp = new double[ALPHAS];
    final double[] fn = new double[ALPHAS];
    final double[] fp = new double[ALPHAS];
    final double[] assA = new double[ALPHAS];
    final double[] assRe = new double[ALPHAS];
    final double[] assPr = new double[ALPHAS];
    final double[] locA = new double[ALPHAS];

    HotaCounts() {
    }

    /** alpha of index {@code a}, computed as numpy's {@code arange(0.05, 0.99, 0.05)} does. */
    public static double alpha(int a) {
        return 0.05 + a * 0.05;
    }

    public double detA(int a) {
        return tp[a] / Math.max(1, tp[a] + fn[a] + fp[a]);
    }

    public double detRe(int a) {
        return tp[a] / Math.max(1, tp[a] + fn[a]);
    }

    public double detPr(int a) {
        return tp[a] / Math.max(1, tp[a] + fp[a]);
    }

    public double assA(int a) {
        return assA[a];
    }

    public double locA(int a) {
        return locA[a];
    }

    public double hota(int a) {
        return Math.sqrt(detA(a) * assA[a]);
    }

    public double truePositives(int a) {
        return tp[a];
    }

    /** Mean HOTA over alpha. */
    public double hota() {
        double s = 0;
        for (int a = 0; a < ALPHAS; a++) {
            s += hota(a);
        }
        return s / ALPHAS;
    }

    public double detA() {
        double s = 0;
        for (int a = 0; a < ALPHAS; a++) {
            s += detA(a);
        }
        return s / ALPHAS;
    }

    public double assA() {
        return mean(assA);
    }

    public double locA() {
        return mean(locA);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /**
     * TrackEval's {@code combine_sequences}: TP/FN/FP summed, AssA/AssRe/AssPr averaged weighted by
     * TP, LocA weighted by TP.
     */
    public static HotaCounts combine(List<HotaCounts> parts) {
        HotaCounts c = new HotaCounts();
        for (int a = 0; a < ALPHAS; a++) {
            double locWeighted = 0;
            for (HotaCounts p : parts) {
                c.tp[a] += p.tp[a];
                c.fn[a] += p.fn[a];
                c.fp[a] += p.fp[a];
                c.assA[a] += p.assA[a] * p.tp[a];
                c.assRe[a] += p.assRe[a] * p.tp[a];
                c.assPr[a] += p.assPr[a] * p.tp[a];
                locWeighted += p.locA[a] * p.tp[a];
            }
            double weight = Math.max(1.0, c.tp[a]);
            c.assA[a] /= weight;
            c.assRe[a] /= weight;
            c.assPr[a] /= weight;
            c.locA[a] = Math.max(1e-10, locWeighted) / Math.max(1e-10, c.tp[a]);
        }
        return c;
    }
}
