package dev.motflow.jobs.model;

import java.util.List;

/**
 * What DynamoDB keeps of one track: its extent, size, mean score and a sampled trajectory. The
 * full per-frame boxes stay in the S3 result.
 *
 * @param meanScore mean of the track's non-negative scores, null when it has none
 * @param trajectory at most {@link #MAX_TRAJECTORY} boxes, frames ascending, first and last kept
 */
public record TrackSummary(int trackId, int classId, int firstFrame, int lastFrame, int frameCount,
                           Double meanScore, List<Box> trajectory) {
    public static final int MAX_TRAJECTORY = 32;

    public TrackSummary {
        trajectory = List.copyOf(trajectory);
        if (trajectory.size() > MAX_TRAJECTORY) {
            throw new IllegalArgumentException("trajectory of " + trajectory.size() + " boxes exceeds " + MAX_TRAJECTORY);
        }
    }

    /** One box: top-left corner and size in pixels. */
    public record Box(int frame, double x, double y, double w, double h) {
    }
}
