package dev.motflow.tracking;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * The references' {@code remove_duplicate_stracks}: a tracked and a lost track whose boxes are
 * closer than the IoU-distance limit are one object seen twice, and the one tracked for fewer
 * frames goes. The drop marks are kept between frames so that the check allocates nothing.
 */
final class DuplicateTracks {
    private final double limit;
    private boolean[] dropTracked = new boolean[32];
    private boolean[] dropLost = new boolean[32];
    /** The lost tracks' boxes (left, top, width, height) of the current check. */
    private double[] lostBox = new double[32 * 4];

    DuplicateTracks(double iouDistanceLimit) {
        this.limit = iouDistanceLimit;
    }

    /** Removes the duplicates from both lists in place, keeping the order of the rest. */
    void remove(ArrayList<Track> tracked, ArrayList<Track> lost) {
        int na = tracked.size();
        int nb = lost.size();
        if (na == 0 || nb == 0) {
            return;
        }
        if (dropTracked.length < na) {
            dropTracked = new boolean[na * 2];
        }
        if (dropLost.length < nb) {
            dropLost = new boolean[nb * 2];
        }
        Arrays.fill(dropTracked, 0, na, false);
        Arrays.fill(dropLost, 0, nb, false);
        // The lost boxes once, not once per tracked track (the same values Boxes.iouDistance would be given).
        if (lostBox.length < nb * 4) {
            lostBox = new double[nb * 8];
        }
        for (int q = 0; q < nb; q++) {
            Track tq = lost.get(q);
            double qw = tq.w();
            lostBox[q * 4] = tq.mean[0] - qw / 2;
            lostBox[q * 4 + 1] = tq.y();
            lostBox[q * 4 + 2] = qw;
            lostBox[q * 4 + 3] = tq.h();
        }
        boolean any = false;
        for (int p = 0; p < na; p++) {
            Track tp = tracked.get(p);
            double pw = tp.w();
            double px = tp.mean[0] - pw / 2;
            double py = tp.y();
            double ph = tp.h();
            for (int q = 0; q < nb; q++) {
                int b = q * 4;
                double dist = Boxes.iouDistance(px, py, pw, ph, lostBox[b], lostBox[b + 1], lostBox[b + 2], lostBox[b + 3]);
                if (dist < limit) {
                    Track tq = lost.get(q);
                    any = true;
                    if (tp.frameId - tp.startFrame > tq.frameId - tq.startFrame) {
                        dropLost[q] = true;
                    } else {
                        dropTracked[p] = true;
                    }
                }
            }
        }
        if (any) {
            compact(tracked, dropTracked);
            compact(lost, dropLost);
        }
    }

    private static void compact(ArrayList<Track> list, boolean[] drop) {
        int n = list.size();
        int w = 0;
        for (int k = 0; k < n; k++) {
            if (!drop[k]) {
                list.set(w++, list.get(k));
            }
        }
        while (list.size() > w) {
            list.remove(list.size() - 1);
        }
    }
}
