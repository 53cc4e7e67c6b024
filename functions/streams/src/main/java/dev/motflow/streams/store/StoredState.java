package dev.motflow.streams.store;

import java.time.Instant;

import dev.motflow.tracking.Policy;

/**
 * The stream tracker-state item ({@code pk=STREAM#<streamId>, sk=STATE}, docs/data-model.md).
 *
 * @param version +1 on every write; the conditional write expects the version it read
 * @param incarnation random id of this item's life: a reset (DELETE) and re-creation give a new one,
 *     so a writer that read the old item can never overwrite the new one even at an equal version
 * @param lastFrame the client's index of the last frame processed
 * @param policy association rules, fixed when the stream starts
 * @param state the tracker (tracking-core codec), null while no frame had a detection
 * @param steps frames the tracker has processed (its frame counter; 0 without a tracker)
 * @param expiresAt TTL, epoch seconds
 * @param owner the caller who started the stream ({@code iam:<arn>}, {@code cognito:<sub>}); null on
 *     items written before streams had owners (only admins see those)
 * @param listedUntil when the stream's list entries ({@link StreamRegistry}) expire, epoch seconds;
 *     0 when it has none (a stream from before the lists); refreshed before the state could outlive them
 */
public record StoredState(String streamId, long version, String incarnation, long lastFrame, Policy policy,
                          byte[] state, int steps, Instant createdAt, Instant updatedAt, long expiresAt, String owner,
                          long listedUntil) {

    public boolean hasTracker() {
        return state != null;
    }

    /** Expired items may linger until DynamoDB's TTL sweep deletes them: they count as absent. */
    public boolean expired(Instant now) {
        return expiresAt <= now.getEpochSecond();
    }
}
