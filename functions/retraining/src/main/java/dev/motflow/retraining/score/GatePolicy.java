package dev.motflow.retraining.score;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.retraining.Json;

/**
 * Promote a candidate only if it reaches the absolute {@link QualityFloor} (always, also with no
 * production model yet) and, when production exists, IDF1 or HOTA improves by at least
 * {@code minImprovement} (absolute, scores are 0..1) and MOTA does not fall by more than
 * {@code maxMotaDrop}.
 */
public record GatePolicy(double minImprovement, double maxMotaDrop, QualityFloor floor) {
    public GatePolicy {
        if (minImprovement < 0 || maxMotaDrop < 0) {
            throw new IllegalArgumentException("margins must be >= 0");
        }
        if (floor == null) {
            throw new IllegalArgumentException("floor is required (QualityFloor.DEFAULT for the defaults)");
        }
    }

    /** The margins with the default floor. */
    public GatePolicy(double minImprovement, double maxMotaDrop) {
        this(minImprovement, maxMotaDrop, QualityFloor.DEFAULT);
    }

    public record Decision(boolean promote, String reason, ObjectNode deltas) {
    }

    public Decision decide(JsonNode candidate, JsonNode production) {
        double cMota = value(candidate, "mota");
        double cIdf1 = value(candidate, "idf1");
        double cHota = value(candidate, "hota");
        ObjectNode deltas = Json.object();
        if (Double.isNaN(cMota) || Double.isNaN(cIdf1) || Double.isNaN(cHota)) {
            return new Decision(false, "candidate scores are undefined (no ground truth on the validation set?)", deltas);
        }
        List<String> missed = floor.failures(candidate);
        String candidateNumbers = String.format(Locale.ROOT, "HOTA %.4f, IDF1 %.4f, MOTA %.4f", cHota, cIdf1, cMota);
        if (!missed.isEmpty()) {
            return new Decision(false, "below the quality floor: " + String.join(", ", missed), deltas);
        }
        if (production == null || production.isNull() || production.isMissingNode()) {
            return new Decision(true, "no production model yet; the candidate reaches the quality floor ("
                    + candidateNumbers + ")", deltas);
        }
        double dMota = cMota - value(production, "mota");
        double dIdf1 = cIdf1 - value(production, "idf1");
        double dHota = cHota - value(production, "hota");
        deltas.put("mota", dMota);
        deltas.put("idf1", dIdf1);
        deltas.put("hota", dHota);
        String numbers = String.format(Locale.ROOT, "IDF1 %+.4f, HOTA %+.4f, MOTA %+.4f (margin %.4f, MOTA tolerance %.4f)",
                dIdf1, dHota, dMota, minImprovement, maxMotaDrop);
        boolean improved = dIdf1 >= minImprovement || dHota >= minImprovement;
        boolean motaKept = dMota >= -maxMotaDrop;
        if (improved && motaKept) {
            return new Decision(true, "candidate is better: " + numbers, deltas);
        }
        if (!improved) {
            return new Decision(false, "neither IDF1 nor HOTA improved by the margin: " + numbers, deltas);
        }
        return new Decision(false, "MOTA fell by more than the tolerance: " + numbers, deltas);
    }

    private static double value(JsonNode scores, String key) {
        JsonNode v = scores == null ? null : scores.get(key);
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }
}
