package dev.motflow.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The tallies of one evaluated sequence, kept so that several sequences can be combined the way the
 * reference tools combine them ({@link #combine}).
 *
 * @param name  label of the sequence (e.g. the result file's name)
 * @param clear CLEAR MOT and Identity tallies (TrackEval's or py-motmetrics' definitions, see its mode)
 * @param hota  HOTA tallies per alpha (TrackEval)
 */
public record SequenceEvaluation(String name, ClearCounts clear, HotaCounts hota) {

    public MotMetrics metrics() {
        return MotMetrics.of(clear, hota);
    }

    /**
     * TrackEval's combined sequences (or, for py-motmetrics' definitions, its OVERALL for CLEAR /
     * Identity); all parts must use the same definitions.
     */
    public static SequenceEvaluation combine(String name, List<SequenceEvaluation> parts) {
        List<ClearCounts> c = new ArrayList<>(parts.size());
        List<HotaCounts> h = new ArrayList<>(parts.size());
        for (SequenceEvaluation p : parts) {
            c.add(p.clear);
            h.add(p.hota);
        }
        return new SequenceEvaluation(name, ClearCounts.combine(c), HotaCounts.combine(h));
    }
}
