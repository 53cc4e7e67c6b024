package dev.motflow.metrics;

import java.util.List;

/**
 * CLEAR MOT and Identity tallies of one sequence (or of several, combined), with the derived
 * scores defined as py-motmetrics defines them. Divisions by zero follow IEEE rules like numpy's
 * {@code quiet_divide}: 0/0 is NaN, x/0 is infinite.
 *
 * @param numObjects         ground-truth boxes (py-motmetrics' num_objects)
 * @param numPredictions     result boxes
 * @param numMatches         matches that kept the previous pairing (MATCH events)
 * @param numSwitches        matches that changed an object's hypothesis (SWITCH events)
 * @param numFalsePositives  unmatched result boxes
 * @param numMisses          unmatched ground-truth boxes
 * @param numFragmentations  tracked-to-missed transitions between an object's first and last match
 * @param numUniqueObjects   distinct ground-truth ids
 * @param mostlyTracked      objects matched in &gt;= 80% of their frames
 * @param partiallyTracked   objects matched in [20%, 80%) of their frames
 * @param mostlyLost         objects matched in &lt; 20% of their frames
 * @param motp               mean 1 - IoU over matches (NaN without matches)
 * @param idtp               identity true positives of the best global id mapping
 * @param idfp               identity false positives
 * @param idfn               identity false negatives
 */
public record ClearCounts(long numObjects, long numPredictions, long numMatches, long numSwitches,
                          long numFalsePositives, long numMisses, long numFragmentations, long numUniqueObjects,
                          long mostlyTracked, long partiallyTracked, long mostlyLost, double motp,
                          long idtp, long idfp, long idfn) {

    /** Matched ground-truth boxes: matches plus switches. */
    public long numDetections() {
        return numMatches + numSwitches;
    }

    public double mota() {
        return 1.0 - (double) (numMisses + numSwitches + numFalsePositives) / (double) numObjects;
    }

    public double recall() {
        return (double) numDetections() / (double) numObjects;
    }

    public double precision() {
        return (double) numDetections() / (double) (numFalsePositives + numDetections());
    }

    public double idf1() {
        return 2.0 * idtp / (double) (numObjects + numPredictions);
    }

    public double idp() {
        return (double) idtp / (double) (idtp + idfp);
    }

    public double idr() {
        return (double) idtp / (double) (idtp + idfn);
    }

    /**
     * py-motmetrics' OVERALL row: every count summed, MOTP weighted by matches (a part without
     * matches has MOTP NaN and makes the combined MOTP NaN, as in py-motmetrics).
     */
    public static ClearCounts combine(List<ClearCounts> parts) {
        long objects = 0, predictions = 0, matches = 0, switches = 0, fp = 0, misses = 0, frag = 0;
        long unique = 0, mt = 0, pt = 0, ml = 0, idtp = 0, idfp = 0, idfn = 0;
        double motpWeighted = 0;
        for (ClearCounts c : parts) {
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
        double motp = motpWeighted / (double) (matches + switches);
        return new ClearCounts(objects, predictions, matches, switches, fp, misses, frag, unique, mt, pt, ml,
                motp, idtp, idfp, idfn);
    }
}
