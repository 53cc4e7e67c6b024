package dev.motflow.streams.model;

import java.io.IOException;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reads the serving container's answer to an image (containers/README.md, "POST /invocations"):
 * <pre>{"width": W, "height": H, "detections": [{"box": [x, y, w, h], "tlbr": [...], "score": s,
 *   "embedding": [d floats]}, ...]}</pre>
 * Streaming, since a frame can carry hundreds of 128-float embeddings. Unknown fields are skipped;
 * boxes without a positive finite size are dropped (the tracker cannot use them); detections are
 * put in descending score order (the container already sends them so).
 */
public final class DetectionsParser {
    private static final JsonFactory FACTORY = dev.motflow.streams.StreamsJson.FACTORY;

    private DetectionsParser() {
    }

    /** @throws IllegalArgumentException when the body is not that shape (the message says where) */
    public static ModelDetections parse(byte[] json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            return read(p);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the model answer is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("the model answer cannot be read: " + e.getMessage(), e);
        }
    }

    private static ModelDetections read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("the model answer is not a JSON object");
        }
        int width = 0;
        int height = 0;
        Acc acc = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "width" -> width = t.isNumeric() ? p.getIntValue() : 0;
                case "height" -> height = t.isNumeric() ? p.getIntValue() : 0;
                case "detections" -> {
                    if (t != JsonToken.START_ARRAY) {
                        throw new IllegalArgumentException("'detections' is not an array");
                    }
                    acc = readDetections(p);
                }
                default -> p.skipChildren();
            }
        }
        if (acc == null) {
            throw new IllegalArgumentException("the model answer has no 'detections'");
        }
        return acc.build(width, height);
    }

    private static Acc readDetections(JsonParser p) throws IOException {
        Acc acc = new Acc();
        int index = 0;
        double[] box = new double[4];
        float[] emb = new float[256];
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("detection " + index + " is not an object");
            }
            boolean hasBox = false;
            double score = Double.NaN;
            int dim = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "box" -> {
                        readNumbers(p, t, box, 4, index, "box");
                        hasBox = true;
                    }
                    case "score" -> {
                        if (!t.isNumeric()) {
                            throw new IllegalArgumentException("detection " + index + " has a non-numeric score");
                        }
                        score = p.getDoubleValue();
                    }
                    case "embedding" -> {
                        if (t == JsonToken.VALUE_NULL) {
                            break;
                        }
                        if (t != JsonToken.START_ARRAY) {
                            throw new IllegalArgumentException("detection " + index + ": 'embedding' is not an array");
                        }
                        dim = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            if (!p.currentToken().isNumeric()) {
                                throw new IllegalArgumentException("detection " + index + ": 'embedding' has a non-number");
                            }
                            if (dim == emb.length) {
                                emb = Arrays.copyOf(emb, dim * 2);
                            }
                            emb[dim++] = p.getFloatValue();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (!hasBox) {
                throw new IllegalArgumentException("detection " + index + " has no 'box'");
            }
            if (Double.isNaN(score)) {
                throw new IllegalArgumentException("detection " + index + " has no 'score'");
            }
            acc.add(box, score, emb, dim, index);
            index++;
        }
        return acc;
    }

    private static void readNumbers(JsonParser p, JsonToken t, double[] out, int n, int index, String field)
            throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("detection " + index + ": '" + field + "' is not an array");
        }
        int k = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (!p.currentToken().isNumeric() || k >= n) {
                throw new IllegalArgumentException("detection " + index + ": '" + field + "' must be " + n + " numbers");
            }
            out[k++] = p.getDoubleValue();
        }
        if (k != n) {
            throw new IllegalArgumentException("detection " + index + ": '" + field + "' must be " + n + " numbers");
        }
    }

    /** Growing columns; also checks that every detection has the same embedding size. */
    private static final class Acc {
        int count;
        int dim = -1;
        double[] tlwh = new double[64];
        double[] scores = new double[16];
        float[] embeddings = new float[0];

        void add(double[] box, double score, float[] emb, int embDim, int index) {
            int d = Math.max(embDim, 0);
            if (dim < 0) {
                dim = d;
            } else if (dim != d) {
                throw new IllegalArgumentException("detection " + index + " has a " + d + "-d embedding, earlier ones "
                        + dim + "-d");
            }
            boolean finite = Double.isFinite(box[0]) && Double.isFinite(box[1]) && Double.isFinite(score);
            if (!finite || !(box[2] > 0) || !(box[3] > 0) || Double.isInfinite(box[2]) || Double.isInfinite(box[3])) {
                return;
            }
            if (count == scores.length) {
                scores = Arrays.copyOf(scores, count * 2);
                tlwh = Arrays.copyOf(tlwh, count * 8);
            }
            if (embeddings.length < (count + 1) * d) {
                embeddings = Arrays.copyOf(embeddings, Math.max((count + 1) * d, embeddings.length * 2));
            }
            System.arraycopy(box, 0, tlwh, count * 4, 4);
            scores[count] = score;
            System.arraycopy(emb, 0, embeddings, count * d, d);
            count++;
        }

        ModelDetections build(int width, int height) {
            int d = Math.max(dim, 0);
            Integer[] order = new Integer[count];
            boolean sorted = true;
            for (int i = 0; i < count; i++) {
                order[i] = i;
                if (i > 0 && scores[i] > scores[i - 1]) {
                    sorted = false;
                }
            }
            if (sorted) {
                return new ModelDetections(count, d, tlwh, scores, embeddings, width, height);
            }
            // Stable: equal scores keep the model's order.
            Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
            double[] t2 = new double[count * 4];
            double[] s2 = new double[count];
            float[] e2 = new float[count * d];
            for (int k = 0; k < count; k++) {
                int i = order[k];
                System.arraycopy(tlwh, i * 4, t2, k * 4, 4);
                s2[k] = scores[i];
                System.arraycopy(embeddings, i * d, e2, k * d, d);
            }
            return new ModelDetections(count, d, t2, s2, e2, width, height);
        }
    }
}
