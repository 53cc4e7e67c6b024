package dev.motflow.metrics;

import java.util.Locale;

/**
 * Which tool's definitions of CLEAR MOT and Identity are used (HOTA is TrackEval's in both).
 *
 * <ul>
 *   <li>{@link #TRACKEVAL} (the default): the MOTChallenge benchmark's official numbers, as TrackEval
 *     computes them. Per frame, boxes are matched by a minimum-cost assignment on a score that adds a
 *     large bonus to the pairs matched in the previous scored frame, among pairs with IoU &gt;= 0.5;
 *     an ID switch is a match to another hypothesis than the object's last one, however long ago;
 *     MT/PT/ML split objects at a tracked ratio &gt; 0.8 / &lt; 0.2; a fragmentation is each resumption
 *     of an object's tracking after an interruption; IDF1 from the best global id mapping. Ratios
 *     divide by {@code max(1, denominator)}, so no ground truth gives 0, not NaN.</li>
 *   <li>{@link #PY_MOTMETRICS} ({@code --compat py-motmetrics}): py-motmetrics 1.4.0's accumulator,
 *     which keeps an object's earlier pairing (from any earlier frame) before assigning the rest,
 *     splits MT/PT/ML at &gt;= 0.8 / &lt; 0.2 and leaves undefined ratios NaN.</li>
 * </ul>
 */
public enum MetricMode {
    TRACKEVAL("trackeval"),
    PY_MOTMETRICS("py-motmetrics");

    private final String label;

    MetricMode(String label) {
        this.label = label;
    }

    /** The name used on the command line and in configuration ({@code trackeval}, {@code py-motmetrics}). */
    public String label() {
        return label;
    }

    /** Parses {@code trackeval} or {@code py-motmetrics}, case-insensitive. */
    public static MetricMode parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (MetricMode m : values()) {
            if (m.label.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric definitions '" + name + "' (trackeval or py-motmetrics)");
    }

    @Override
    public String toString() {
        return label;
    }
}
