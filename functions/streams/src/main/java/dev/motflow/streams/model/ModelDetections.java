package dev.motflow.streams.model;

import dev.motflow.tracking.Detections;

/**
 * One frame's detections as the real-time endpoint returned them, highest score first: boxes as
 * top-left and size in frame pixels, scores, and re-ID embeddings of {@link #dim()} values each
 * ({@code dim == 0}: the model returned none).
 */
public final class ModelDetections {
    private final int count;
    private final int dim;
    private final double[] tlwh;
    private final double[] scores;
    private final float[] embeddings;
    private final int width;
    private final int height;

    ModelDetections(int count, int dim, double[] tlwh, double[] scores, float[] embeddings, int width, int height) {
        this.count = count;
        this.dim = dim;
        this.tlwh = tlwh;
        this.scores = scores;
        this.embeddings = embeddings;
        this.width = width;
        this.height = height;
    }

    public int size() {
        return count;
    }

    public int dim() {
        return dim;
    }

    /** Frame width the model reported (0 when absent). */
    public int width() {
        return width;
    }

    public int height() {
        return height;
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

    public float embedding(int i, int k) {
        return embeddings[i * dim + k];
    }

    /**
     * The tracker's input: at most {@code limit} detections (the first, i.e. highest-scoring, ones),
     * with embeddings when {@code embeddingDim > 0} (which must then equal {@link #dim()}, or the frame
     * must be empty).
     */
    public Detections toDetections(int embeddingDim, int limit) {
        int n = Math.min(count, limit);
        Detections d = new Detections(embeddingDim, Math.max(1, n));
        for (int i = 0; i < n; i++) {
            if (embeddingDim > 0) {
                if (dim != embeddingDim) {
                    throw new IllegalArgumentException("expected " + embeddingDim + "-d embeddings, the model returned " + dim);
                }
                d.add(x(i), y(i), w(i), h(i), scores[i], embeddings, i * dim);
            } else {
                d.add(x(i), y(i), w(i), h(i), scores[i]);
            }
        }
        return d;
    }
}
