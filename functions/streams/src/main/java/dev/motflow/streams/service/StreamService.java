package dev.motflow.streams.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.motflow.common.Backoff;
import dev.motflow.common.JsonLog;
import dev.motflow.common.http.Admins;
import dev.motflow.common.http.Caller;
import dev.motflow.streams.model.Detector;
import dev.motflow.streams.model.ModelDetections;
import dev.motflow.streams.store.StateTrimmer;
import dev.motflow.streams.store.StoredState;
import dev.motflow.streams.store.StreamRegistry;
import dev.motflow.streams.store.StreamStateStore;
import dev.motflow.streams.store.VersionConflictException;
import dev.motflow.tracking.Detections;
import dev.motflow.tracking.Policy;
import dev.motflow.tracking.StateFormatException;
import dev.motflow.tracking.Tracker;
import dev.motflow.tracking.TrackerConfig;
import dev.motflow.tracking.TrackerOutput;
import dev.motflow.tracking.TrackerStateCodec;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Real-time tracking of frame streams. One frame: the model is called once (its detections do not
 * depend on the state), then read state, stale check, association, conditional write, and on a
 * version conflict the same again from the fresh state, with bounded jittered backoff. Two requests
 * for one stream therefore never lose an update: each accepted frame is exactly one tracker step,
 * applied in increasing frame order.
 *
 * <p>Frame indices only need to increase: a gap is not filled with empty frames (a client sending
 * every third frame is a 10 fps stream, not a stream that loses its objects every frame); the
 * tracker advances one step per accepted frame. A frame whose index is not above the last
 * processed one is refused (409 {@code StaleFrame}); the first frame after a reset or expiry may
 * have any index. The policy and embedding size are fixed when the stream's tracker starts.
 *
 * <p>A stream belongs to the caller whose frame started it; another caller (not an admin, see
 * {@link Admins}) finds no such stream: its frames, status and reset answer 404 {@code StreamNotFound}
 * as for a stream that does not exist, checked before the model is called. A stream that expired
 * or was reset is free: the next frame starts it for its caller.
 *
 * <p>Thread-safe and stateless between calls (SnapStart: nothing per-request is created at init).
 */
public final class StreamService {
    private static final JsonLog LOG = JsonLog.get(StreamService.class);
    /** Upper bound of one encoded track in bytes besides its embedding (see TrackerStateCodec). */
    private static final int TRACK_BYTES_BESIDES_EMBEDDING = 5 + 1 + 5 + 5 + 5 + 4 + 4 * (8 + 36);

    /** One frame to track. {@code policy} null: the stream's (or, for a new stream, the default). */
    public record FrameRequest(String streamId, long frame, byte[] image, Policy policy) {
    }

    /** A confirmed track in this frame: id, Kalman box (top-left, size), last detection score. */
    public record TrackBox(int id, double x, double y, double w, double h, double score) {
    }

    /**
     * The frame's tracks and how they were made.
     *
     * @param version the state version this frame wrote
     * @param step the tracker's frame counter after this frame (0 while no frame had a detection)
     * @param attempts read-associate-write rounds (1 without a conflict)
     * @param modelNanos time of the model call
     * @param detectionsAtNanos {@link System#nanoTime()} when the detections were in hand
     * @param timing where the successful attempt spent its time
     */
    public record FrameResult(String streamId, long frame, long version, Policy policy, int step, int detections,
                              List<TrackBox> tracks, int attempts, int stateBytes, int droppedLostTracks,
                              long modelNanos, long detectionsAtNanos, AttemptTiming timing) {
    }

    /** Nanoseconds of the last attempt's state read, association (decode, update, encode, trim) and write. */
    public record AttemptTiming(long readNanos, long associateNanos, long writeNanos) {
    }

    /** What GET shows of a stream; {@code owner} null for a stream started before streams had owners. */
    public record StreamStatus(String streamId, long version, long lastFrame, Policy policy, int steps, int trackedTracks,
                               int lostTracks, int stateBytes, int itemBytes, Instant updatedAt, long expiresAt,
                               String owner) {
    }

