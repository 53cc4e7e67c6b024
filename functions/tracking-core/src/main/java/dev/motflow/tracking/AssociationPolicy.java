package dev.motflow.tracking;

/**
 * The association rules of one {@link Policy}: in each frame, which track takes which detection and
 * which detections start tracks. A policy only decides; the lifecycle changes (continue, find again,
 * lose, remove, start) are {@link TrackLifecycle}'s. One instance per tracker: it keeps scratch
 * arrays between frames.
 */
interface AssociationPolicy {

    /**
     * Associates this frame's detections with {@code tracks.candidates} and {@code tracks.unconfirmed}
     * (set up by {@link TrackLifecycle#beginFrame}) and reports every outcome to {@code tracks}.
     */
    void associate(Detections dets, TrackLifecycle tracks);

    static AssociationPolicy of(TrackerConfig config) {
        return switch (config.policy()) {
            case JDE -> new JdeAssociation(config);
            case BYTETRACK -> new ByteTrackAssociation(config);
        };
    }
}
