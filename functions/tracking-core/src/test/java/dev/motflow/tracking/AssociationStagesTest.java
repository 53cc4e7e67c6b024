package dev.motflow.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AssociationStagesTest {

    /** The sweep over sorted detections must give every cost exactly as the pair-by-pair IoU does. */
    @Test
    void iouCostsEqualBoxesIouDistanceBitForBitWithManyDetections() {
        Random rnd = new Random(7);
        AssociationStages stages = new AssociationStages();
        for (int trial = 0; trial < 200; trial++) {
            boolean widthState = rnd.nextBoolean();
            ArrayList<Track> tracks = new ArrayList<>();
            int rows = 1 + rnd.nextInt(40);
            for (int r = 0; r < rows; r++) {
                Track t = new Track(0, widthState);
                double h = 10 + rnd.nextDouble() * 300;
                double w = 5 + rnd.nextDouble() * 200;
                t.mean[0] = (float) (rnd.nextDouble() * 2000 - 300);
                t.mean[1] = (float) (rnd.nextDouble() * 1200 - 200);
                t.mean[2] = (float) (widthState ? w : w / h);
                t.mean[3] = (float) h;
                tracks.add(t);
            }
            Detections dets = new Detections(0);
            int n = rnd.nextInt(3) == 0 ? rnd.nextInt(AssociationStages.SWEEP_MIN_DETECTIONS) : 16 + rnd.nextInt(120);
            for (int k = 0; k < n; k++) {
                // Boxes near the tracks (touching, nested, shifted by fractions of a pixel) and far from them.
                Track near = tracks.get(rnd.nextInt(rows));
                double x = rnd.nextBoolean() ? near.x() + rnd.nextGaussian() * 20 : rnd.nextDouble() * 2200 - 400;
                double y = rnd.nextBoolean() ? near.y() + rnd.nextGaussian() * 20 : rnd.nextDouble() * 1400 - 300;
                double w = rnd.nextInt(10) == 0 ? 800 + rnd.nextDouble() * 900 : 1 + rnd.nextDouble() * 250;
                dets.add(x, y, w, 1 + rnd.nextDouble() * 350, rnd.nextDouble());
            }
            int[] idx = new int[n];
            int count = 0;
            for (int k = 0; k < n; k++) {
                if (rnd.nextInt(5) > 0) {
                    idx[count++] = k; // a stage's subset, in input order
                }
            }
            boolean fuse = rnd.nextBoolean();
            stages.fillIouCost(tracks, dets, idx, count, fuse);
            double[] cost = stages.cost(rows, count);
            for (int r = 0; r < rows; r++) {
                Track t = tracks.get(r);
                double tw = t.w();
                for (int k = 0; k < count; k++) {
                    int d = idx[k];
                    double dist = Boxes.iouDistance(t.mean[0] - tw / 2, t.y(), tw, t.h(),
                            dets.x(d), dets.y(d), dets.w(d), dets.h(d));
                    double expected = fuse ? 1 - (1 - dist) * dets.score(d) : dist;
                    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(cost[r * count + k]),
                            "trial " + trial + " row " + r + " col " + k);
                }
            }
        }
    }
}
