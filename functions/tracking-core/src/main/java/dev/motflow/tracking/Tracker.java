package dev.motflow.tracking;

import java.util.ArrayList;

/**
 * Online multi-object tracker with the JDE/FairMOT or ByteTrack association rules and their track
 * lifecycle, re-implemented from the public reference trackers ({@code FairMOT
 * src/lib/tracker/multitracker.py}, {@code ByteTrack yolox/tracker/byte_tracker.py}). Feed one
 * {@link Detections} per frame, every frame in order (empty frames too: they age lost tracks).
 *
 * <p>Lifecycle: a new track starts unconfirmed (confirmed at once on the tracker's first frame) and
 * is confirmed by a match in the next frame, else removed. A confirmed track that misses a frame is
 * lost; a lost track can be found again by the first stage and is removed when more than
 * {@link TrackerConfig#maxTimeLost()} frames passed since its last match. Like the references, a
 * timed-out track stays on the lost list (and can be matched) for one more frame, and a track that
 * was once put on the removed list is dropped the next time it is lost. After every frame, tracked
 * and lost tracks overlapping with IoU distance below {@link TrackerConfig#duplicateThresh()} are
 * duplicates: the one tracked for fewer frames goes. Track ids come from a per-tracker counter
 * starting at 1. Reported each frame: the confirmed tracks matched in it and, with
 * {@link TrackerConfig#reportMissedFrame()}, the settled ones lost in it (at their predicted boxes).
 *
 * <p>Deterministic: the same detections give the same ids and boxes, and an encoded state
 * ({@link TrackerStateCodec}) continues exactly as if it had never been encoded: all state is held
 * at its encoded precision (float32 Kalman state and scores, float16 embeddings). Lists, cost
 * matrices and scratch arrays are reused: steady-state updates allocate nothing. Not thread-safe.
 *
 * <p>Inside (package-private), {@code TrackLifecycle} holds the tracks and applies the lifecycle
 * above, and one {@code AssociationPolicy} per {@link Policy} ({@code JdeAssociation},
 * {@code ByteTrackAssociation}) decides each frame which track takes which detection.
 */
public final class Tracker {
    private final TrackerConfig config;
    private final AssociationPolicy association;
    private final TrackerOutput output = new TrackerOutput();
    /** The tracks and counters; package-private for {@link TrackerStateCodec}. */
    final TrackLifecycle lifecycle;

    public Tracker(TrackerConfig config) {
        this.config = config;
        this.association = AssociationPolicy.of(config);
        this.lifecycle = new TrackLifecycle(config);
    }

    public TrackerConfig config() {
        return config;
    }

    /** Frames processed so far (the id of the last frame; 0 before the first update). */
    public int frameId() {
        return lifecycle.frameId;
    }

    /** The last track id handed out (0 before any). */
    public int lastTrackId() {
        return lifecycle.lastId;
    }

    /** Tracks on the tracked list (confirmed and unconfirmed). */
    public int trackedCount() {
        return lifecycle.tracked.size();
    }

    /** Tracks on the lost list. */
    public int lostCount() {
        return lifecycle.lost.size();
    }

    /**
     * Processes the next frame. JDE needs {@code dets.embeddingDim() == config.embeddingDim()}.
     *
     * @return the confirmed tracks of this frame (and with {@link TrackerConfig#reportMissedFrame()} the settled
     *     ones that missed it); valid until the next call
     */
    public TrackerOutput update(Detections dets) {
        if (config.policy() == Policy.JDE && dets.embeddingDim() != config.embeddingDim()) {
            throw new IllegalArgumentException("the jde policy needs " + config.embeddingDim()
                    + "-d embeddings, the detections have " + dets.embeddingDim());
        }
        lifecycle.beginFrame(dets);
        association.associate(dets, lifecycle);
        lifecycle.endFrame();
        output.reset(lifecycle.frameId, dets.size());
        for (int k = 0; k < lifecycle.tracked.size(); k++) {
            Track t = lifecycle.tracked.get(k);
            if (t.activated) {
                output.add(t);
            }
        }
        if (config.reportMissedFrame()) {
            // A settled track lost in this frame, at the box predicted for it (after the list of tracked ones).
            for (int k = 0; k < lifecycle.lost.size(); k++) {
                Track t = lifecycle.lost.get(k);
                if (t.state == Track.LOST && t.frameId == lifecycle.frameId - 1
                        && t.trackletLen >= TrackerConfig.SETTLED_RUN) {
                    output.add(t);
                }
            }
        }
        return output;
    }

    /** Restores a tracker from decoded parts (see {@link TrackerStateCodec}). */
    static Tracker restore(TrackerConfig config, int frameId, int lastId, ArrayList<Track> tracked, ArrayList<Track> lost) {
        Tracker t = new Tracker(config);
        t.lifecycle.frameId = frameId;
        t.lifecycle.lastId = lastId;
        t.lifecycle.tracked = tracked;
        t.lifecycle.lost = lost;
        return t;
    }
}
