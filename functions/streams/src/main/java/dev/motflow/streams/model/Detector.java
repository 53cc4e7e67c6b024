package dev.motflow.streams.model;

/** Finds the objects (boxes, scores, re-ID embeddings) in one image. */
@FunctionalInterface
public interface Detector {
    /**
     * @param image the encoded frame
     * @param contentType {@code image/jpeg} or {@code image/png}
     * @throws dev.motflow.streams.service.StreamException 502/503 when the model cannot answer
     */
    ModelDetections detect(byte[] image, String contentType);
}
