package dev.motflow.metrics;

import java.util.List;

/**
 * CLEAR MOT and Identity tallies of one sequence (or of several, combined), with the derived
 * scores defined by the tool that {@code mode} names. {@link MetricMode#PY_MOTMETRICS}: divisions by
 * zero follow IEEE rules like numpy's {@code quiet_divide} (0/0 is NaN, x/0 is infinite).
 * {@link MetricMode#TRACKEVAL}: TrackEval's formulas, which divide by {@code max(1, denominator)}.
 *
 * @param numObjects         ground-truth boxes (py-motmetrics' num_objects)
 * @param numPredictions     result boxes
 * @param numMatches         matches that kept the previous pairing (MATCH events)
 * @param numSwitches        matches that changed an object's hypothesis (SWITCH events)
 * @param numFalsePositives  unmatched result boxes
 * @param numMisses          unmatched ground-truth boxes
 * @param numFragmentations  py-motmetrics: tracked-to-missed transitions between an object's first and
 *                           last match; TrackEval: resumptions of an object's tracking after an interruption
 * @param numUniqueObjects   distinct ground-truth ids
 * @param mostlyTracked      objects matched in &gt;= 80% (TrackEval: &gt; 80%) of their frames
 * @param partiallyTracked   objects matched in [20%, 80%) (TrackEval: [20%, 80%]) of their frames
 * @param mostlyLost         objects matched in &lt; 20% of their frames
 * @param motp               mean 1 - IoU over matches (py-motmetrics: NaN without matches; TrackEval:
 *                           1 - its MOTP, so 1 without matches)
 * @param idtp               identity true positives of the best global id mapping
 * @param idfp               identity false positives
 * @param idfn               identity false negatives
 * @param matchedIouSum      sum of the IoU of the matches (TrackEval's MOTP_sum; combining sums it)
 * @param mode               whose definitions these tallies follow
 */
public record ClearCounts(long numObjects, long numPredictions, long numMatches, long numSwitches,
                          long numFalsePositives, long numMisses, long numFragmentations, long numUniqueObjects,
                          long mostlyTracked, long partiallyTracked, long mostlyLost, double motp,
                          long idtp, long idfp, long idfn, double matchedIouSum, MetricMode mode) {

    public ClearCounts {
        java.util.Objects.requireNonNull(mode, "mode");
    }

    /** Matched ground-truth boxes: matches plus switches. */
    public long numDetections() {
        return numMatches + numSwitches;
    }

    private boolean trackEval() {
        return mode == MetricMode.TRACKEVAL;
    }

    /** TrackEval's guarded denominator. */
    private static double atLeastOne(double v) {
        return Math.max(1.0, v);
    }

    public double mota() {
        if (trackEval()) {
            return (double) (numDetections() - numFalsePositives - numSwitches) / atLeastOne(numObjects);
        }
        return 1.0 - (double) (numMisses + numSwitches + numFalsePositives) / (double) numObjects;
    }

    public double recall() {
        if (trackEval()) {
            return (double) numDetections() / atLeastOne(numDetections() + numMisses);
        }
        return (double) numDetections() / (double) numObjects;
    }

    public double precision() {
        if (trackEval()) {
            return (double) numDetections() / atLeastOne(numDetections() + numFalsePositives);
        }
        return (double) numDetections() / (double) (numFalsePositives + numDetections());
    }

    public double idf1() {
        if (trackEval()) {
            return (double) idtp / atLeastOne(idtp + 0.5 * idfp + 0.5 * idfn);
        }
        return 2.0 * idtp / (double) (numObjects + numPredictions);
    }

    public double idp() {
        if (trackEval()) {
            return (double) idtp / atLeastOne(idtp + idfp);
        }
        return (double) idtp / (double) (idtp + idfp);
    }

    public double idr() {
        if (trackEval()) {
            return (double) idtp / atLeastOne(idtp + idfn);
        }
        return (double) idtp / (double) (idtp + idfn);
    }

    /**
     * Several sequences as one. py-motmetrics' OVERALL row: every count summed, MOTP weighted by
     * matches (a part without matches has MOTP NaN and makes the combined MOTP NaN, as in
     * py-motmetrics). TrackEval's {@code combine_sequences}: counts and the IoU sum summed, scores
     * recomputed. All parts must follow the same definitions.
     */
    public static ClearCounts combine(List<ClearCounts> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to combine");
        }
        MetricMode mode = parts.get(0).mode;
        double iouSum = 0;
        long objects = 0, predictions = 0, matches = 0, switches = 0, fp = 0, misses = 0, frag = 0;
        long unique = 0, mt = 0, pt = 0, ml = 0, idtp = 0, idfp = 0, idfn = 0;
        double motpWeighted = 0;
        for (ClearCounts c : parts) {
            if (c.mode != mode) {
                throw new IllegalArgumentException("cannot combine " + mode + " and " + c.mode + " tallies");
            }
            iouSum += c.matchedIouSum;
            objects += c.numObjects;
            predictions += c.numPredictions;
            matches += c.numMatches;
            switches += c.numSwitches;
            fp += c.numFalsePositives;
            misses += c.numMisses;
            frag += c.numFragmentations;
            unique += c.numUniqueObjects;
            mt += c.mostlyTracked;
            pt += c.partiallyTracked;
            ml += c.mostlyLost;
            idtp += c.idtp;
            idfp += c.idfp;
            idfn += c.idfn;
            motpWeighted += c.motp * c.numDetections();
        }
        double motp = mode == MetricMode.TRACKEVAL
                ? 1.0 - iouSum / Math.max(1.0, matches + switches)
                : motpWeighted / (double) (matches + switches);
        return new ClearCounts(objects, predictions, matches, switches, fp, misses, frag, unique, mt, pt, ml,
                motp, idtp, idfp, idfn, iouSum, mode);
    }
}
