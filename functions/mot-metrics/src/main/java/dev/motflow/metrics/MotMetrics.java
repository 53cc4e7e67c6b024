package dev.motflow.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The standard MOT scores of one sequence or of several combined: py-motmetrics' MOTChallenge set
 * (its names; values by TrackEval's or py-motmetrics' definitions, see {@link MetricMode};
 * {@code motp} is the mean distance 1 - IoU in both) plus TrackEval's HOTA, DetA, AssA and LocA
 * (means over alpha). Undefined ratios (py-motmetrics' definitions, e.g. no ground truth) are NaN.
 */
public record MotMetrics(double idf1, double idp, double idr, double recall, double precision,
                         long numUniqueObjects, long mostlyTracked, long partiallyTracked, long mostlyLost,
                         long numFalsePositives, long numMisses, long numSwitches, long numFragmentations,
                         double mota, double motp, double hota, double deta, double assa, double loca) {

    /** The keys of {@link #toMap()}, in order: py-motmetrics' names, then the HOTA family. */
    public static final String[] KEYS = {"idf1", "idp", "idr", "recall", "precision", "num_unique_objects",
        "mostly_tracked", "partially_tracked", "mostly_lost", "num_false_positives", "num_misses",
        "num_switches", "num_fragmentations", "mota", "motp", "hota", "deta", "assa", "loca"};

    public static MotMetrics of(ClearCounts c, HotaCounts h) {
        return new MotMetrics(c.idf1(), c.idp(), c.idr(), c.recall(), c.precision(), c.numUniqueObjects(),
                c.mostlyTracked(), c.partiallyTracked(), c.mostlyLost(), c.numFalsePositives(), c.numMisses(),
                c.numSwitches(), c.numFragmentations(), c.mota(), c.motp(), h.hota(), h.detA(), h.assA(), h.locA());
    }

    /** Name to value ({@link Long} for counts, {@link Double} otherwise), in {@link #KEYS} order. */
    public Map<String, Number> toMap() {
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("idf1", idf1);
        m.put("idp", idp);
        m.put("idr", idr);
        m.put("recall", recall);
        m.put("precision", precision);
        m.put("num_unique_objects", numUniqueObjects);
        m.put("mostly_tracked", mostlyTracked);
        m.put("partially_tracked", partiallyTracked);
        m.put("mostly_lost", mostlyLost);
        m.put("num_false_positives", numFalsePositives);
        m.put("num_misses", numMisses);
        m.put("num_switches", numSwitches);
        m.put("num_fragmentations", numFragmentations);
        m.put("mota", mota);
        m.put("motp", motp);
        m.put("hota", hota);
        m.put("deta", deta);
        m.put("assa", assa);
        m.put("loca", loca);
        return m;
    }
}
