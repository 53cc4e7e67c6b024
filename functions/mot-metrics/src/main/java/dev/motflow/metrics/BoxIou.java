package dev.motflow.metrics;

/**
 * Intersection over union of {@code x,y,w,h} boxes, in the two floating-point forms of the
 * reference tools. They agree mathematically but not always in the last bit, and a bit decides
 * a match that sits exactly at a threshold, so each metric family uses its tool's form.
 */
final class BoxIou {
    /** numpy's float64 machine epsilon, TrackEval's tolerance. */
    static final double EPS = Math.ulp(1.0);

    private BoxIou() {
    }

    /**
     * py-motmetrics' {@code boxiou}: corners {@code min = (x, y)}, {@code max = min + (w, h)},
     * sizes recomputed from the corners and clamped at 0; 0 when the boxes do not intersect.
     * Callers pass boxes already shifted by py-motmetrics' loader (x - 1, y - 1).
     */
    static double motmetrics(double ax, double ay, double aw, double ah,
                             double bx, double by, double bw, double bh) {
        double ax2 = ax + aw;
        double bx2 = bx + bw;
        double iw = min(ax2, bx2) - max(ax, bx);
        if (!(iw > 0)) {
            return 0; // most pairs: no horizontal overlap
        }
        double ay2 = ay + ah;
        double by2 = by + bh;
        double inter = iw * pos(min(ay2, by2) - max(ay, by));
        if (inter == 0) {
            return 0;
        }
        double aVol = pos(ax2 - ax) * pos(ay2 - ay);
        double bVol = pos(bx2 - bx) * pos(by2 - by);
        return inter / (aVol + bVol - inter);
    }

    /**
     * TrackEval's {@code _calculate_box_ious} (xywh): corners {@code (x, y, x + w, y + h)};
     * degenerate boxes (area &lt;= eps) and unions &lt;= eps give 0.
     */
    static double trackeval(double ax, double ay, double aw, double ah,
                            double bx, double by, double bw, double bh) {
        double ax2 = ax + aw;
        double bx2 = bx + bw;
        double iw = min(ax2, bx2) - max(ax, bx);
        if (!(iw > 0)) {
            return 0; // intersection 0: TrackEval's IoU is 0 whatever the union
        }
        double ay2 = ay + ah;
        double by2 = by + bh;
        double inter = iw * pos(min(ay2, by2) - max(ay, by));
        double area1 = (ax2 - ax) * (ay2 - ay);
        double area2 = (bx2 - bx) * (by2 - by);
        double union = area1 + area2 - inter;
        if (area1 <= EPS || area2 <= EPS || union <= EPS) {
            inter = 0;
        }
        if (union <= EPS) {
            union = 1;
        }
        return inter / union;
    }

    // Plain comparisons instead of Math.min/max: inputs are finite, and the -0.0 / NaN cases those
    // methods take care of cannot change an area here. Measurably faster in the per-pair loops.
    private static double min(double a, double b) {
        return a <= b ? a : b;
    }

    private static double max(double a, double b) {
        return a >= b ? a : b;
    }

    private static double pos(double v) {
        return v > 0 ? v : 0;
    }
}
