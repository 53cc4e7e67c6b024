package dev.motflow.tracking;

/** Box conversions and overlap as the reference trackers compute them. */
public final class Boxes {
    private Boxes() {
    }

    /**
     * Intersection over union of two boxes given as top-left and size, with the inclusive-pixel
     * convention of the {@code cython_bbox.bbox_overlaps} routine that FairMOT and ByteTrack call
     * (a box spans {@code w + 1} by {@code h + 1} pixels). 0 when the boxes do not overlap.
     */
    public static double iou(double x1, double y1, double w1, double h1, double x2, double y2, double w2, double h2) {
        return iouOfEdges(x1, y1, x1 + w1, y1 + h1, (w1 + 1) * (h1 + 1), x2, y2, x2 + w2, y2 + h2, (w2 + 1) * (h2 + 1));
    }

    /**
     * {@link #iou} from each box's left, top, right ({@code x + w}) and bottom ({@code y + h}) edges and its
     * inclusive-pixel area {@code (w + 1) * (h + 1)}, for callers that compute those once per box.
     */
    static double iouOfEdges(double l1, double t1, double r1, double b1, double area1,
                             double l2, double t2, double r2, double b2, double area2) {
        double iw = Math.min(r1, r2) - Math.max(l1, l2) + 1;
        if (iw <= 0) {
            return 0;
        }
        double ih = Math.min(b1, b2) - Math.max(t1, t2) + 1;
        if (ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        return inter / (area1 + area2 - inter);
    }

    /** {@code 1 - iou}: the cost the IoU stages assign. */
    public static double iouDistance(double x1, double y1, double w1, double h1,
                                     double x2, double y2, double w2, double h2) {
        return 1 - iou(x1, y1, w1, h1, x2, y2, w2, h2);
    }

    /**
     * The fraction of box 1's area that lies inside box 2 (boxes as top-left and size, continuous: a box covers
     * {@code w} by {@code h}); 0 when they do not overlap or box 1 has no area.
     */
    public static double insideFraction(double x1, double y1, double w1, double h1,
                                        double x2, double y2, double w2, double h2) {
        double iw = Math.min(x1 + w1, x2 + w2) - Math.max(x1, x2);
        double ih = Math.min(y1 + h1, y2 + h2) - Math.max(y1, y2);
        return iw > 0 && ih > 0 && w1 > 0 && h1 > 0 ? iw * ih / (w1 * h1) : 0;
    }
}
