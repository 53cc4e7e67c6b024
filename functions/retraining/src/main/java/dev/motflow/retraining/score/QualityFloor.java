package dev.motflow.retraining.score;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.retraining.Json;

/**
 * Absolute minimums every candidate must reach, whether or not a production model exists: the
 * gate never promotes a model below them (the first model included). Scores are 0..1 (MOTA can
 * be negative). A minimum of 0 for HOTA/IDF1, or a very negative MOTA minimum, switches that
 * metric's floor off.
 *
 * <p>Defaults ({@link #DEFAULT}): HOTA 0.30, IDF1 0.30, MOTA 0.0. Far below what a usable
 * pedestrian tracker reaches (FairMOT's published MOT17 test figures: MOTA 0.737, IDF1 0.723), far
 * above a broken or untrained model (the first demo model scored MOTA -0.31); MOTA below 0 means
 * more errors than objects.
 */
public record QualityFloor(double minHota, double minIdf1, double minMota) {
    public static final QualityFloor DEFAULT = new QualityFloor(0.30, 0.30, 0.0);
    /** Environment variables of the Gate Lambda that set the floor (docs/handlers.md). */
    public static final String ENV_MIN_HOTA = "GATE_MIN_HOTA";
    public static final String ENV_MIN_IDF1 = "GATE_MIN_IDF1";
    public static final String ENV_MIN_MOTA = "GATE_MIN_MOTA";

    public QualityFloor {
        check(ENV_MIN_HOTA, minHota, 0, 1);
        check(ENV_MIN_IDF1, minIdf1, 0, 1);
        check(ENV_MIN_MOTA, minMota, Double.NEGATIVE_INFINITY, 1);
    }

    private static void check(String name, double v, double lo, double hi) {
        if (Double.isNaN(v) || v < lo || v > hi) {
            throw new IllegalArgumentException(name + " must be a number in " + (lo == Double.NEGATIVE_INFINITY ? "(-inf" : "[" + lo)
                    + ", " + hi + "] (scores are fractions: 0.3, not 30), got " + v);
        }
    }

    /**
     * The floors {@code scores} misses, e.g. {@code "HOTA 0.2100 < 0.3000 (GATE_MIN_HOTA)"}; empty
     * when it passes. Scores must be defined (the caller rejects undefined scores first).
     */
    public List<String> failures(JsonNode scores) {
        List<String> out = new ArrayList<>();
        below(out, "HOTA", scores.path("hota").asDouble(Double.NaN), minHota, ENV_MIN_HOTA);
        below(out, "IDF1", scores.path("idf1").asDouble(Double.NaN), minIdf1, ENV_MIN_IDF1);
        below(out, "MOTA", scores.path("mota").asDouble(Double.NaN), minMota, ENV_MIN_MOTA);
        return out;
    }

    private static void below(List<String> out, String metric, double value, double min, String setting) {
        if (!(value >= min)) {
            out.add(String.format(Locale.ROOT, "%s %.4f < %.4f (%s)", metric, value, min, setting));
        }
    }

    public ObjectNode toJson() {
        return Json.object().put("hota", minHota).put("idf1", minIdf1).put("mota", minMota);
    }
}
