package dev.motflow.streams.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A deterministic scene any frame of which can be computed on its own: objects moving at constant
 * velocity and bouncing off the borders of a 1280x720 frame, each with a fixed unit embedding;
 * every frame's detections get box jitter, score variation and embedding noise seeded by
 * (scene seed, frame, object). Frames are fake images: JPEG (or PNG) magic bytes followed by the
 * scene seed and the frame index, which is all the stub model needs to answer.
 */
public final class SyntheticScene {
    public static final double WIDTH = 1280;
    public static final double HEIGHT = 720;

    /** A ground-truth object's detection in one frame. */
    public record Det(int object, double x, double y, double w, double h, double score, float[] embedding) {
    }

    private final long seed;
    private final int objects;
    private final int dim;
    private final double[][] motion; // x0, y0, vx, vy, w, h
    private final float[][] base;
    private final double noise;

    public SyntheticScene(long seed, int objects, int dim, double embeddingNoise) {
        this(seed, objects, dim, embeddingNoise, 1.0);
    }

    /** @param speed scales the objects' velocities (up to 3 px/frame across, 1 px/frame down at 1.0) */
    public SyntheticScene(long seed, int objects, int dim, double embeddingNoise, double speed) {
        this.seed = seed;
        this.objects = objects;
        this.dim = dim;
        this.noise = embeddingNoise;
        Random rnd = new Random(seed);
        motion = new double[objects][];
        base = new float[objects][];
        for (int o = 0; o < objects; o++) {
            double h = 80 + rnd.nextDouble() * 120;
            double w = h * (0.35 + rnd.nextDouble() * 0.2);
            motion[o] = new double[] {rnd.nextDouble() * (WIDTH - w), rnd.nextDouble() * (HEIGHT - h),
                (rnd.nextDouble() - 0.5) * 6 * speed, (rnd.nextDouble() - 0.5) * 2 * speed, w, h};
            base[o] = unit(rnd, dim);
        }
    }

    public long seed() {
        return seed;
    }

    public int objects() {
        return objects;
    }

    /** The true box (x, y, w, h) of {@code object} in {@code frame} (no jitter). */
    public double[] truth(int object, long frame) {
        double[] m = motion[object];
        return new double[] {bounce(m[0] + m[2] * frame, WIDTH - m[4]), bounce(m[1] + m[3] * frame, HEIGHT - m[5]),
            m[4], m[5]};
    }

    /** The detections of {@code frame}: every object, sorted by score as the container sends them. */
    public List<Det> detections(long frame) {
        List<Det> out = new ArrayList<>(objects);
        for (int o = 0; o < objects; o++) {
            SplittableRandom r = new SplittableRandom(seed * 1_000_003L + frame * 7919L + o);
            double[] t = truth(o, frame);
            float[] e = new float[dim];
            double sq = 0;
            for (int k = 0; k < dim; k++) {
                e[k] = (float) (base[o][k] + noise * gaussian(r));
                sq += (double) e[k] * e[k];
            }
            float inv = (float) (1 / Math.sqrt(sq));
            for (int k = 0; k < dim; k++) {
                e[k] *= inv;
            }
            out.add(new Det(o, t[0] + r.nextDouble(-1, 1), t[1] + r.nextDouble(-1, 1), t[2] + r.nextDouble(-1, 1),
                    t[3] + r.nextDouble(-1, 1), 0.6 + 0.35 * r.nextDouble(), e));
        }
        out.sort((a, b) -> Double.compare(b.score(), a.score()));
        return out;
    }

    /** The serving container's JSON for these detections (containers/README.md), rounded as it rounds. */
    public static String answerJson(List<Det> dets, boolean withEmbeddings) {
        StringBuilder b = new StringBuilder(64 + dets.size() * 1200);
        b.append("{\"width\":1280,\"height\":720,\"detections\":[");
        for (int i = 0; i < dets.size(); i++) {
            Det d = dets.get(i);
            double x1 = r2(d.x());
            double y1 = r2(d.y());
            double x2 = r2(d.x() + d.w());
            double y2 = r2(d.y() + d.h());
            b.append(i == 0 ? "" : ",").append("{\"box\":[").append(x1).append(',').append(y1).append(',')
                    .append(r2(x2 - x1)).append(',').append(r2(y2 - y1)).append("],\"tlbr\":[").append(x1).append(',')
                    .append(y1).append(',').append(x2).append(',').append(y2).append("],\"score\":")
                    .append(Math.round(d.score() * 1e4) / 1e4);
            if (withEmbeddings) {
                b.append(",\"embedding\":[");
                for (int k = 0; k < d.embedding().length; k++) {
                    b.append(k == 0 ? "" : ",").append(Math.round(d.embedding()[k] * 1e5) / 1e5);
                }
                b.append(']');
            }
            b.append('}');
        }
        return b.append("]}").toString();
    }

    /** A fake JPEG frame of this scene. */
    public byte[] jpeg(long frame) {
        return image(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0}, frame);
    }

    /** A fake PNG frame of this scene. */
    public byte[] png(long frame) {
        return image(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, frame);
    }

    private byte[] image(byte[] magic, long frame) {
        byte[] text = ("scene=" + seed + ";frame=" + frame + ";").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[magic.length + text.length];
        System.arraycopy(magic, 0, out, 0, magic.length);
        System.arraycopy(text, 0, out, magic.length, text.length);
        return out;
    }

    /** Reads (scene seed, frame index) back from a fake frame, or null when it is not one. */
    public static long[] decodeImage(byte[] image) {
        String s = new String(image, StandardCharsets.ISO_8859_1);
        int i = s.indexOf("scene=");
        int j = s.indexOf(";frame=");
        int k = s.indexOf(';', j + 1);
        if (i < 0 || j < 0 || k < 0) {
            return null;
        }
        return new long[] {Long.parseLong(s.substring(i + 6, j)), Long.parseLong(s.substring(j + 7, k))};
    }

    private static double bounce(double p, double max) {
        double period = 2 * max;
        double m = ((p % period) + period) % period;
        return m <= max ? m : period - m;
    }

    private static double r2(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

    private static float[] unit(Random rnd, int dim) {
        float[] v = new float[dim];
        double sq = 0;
        for (int k = 0; k < dim; k++) {
            v[k] = (float) rnd.nextGaussian();
            sq += (double) v[k] * v[k];
        }
        for (int k = 0; k < dim; k++) {
            v[k] = (float) (v[k] / Math.sqrt(sq));
        }
        return v;
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller from two uniforms of this (frame, object) stream.
        double u1 = Math.max(r.nextDouble(), 1e-12);
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