    private final StreamsConfig config;
    private final Detector detector;
    private final StreamStateStore store;
    private final StreamRegistry registry;
    private final Clock clock;
    private final Backoff backoff;
    private final Admins admins;

    public StreamService(StreamsConfig config, Detector detector, StreamStateStore store, StreamRegistry registry,
                         Clock clock, Backoff backoff, Admins admins) {
        this.config = config;
        this.detector = detector;
        this.store = store;
        this.registry = registry;
        this.clock = clock;
        this.backoff = backoff;
        this.admins = admins;
    }

    public StreamsConfig config() {
        return config;
    }

    /**
     * Tracks one frame of {@code caller}'s stream (starting it when it has no live state).
     *
     * @throws StreamException 401 without a caller, 404 {@code StreamNotFound} when the stream is another
     *     caller's (before the model is called), and the refusals of docs/handlers.md
     */
    public FrameResult processFrame(Caller caller, FrameRequest request) {
        requireCaller(caller);
        String streamId = FrameRules.requireStreamId(request.streamId());
        if (request.frame() < 0) {
            throw StreamException.badRequest("InvalidFrameIndex", "the frame index must be >= 0");
        }
        String contentType = FrameRules.sniffImage(request.image(), config.maxFrameBytes());
        // The owner check reads the state before the model call; that read serves the first attempt
        // (a change in between is caught by the conditional write, and the retry reads again).
        long t0 = System.nanoTime();
        StoredState firstRead = load(streamId);
        long readNanos = System.nanoTime() - t0;
        requireVisible(caller, streamId, firstRead);
        long modelStart = System.nanoTime();
        ModelDetections found = detector.detect(request.image(), contentType);
        long detectionsAt = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(caller, streamId, request, found, attempt, attempt == 1 ? firstRead : null,
                        attempt == 1 ? readNanos : -1, detectionsAt - modelStart, detectionsAt);
            } catch (SdkException e) {
                throw storeFailure(streamId, e);
            } catch (VersionConflictException e) {
                if (attempt >= backoff.maxAttempts()) {
                    LOG.warn("gave up after version conflicts", "streamId", streamId, "frame", request.frame(),
                            "attempts", attempt);
                    throw new StreamException(503, "StreamContention", "stream " + streamId + " was changed by "
                            + "other requests during " + attempt + " attempts to write frame " + request.frame()
                            + "; send the frame again", Map.of("streamId", streamId, "frame", request.frame()), 1, e);
                }
                LOG.debug("version conflict, retrying", "streamId", streamId, "frame", request.frame(), "attempt", attempt);
                backoff.pause(attempt);
            }
        }
    }

    /**
     * One read-associate-write round; {@code read} is the state already read for it ({@code readNanos}
     * its time), null to read it here.
     */
    private FrameResult attempt(Caller caller, String streamId, FrameRequest request, ModelDetections found,
                                int attempt, StoredState read, long readNanos, long modelNanos, long detectionsAt) {
        Instant now = clock.instant();
        long t0 = System.nanoTime();
        StoredState previous = read != null ? read : store.load(streamId);
        long t1 = System.nanoTime();
        if (read != null) {
            t0 = t1 - readNanos;
        } else {
            requireVisible(caller, streamId, previous);
        }
        StoredState live = previous == null || previous.expired(now) ? null : previous;
        long frame = request.frame();
        if (live != null && frame <= live.lastFrame()) {
            throw stale(streamId, frame, live.lastFrame());
        }
        Policy policy = live != null ? live.policy() : request.policy() != null ? request.policy() : config.defaultPolicy();
        if (request.policy() != null && request.policy() != policy) {
            throw new StreamException(409, "PolicyMismatch", "stream " + streamId + " tracks with "
                    + StreamsConfig.policyName(policy) + "; reset it (DELETE /streams/" + streamId + ") to change to "
                    + StreamsConfig.policyName(request.policy()), details(streamId, frame, live), 0, null);
        }
        Tracker tracker = live != null && live.hasTracker() ? decode(streamId, frame, live) : null;
        if (tracker == null && found.size() > 0) {
            tracker = new Tracker(trackerConfig(policy, found.dim()));
        }
        List<TrackBox> tracks = List.of();
        byte[] state = null;
        int dropped = 0;
        int steps = 0;
        if (tracker != null) {
            int dim = tracker.config().embeddingDim();
            if (found.size() > 0 && dim > 0 && found.dim() != dim) {
                throw new StreamException(409, "StateIncompatible", "stream " + streamId + " was started with " + dim
                        + "-d embeddings and the model now returns " + found.dim() + "-d ones (a different model?); reset"
                        + " it (DELETE /streams/" + streamId + ")", details(streamId, frame, live), 0, null);
            }
            Detections dets = found.toDetections(dim, detectionLimit(dim));
            TrackerOutput out = tracker.update(dets);
            tracks = copy(out);
            StateTrimmer.Result trimmed = StateTrimmer.trim(TrackerStateCodec.encode(tracker), config.maxStateBytes());
            state = trimmed.state();
            dropped = trimmed.droppedLost();
            steps = tracker.frameId();
        }
        long ttl = config.stateTtl().toSeconds();
        // The list entries are written when the stream starts and refreshed once they would expire
        // before this state could (at most once per TTL), never on an ordinary frame.
        boolean relist = live == null || live.listedUntil() < now.getEpochSecond() + ttl;
        StoredState next = new StoredState(streamId, previous == null ? 1 : previous.version() + 1,
                live == null ? newIncarnation() : live.incarnation(), frame, policy, state, steps,
                live == null ? now : live.createdAt(), now, now.getEpochSecond() + ttl,
                live == null ? caller.owner() : live.owner(),
                relist ? now.getEpochSecond() + 2 * ttl : live.listedUntil());
        long t2 = System.nanoTime();
        store.write(next, previous);
        long t3 = System.nanoTime();
        if (relist) {
            writeListEntries(next);
        }
        int stateBytes = state == null ? 0 : state.length;
        LOG.info("frame tracked", "streamId", streamId, "frame", frame, "version", next.version(), "step", steps,
                "detections", found.size(), "tracks", tracks.size(), "attempts", attempt, "stateBytes", stateBytes,
                "droppedLostTracks", dropped > 0 ? dropped : null, "modelMs", modelNanos / 1e6);
        return new FrameResult(streamId, frame, next.version(), policy, steps, found.size(), tracks, attempt, stateBytes,
                dropped, modelNanos, detectionsAt, new AttemptTiming(t1 - t0, t2 - t1, t3 - t2));
    }

    /**
     * Forgets {@code caller}'s stream; the next frame starts a new tracker with new ids.
     *
     * @throws StreamException 404 {@code StreamNotFound} when the caller has no such live stream (none,
     *     already reset, expired, or another caller's)
     */
    public void reset(Caller caller, String streamId) {
        requireCaller(caller);
        FrameRules.requireStreamId(streamId);
        // The delete is conditioned on the incarnation that was checked: a stream reset and started
        // again by someone else in between is not deleted; the loop looks at it instead.
        for (int round = 1; ; round++) {
            StoredState s = load(streamId);
            if (s == null || s.expired(clock.instant()) || !admins.maySee(caller, s.owner())) {
                throw notFound(streamId);
            }
            boolean deleted;
            try {
                deleted = store.delete(s);
            } catch (SdkException e) {
                throw storeFailure(streamId, e);
            }
            if (deleted) {
                try {
                    registry.remove(streamId, s.incarnation());
                } catch (SdkException e) {
                    // the list leaves out entries whose stream is gone: a stale entry shows nowhere
                    LOG.warn("stream list entries not removed", "streamId", streamId, "error", e.getMessage());
                }
                LOG.info("stream reset", "streamId", streamId, "owner", s.owner(), "caller", caller.owner());
                return;
            }
            if (round >= backoff.maxAttempts()) {
                throw new StreamException(503, "StreamContention", "stream " + streamId + " was reset and started"
                        + " again during " + round + " attempts to reset it; try again", Map.of("streamId", streamId),
                        1, null);
            }
        }
    }

    /**
     * {@code caller}'s stream, or null when the caller has no such live stream (never started, reset,
     * expired, or another caller's).
     */
    public StreamStatus status(Caller caller, String streamId) {
        requireCaller(caller);
        FrameRules.requireStreamId(streamId);
        StoredState s = load(streamId);
        if (s == null || s.expired(clock.instant()) || !admins.maySee(caller, s.owner())) {
            return null;
        }
        int tracked = 0;
        int lost = 0;
        if (s.hasTracker()) {
            Tracker t = decode(streamId, s.lastFrame(), s);
            tracked = t.trackedCount();
            lost = t.lostCount();
        }
        return new StreamStatus(streamId, s.version(), s.lastFrame(), s.policy(), s.steps(), tracked, lost,
                s.hasTracker() ? s.state().length : 0, StreamStateStore.itemSize(s), s.updatedAt(), s.expiresAt(),
                s.owner());
    }

    /** A page of {@link #list}: live streams, newest first, and the token of the next page (null at the end). */
    public record StreamList(List<StoredState> streams, String nextToken) {
    }

    /** Most streams a list page reads. */
    public static final int MAX_LIST_LIMIT = 100;
    private static final java.util.regex.Pattern LIST_SORT_KEY = java.util.regex.Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?Z#" + FrameRules.STREAM_ID.pattern());

    /**
     * {@code caller}'s live streams, newest first (an admin's: every stream), {@code limit}
     * list entries a page from {@code nextToken} (null: the first page). Entries of streams that are no
     * longer live are skipped, so a page may hold fewer than {@code limit} streams with a next token.
     *
     * @throws StreamException 400 {@code InvalidLimit} or {@code InvalidNextToken} (checked before any read)
     */
    public StreamList list(Caller caller, int limit, String nextToken) {
        requireCaller(caller);
        if (limit < 1 || limit > MAX_LIST_LIMIT) {
            throw StreamException.badRequest("InvalidLimit", "limit must be 1.." + MAX_LIST_LIMIT + ", got " + limit);
        }
        String after = null;
        if (nextToken != null) {
            try {
                after = new String(java.util.Base64.getUrlDecoder().decode(nextToken), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                after = null;
            }
            if (after == null || nextToken.length() > 400 || !LIST_SORT_KEY.matcher(after).matches()) {
                throw StreamException.badRequest("InvalidNextToken", "nextToken is not a token this list gave");
            }
        }
        StreamRegistry.Page page;
        try {
            page = registry.list(admins.isAdmin(caller) ? null : caller.owner(), limit, after, clock.instant());
        } catch (SdkException e) {
            if (!transientFailure(e)) {
                throw e;
            }
            throw new StreamException(503, "StateStoreUnavailable", "the stream state store is unavailable: "
                    + e.getMessage(), Map.of(), 1, e);
        }
        String token = page.nextSortKey() == null ? null : java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(page.nextSortKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new StreamList(page.streams(), token);
    }

    /** Writes the stream's list entries; a failure costs the listing only (the frame is tracked). */
    private void writeListEntries(StoredState s) {
        try {
            registry.register(s);
        } catch (SdkException e) {
            LOG.warn("stream list entries not written", "streamId", s.streamId(), "error", e.getMessage());
        }
    }

    /** The 404 of a stream the caller has not: the same whether it does not exist or is another's. */
    public StreamException notFound(String streamId) {
        return new StreamException(404, "StreamNotFound", "stream " + streamId + " has no state (never started,"
                + " reset, or expired after " + config.stateTtl().toSeconds() + " s without frames)",
                Map.of("streamId", streamId), 0, null);
    }

    private static void requireCaller(Caller caller) {
        if (caller == null) {
            // API Gateway's IAM or JWT authorizer always sets one; without it nobody could own the stream.
            throw new StreamException(401, "Unauthenticated", "the request carries no authenticated caller; sign it"
                    + " with IAM credentials (SigV4) or send the console's Cognito token");
        }
    }

    /** A live stream of another owner is answered as absent (its existence is not revealed). */
    private void requireVisible(Caller caller, String streamId, StoredState s) {
        if (s != null && !s.expired(clock.instant()) && !admins.maySee(caller, s.owner())) {
            throw notFound(streamId);
        }
    }

    private StoredState load(String streamId) {
        try {
            return store.load(streamId);
        } catch (SdkException e) {
            throw storeFailure(streamId, e);
        }
    }

    /** The tracker settings of a new stream: the policy's defaults at the configured frame rate. */
    public TrackerConfig trackerConfig(Policy policy, int embeddingDim) {
        if (policy == Policy.JDE) {
            if (embeddingDim == 0) {
                throw new StreamException(502, "BadModelResponse", "the jde policy needs re-ID embeddings and the "
                        + "real-time endpoint returned detections without them (use policy=bytetrack for a "
                        + "detection-only model)");
            }
            return TrackerConfig.jde(embeddingDim).withFrameRate(config.frameRate());
        }
        return TrackerConfig.byteTrack().withFrameRate(config.frameRate());
    }

    /**
     * Most detections given to the tracker: the configured cap, lowered so that the tracked tracks
     * (at most one per detection) fill at most 60% of the state limit, leaving the rest to lost ones.
     */
    public int detectionLimit(int embeddingDim) {
        int perTrack = TRACK_BYTES_BESIDES_EMBEDDING + 2 * embeddingDim;
        return Math.max(1, Math.min(config.maxDetections(), (int) (config.maxStateBytes() * 0.6) / perTrack));
    }

    private static List<TrackBox> copy(TrackerOutput out) {
        List<TrackBox> tracks = new ArrayList<>(out.size());
        for (int i = 0; i < out.size(); i++) {
            tracks.add(new TrackBox(out.id(i), out.x(i), out.y(i), out.w(i), out.h(i), out.score(i)));
        }
        tracks.sort(Comparator.comparingInt(TrackBox::id));
        return tracks;
    }

    private static Tracker decode(String streamId, long frame, StoredState s) {
        try {
            return TrackerStateCodec.decode(s.state());
        } catch (StateFormatException e) {
            LOG.error("stored tracker state unreadable", e, "streamId", streamId, "frame", frame, "version", s.version());
            throw new StreamException(409, "StateUnreadable", "the stored tracker state of stream " + streamId
                    + " cannot be read (" + e.getMessage() + "); reset it (DELETE /streams/" + streamId + ")",
                    Map.of("streamId", streamId, "frame", frame), 0, e);
        }
    }

    /** DynamoDB throttling, 5xx and network failures are worth a retry (503); anything else is a bug (500). */
    private static RuntimeException storeFailure(String streamId, SdkException e) {
        if (!transientFailure(e)) {
            return e;
        }
        return new StreamException(503, "StateStoreUnavailable", "the stream state store is unavailable for stream "
                + streamId + ": " + e.getMessage(), Map.of("streamId", streamId), 1, e);
    }

    private static boolean transientFailure(SdkException e) {
        return e instanceof SdkClientException
                || e instanceof SdkServiceException s && (s.isThrottlingException() || s.statusCode() >= 500);
    }

    private static StreamException stale(String streamId, long frame, long lastFrame) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("streamId", streamId);
        d.put("frame", frame);
        d.put("lastFrame", lastFrame);
        return new StreamException(409, "StaleFrame", "frame " + frame + " of stream " + streamId + " is not newer than"
                + " the last processed frame " + lastFrame + "; frames must be sent with increasing indices", d, 0, null);
    }

    private static Map<String, Object> details(String streamId, long frame, StoredState live) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("streamId", streamId);
        d.put("frame", frame);
        if (live != null) {
            d.put("lastFrame", live.lastFrame());
        }
        return d;
    }

    /** Per request (never at init: SnapStart would give every restored copy the same one). */
    private static String newIncarnation() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
