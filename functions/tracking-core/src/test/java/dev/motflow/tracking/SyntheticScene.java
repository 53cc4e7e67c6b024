package dev.motflow.tracking;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated detections for tests: objects moving at constant velocity (bouncing off the image
 * border) that enter and leave, with box noise, missed detections, false positives, mixed scores
 * and per-object embeddings with noise. Values are rounded to 4 decimals so that the same scene
 * written as text reads back bit-identically.
 */
final class SyntheticScene {
    static final class Det {
        final double x;
        final double y;
        final double w;
        final double h;
        final double score;
        final float[] embedding;
        /** The object that produced it, -1 for a false positive. */
        final int truth;

        Det(double x, double y, double w, double h, double score, float[] embedding, int truth) {
            this.x = x;
            this.y = y;
            this.w = w;
            this.h = h;
            this.score = score;
            this.embedding = embedding;
            this.truth = truth;
        }
    }

    final int dim;
    final List<List<Det>> frames = new ArrayList<>();

    private SyntheticScene(int dim) {
        this.dim = dim;
    }

    static double round4(double v) {
        return Math.round(v * 10000.0) / 10000.0;
    }

    /**
     * @param objects number of objects over the whole scene
     * @param missRate probability that an object's detection is missing in a frame
     * @param falsePositives expected false positives per frame
     * @param lowScoreRate probability that a true detection gets a low score (0.1..0.5)
     */
    static SyntheticScene generate(long seed, int frames, int objects, int dim, double missRate,
                                   double falsePositives, double lowScoreRate) {
        Random rnd = new Random(seed);
        SyntheticScene s = new SyntheticScene(dim);
        double width = 1280;
        double height = 720;
        double[][] state = new double[objects][]; // x, y, vx, vy, w, h
        int[] start = new int[objects];
        int[] end = new int[objects];
        float[][] base = new float[objects][];
        for (int o = 0; o < objects; o++) {
            double h = 60 + rnd.nextDouble() * 160;
            double w = h * (0.35 + rnd.nextDouble() * 0.2);
            state[o] = new double[] {rnd.nextDouble() * (width - w), rnd.nextDouble() * (height - h),
                (rnd.nextDouble() - 0.5) * 8, (rnd.nextDouble() - 0.5) * 3, w, h};
            start[o] = o < objects / 2 ? 1 : 1 + rnd.nextInt(Math.max(1, frames / 2));
            end[o] = Math.min(frames, start[o] + frames / 3 + rnd.nextInt(frames));
            base[o] = randomUnit(rnd, dim);
        }
        for (int f = 1; f <= frames; f++) {
            List<Det> dets = new ArrayList<>();
            for (int o = 0; o < objects; o++) {
                double[] st = state[o];
                if (f > start[o]) {
                    st[0] += st[2];
                    st[1] += st[3];
                    if (st[0] < 0 || st[0] + st[4] > width) {
                        st[2] = -st[2];
                        st[0] += 2 * st[2];
                    }
                    if (st[1] < 0 || st[1] + st[5] > height) {
                        st[3] = -st[3];
                        st[1] += 2 * st[3];
                    }
                }
                if (f < start[o] || f > end[o] || rnd.nextDouble() < missRate) {
                    continue;
                }
                double score = rnd.nextDouble() < lowScoreRate ? 0.12 + rnd.nextDouble() * 0.33 : 0.62 + rnd.nextDouble() * 0.37;
                float[] emb = null;
                if (dim > 0) {
                    emb = new float[dim];
                    for (int k = 0; k < dim; k++) {
                        emb[k] = (float) round4(base[o][k] + rnd.nextGaussian() * 0.08);
                    }
                }
                dets.add(new Det(round4(st[0] + rnd.nextGaussian()), round4(st[1] + rnd.nextGaussian()),
                        round4(st[4] * (1 + rnd.nextGaussian() * 0.02)), round4(st[5] * (1 + rnd.nextGaussian() * 0.02)),
                        round4(score), emb, o));
            }
            int fps = poisson(rnd, falsePositives);
            for (int k = 0; k < fps; k++) {
                double h = 50 + rnd.nextDouble() * 150;
                float[] emb = null;
                if (dim > 0) {
                    emb = randomUnit(rnd, dim);
                    for (int j = 0; j < dim; j++) {
                        emb[j] = (float) round4(emb[j]);
                    }
                }
                double score = rnd.nextDouble() < 0.5 ? 0.12 + rnd.nextDouble() * 0.33 : 0.62 + rnd.nextDouble() * 0.2;
                dets.add(new Det(round4(rnd.nextDouble() * (width - h)), round4(rnd.nextDouble() * (height - h)),
                        round4(h * 0.4), round4(h), round4(score), emb, -1));
            }
            java.util.Collections.shuffle(dets, rnd);
            s.frames.add(dets);
        }
        return s;
    }

    private static int poisson(Random rnd, double mean) {
        double l = Math.exp(-mean);
        int k = 0;
        double p = rnd.nextDouble();
        while (p > l) {
            k++;
            p *= rnd.nextDouble();
        }
        return k;
    }

    static float[] randomUnit(Random rnd, int dim) {
        float[] v = new float[dim];
        double sq = 0;
        for (int k = 0; k < dim; k++) {
            v[k] = (float) rnd.nextGaussian();
            sq += v[k] * v[k];
        }
        for (int k = 0; k < dim; k++) {
            v[k] = (float) (v[k] / Math.sqrt(sq));
        }
        return v;
    }

    /** Fills {@code out} with frame {@code f} (1-based). */
    void load(int f, Detections out) {
        out.clear();
        for (Det d : frames.get(f - 1)) {
            out.add(d.x, d.y, d.w, d.h, d.score, d.embedding, 0);
        }
    }

    int frameCount() {
        return frames.size();
    }
}
