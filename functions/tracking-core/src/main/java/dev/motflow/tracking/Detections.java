package dev.motflow.tracking;

import java.util.Arrays;

/**
 * One frame's detections, in a reusable buffer: boxes as top-left and size ({@code tlwh}), scores and
 * optional re-ID embeddings of a fixed dimension. Embeddings are L2-normalised on {@link #add} (a
 * zero vector stays zero). Call {@link #clear} and refill per frame: no allocation once the capacity
 * has grown to the largest frame.
 */
public final class Detections {
    private final int embeddingDim;
    private int size;
    private double[] tlwh;
    private double[] scores;
    private float[] embeddings;

    /** @param embeddingDim length of each embedding, 0 for boxes only */
    public Detections(int embeddingDim) {
        this(embeddingDim, 16);
    }

    public Detections(int embeddingDim, int initialCapacity) {
        if (embeddingDim < 0) {
            throw new IllegalArgumentException("embeddingDim < 0");
        }
        this.embeddingDim = embeddingDim;
        int cap = Math.max(1, initialCapacity);
        tlwh = new double[cap * 4];
        scores = new double[cap];
        embeddings = new float[cap * embeddingDim];
    }

    public int embeddingDim() {
        return embeddingDim;
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    /** Adds a box without an embedding (only when {@link #embeddingDim()} is 0). */
    public int add(double x, double y, double w, double h, double score) {
        if (embeddingDim != 0) {
            throw new IllegalArgumentException("this buffer expects " + embeddingDim + "-d embeddings");
        }
        return add(x, y, w, h, score, null, 0);
    }

    /**
     * Adds a detection; {@code embedding[offset .. offset + embeddingDim)} is copied and normalised.
     *
     * @return its index in this frame
     */
    public int add(double x, double y, double w, double h, double score, float[] embedding, int offset) {
        if (!(w > 0) || !(h > 0)) {
            throw new IllegalArgumentException("box width and height must be > 0, got " + w + "x" + h);
        }
        if (embeddingDim > 0 && (embedding == null || offset < 0 || embedding.length - offset < embeddingDim)) {
            throw new IllegalArgumentException("expected a " + embeddingDim + "-d embedding");
        }
        if (size * 4 == tlwh.length) {
            int cap = size * 2;
            tlwh = Arrays.copyOf(tlwh, cap * 4);
            scores = Arrays.copyOf(scores, cap);
            embeddings = Arrays.copyOf(embeddings, cap * embeddingDim);
        }
        int i = size++;
        tlwh[i * 4] = x;
        tlwh[i * 4 + 1] = y;
        tlwh[i * 4 + 2] = w;
        tlwh[i * 4 + 3] = h;
        scores[i] = score;
        if (embeddingDim > 0) {
            double sq = 0;
            for (int k = 0; k < embeddingDim; k++) {
                double e = embedding[offset + k];
                sq += e * e;
            }
            double inv = sq > 0 ? 1.0 / Math.sqrt(sq) : 0.0;
            int base = i * embeddingDim;
            for (int k = 0; k < embeddingDim; k++) {
                embeddings[base + k] = (float) (embedding[offset + k] * inv);
            }
        }
        return i;
    }

    public double x(int i) {
        return tlwh[i * 4];
    }

    public double y(int i) {
        return tlwh[i * 4 + 1];
    }

    public double w(int i) {
        return tlwh[i * 4 + 2];
    }

    public double h(int i) {
        return tlwh[i * 4 + 3];
    }

    public double score(int i) {
        return scores[i];
    }

    /** The backing array of normalised embeddings: detection i starts at {@code i * embeddingDim()}. */
    float[] embeddingArray() {
        return embeddings;
    }

    /** Component {@code k} of detection {@code i}'s normalised embedding. */
    public float embedding(int i, int k) {
        return embeddings[i * embeddingDim + k];
    }
}
