"""Online association, the same policies as the Java tracking core (functions/tracking-core): JdeTracker
(appearance + motion, below) and ByteTracker (boxes and scores only, motflow's appearance-free default;
see its docstring and docs/tracking.md). The shared vectors in test-vectors/association hold both to the
Java tracker.

JDE/FairMOT association:

1. tracks (confirmed and lost) are predicted by a constant-velocity Kalman filter on (cx, cy, a, h)
   (ByteTracker's default: on (cx, cy, w, h), width_state);
2. cost = cosine distance between each track's smoothed embedding and each detection's embedding,
   gated by the Kalman Mahalanobis distance (chi-square 0.95, 4 dof: 9.4877) and fused with it:
   lambda * cost + (1 - lambda) * mahalanobis, lambda = 0.98; matched below 0.4;
3. the tracked (not lost) leftovers are matched to leftover detections by IoU distance below 0.5;
4. unconfirmed tracks (seen once) are matched by IoU distance below 0.7, unmatched ones removed;
5. leftover detections scoring >= det_thresh start tracks (confirmed at once only on frame 1);
6. tracks lost for more than int(fps * max_lost_seconds) frames are removed (FairMOT: int(fps / 30 *
   track_buffer), with max_lost_seconds None or 0; they leave the lost list one frame later, as in the
   references); of a tracked and a lost track closer than IoU distance 0.15 the younger is dropped.
   Track ids count from 1. IoU counts boxes as w + 1 by h + 1 pixels.

motflow's changes to FairMOT (docs/tracking.md, "With appearance"): the memory is given in seconds
(max_lost_seconds), and a track lost for more than int(fps * reid_after_seconds) frames is matched in
step 2 by the cosine distance alone, anywhere, up to reid_thresh (its gate has grown to most of the
image, and its prediction has drifted); when found that way its Kalman state restarts from the detection.
reid_thresh None or 0 (the default) turns that off (FairMOT's rule).

Assignments minimise total cost with unmatched rows/columns costing thresh / 2 each (the "cost limit"
formulation of lap.lapjv(extend_cost=True)), so a pair is only matched when its cost is <= thresh.
"""
import math

import numpy as np

from scipy.optimize import linear_sum_assignment

CHI2_95_4DOF = 9.4877
# The JDE policy's memory, chosen by measurement (docs/tracking.md, "With appearance"; the Java core's
# TrackerConfig.jde). FairMOT's own: max_lost_seconds=None (track_buffer 30 frames at 30 fps). Embedding-only
# re-identification (reid_thresh) is off by default, as in FairMOT: it was not better on those sets.
MAX_LOST_SECONDS = 4.0
REID_AFTER_SECONDS = 1.0
REID_THRESH = None


# ----------------------------------------------------------------------------------------------------
# Kalman filter


class KalmanFilter:
    """Constant velocity on (cx, cy, aspect, height); noise scales with the box height. With
    relative_aspect_noise (Java's TrackerConfig.relativeAspectNoise) the aspect ratio's noise scales with
    the aspect ratio (1/20 process, 1/160 velocity, 1/10 measurement) instead of the references' fixed
    values, so the width follows a walking person's box.

    With width_state (ByteTracker's default, Java's TrackerConfig.widthState) the state is (cx, cy, w, h)
    and velocities, as in BoT-SORT: the noise of cx and w (and their velocities) scales with the width, that
    of cy and h with the height, same weights; a box that narrows fast is followed at the width's own pace.
    relative_aspect_noise has no effect then. measurement() gives a box's measurement in either layout."""
    std_pos = 1.0 / 20
    std_vel = 1.0 / 160
    std_aspect_meas = 1.0 / 10

    def __init__(self, relative_aspect_noise=False, width_state=False):
        self.relative_aspect_noise = relative_aspect_noise
        self.width_state = width_state
        self.F = np.eye(8)
        self.F[:4, 4:] = np.eye(4)
        self.H = np.eye(4, 8)

    def measurement(self, tlwh):
        """A box (top-left x, y, width, height) as this filter's measurement: (cx, cy, w/h, h), or with
        width_state (cx, cy, w, h)."""
        x, y, w, h = tlwh
        return np.array([x + w / 2, y + h / 2, w if self.width_state else w / h, h], dtype=np.float64)

    def initiate(self, z):
        mean = np.r_[z, np.zeros(4)]
        h = z[3]
        if self.width_state:
            w = z[2]
            std = [2 * self.std_pos * w, 2 * self.std_pos * h, 2 * self.std_pos * w, 2 * self.std_pos * h,
                   10 * self.std_vel * w, 10 * self.std_vel * h, 10 * self.std_vel * w, 10 * self.std_vel * h]
            return mean, np.diag(np.square(std))
        a = z[2]
        sa, sva = (2 * self.std_pos * a, 10 * self.std_vel * a) if self.relative_aspect_noise else (1e-2, 1e-5)
        std = [2 * self.std_pos * h, 2 * self.std_pos * h, sa, 2 * self.std_pos * h,
               10 * self.std_vel * h, 10 * self.std_vel * h, sva, 10 * self.std_vel * h]
        return mean, np.diag(np.square(std))

    def predict(self, mean, cov):
        h = mean[3]
        if self.width_state:
            w = mean[2]
            std = [self.std_pos * w, self.std_pos * h, self.std_pos * w, self.std_pos * h,
                   self.std_vel * w, self.std_vel * h, self.std_vel * w, self.std_vel * h]
        else:
            a = mean[2]
            sa, sva = (self.std_pos * a, self.std_vel * a) if self.relative_aspect_noise else (1e-2, 1e-5)
            std = [self.std_pos * h, self.std_pos * h, sa, self.std_pos * h,
                   self.std_vel * h, self.std_vel * h, sva, self.std_vel * h]
        mean = self.F @ mean
        cov = self.F @ cov @ self.F.T + np.diag(np.square(std))
        return mean, cov

    def project(self, mean, cov):
        h = mean[3]
        if self.width_state:
            w = mean[2]
            std = [self.std_pos * w, self.std_pos * h, self.std_pos * w, self.std_pos * h]
        else:
            sa = self.std_aspect_meas * mean[2] if self.relative_aspect_noise else 1e-1
            std = [self.std_pos * h, self.std_pos * h, sa, self.std_pos * h]
        return self.H @ mean, self.H @ cov @ self.H.T + np.diag(np.square(std))

    def update(self, mean, cov, z):
        pm, pc = self.project(mean, cov)
        # K = P H^T S^-1, solved rather than inverted
        gain = np.linalg.solve(pc, (cov @ self.H.T).T).T
        mean = mean + gain @ (z - pm)
        cov = cov - gain @ pc @ gain.T
        return mean, cov

    def gating_distance(self, mean, cov, zs):
        """Squared Mahalanobis distance of each measurement (rows of zs) to the projected state."""
        pm, pc = self.project(mean, cov)
        d = zs - pm
        chol = np.linalg.cholesky(pc)
        y = np.linalg.solve(chol, d.T)
        return np.sum(y * y, axis=0)

    def gating_distances(self, means, covs, zs):
        """gating_distance for several states at once ([n,8] means, [n,8,8] covs): [n, len(zs)]. Gates with
        the references' fixed aspect noise (as the Java core), or in width space with width_state."""
        h = means[:, 3]
        pm = means[:, :4]
        noise = np.zeros((len(means), 4, 4))
        idx = np.arange(4)
        if self.width_state:
            w = means[:, 2]
            std = [self.std_pos * w, self.std_pos * h, self.std_pos * w, self.std_pos * h]
        else:
            std = [self.std_pos * h, self.std_pos * h, np.full_like(h, 1e-1), self.std_pos * h]
        noise[:, idx, idx] = np.square(np.stack(std, axis=1))
        pc = covs[:, :4, :4] + noise
        chol = np.linalg.cholesky(pc)
        d = zs[None, :, :] - pm[:, None, :]  # [n, m, 4]
        y = np.linalg.solve(chol, np.transpose(d, (0, 2, 1)))  # [n, 4, m]
        return np.sum(y * y, axis=1)


def tlwh_to_xyah(tlwh):
    x, y, w, h = tlwh
    return np.array([x + w / 2, y + h / 2, w / h, h], dtype=np.float64)


# ----------------------------------------------------------------------------------------------------
# Assignment


def linear_assignment(cost, thresh):
    """Matches (row, col) minimising the summed cost where leaving a row or a column unmatched costs
    thresh / 2; pairs above thresh (or not finite) are never matched, a pair at exactly thresh is (as in
    the Java core: a real column wins the tie against staying unmatched). Returns (matches [m,2],
    unmatched rows, unmatched cols)."""
    cost = np.asarray(cost, dtype=np.float64)
    n_r, n_c = cost.shape
    if cost.size == 0:
        return np.empty((0, 2), dtype=int), np.arange(n_r), np.arange(n_c)
    big = thresh * 4 + 1e6
    c = np.where(np.isfinite(cost) & (cost <= thresh), cost, big)
    n = n_r + n_c
    # A hair above thresh / 2 per unmatched side, so that a pair at exactly thresh beats leaving both out.
    ext = np.full((n, n), thresh / 2.0 + 1e-9)
    ext[n_r:, n_c:] = 0.0
    ext[:n_r, :n_c] = c
    r, col = linear_sum_assignment(ext)
    row_to_col = np.empty(n, dtype=np.int64)
    row_to_col[r] = col
    matches = [(i, int(row_to_col[i])) for i in range(n_r) if row_to_col[i] < n_c and c[i, row_to_col[i]] <= thresh]
    matched_r = {m[0] for m in matches}
    matched_c = {m[1] for m in matches}
    return (np.array(matches, dtype=int).reshape(-1, 2), np.array([i for i in range(n_r) if i not in matched_r], int),
            np.array([j for j in range(n_c) if j not in matched_c], int))


def iou_matrix(a_tlbr, b_tlbr, inclusive=False):
    """IoU of every pair. inclusive=True counts a box as spanning w + 1 by h + 1 pixels, the convention
    of the references' bbox_overlaps that the association (and the Java core) uses."""
    a = np.asarray(a_tlbr, np.float64).reshape(-1, 4)
    b = np.asarray(b_tlbr, np.float64).reshape(-1, 4)
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    one = 1.0 if inclusive else 0.0
    ix1 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy1 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix2 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix2 - ix1 + one, 0, None) * np.clip(iy2 - iy1 + one, 0, None)
    area_a = (a[:, 2] - a[:, 0] + one) * (a[:, 3] - a[:, 1] + one)
    area_b = (b[:, 2] - b[:, 0] + one) * (b[:, 3] - b[:, 1] + one)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


# ----------------------------------------------------------------------------------------------------
# Tracks

NEW, TRACKED, LOST, REMOVED = 0, 1, 2, 3


class Track:
    def __init__(self, tlwh, score, feat, momentum):
        self._tlwh = np.asarray(tlwh, dtype=np.float64)
        self.score = float(score)
        self.momentum = momentum
        self.mean = self.cov = None
        self.width_state = False  # the layout of mean: set from the filter that made it
        self.smooth_feat = None
        self.curr_feat = None
        self.update_features(feat)
        self.state = NEW
        self.is_activated = False
        self.track_id = 0
        self.start_frame = self.frame_id = 0
        self.tracklet_len = 0

    def update_features(self, feat):
        if feat is None:
            return
        f = np.asarray(feat, dtype=np.float64)
        f = f / max(np.linalg.norm(f), 1e-12)
        self.curr_feat = f
        if self.smooth_feat is None:
            self.smooth_feat = f
        else:
            self.smooth_feat = self.momentum * self.smooth_feat + (1 - self.momentum) * f
        self.smooth_feat = self.smooth_feat / max(np.linalg.norm(self.smooth_feat), 1e-12)

    @property
    def tlwh(self):
        if self.mean is None:
            return self._tlwh.copy()
        cx, cy, c, h = self.mean[:4]
        w = c if self.width_state else c * h
        return np.array([cx - w / 2, cy - h / 2, w, h])

    @property
    def tlbr(self):
        t = self.tlwh
        t[2:] += t[:2]
        return t

    def activate(self, kf, frame_id, track_id):
        self.mean, self.cov = kf.initiate(kf.measurement(self._tlwh))
        self.width_state = kf.width_state
        self.track_id = track_id
        self.tracklet_len = 0
        self.state = TRACKED
        self.is_activated = frame_id == 1
        self.frame_id = self.start_frame = frame_id

    def absorb(self, kf, det, frame_id, refound_takes_score=False, restart=False):
        """Update (tracked) or re-activate (lost) with a matched detection; restart: the Kalman state starts
        again from the detection (as a new track's) instead of correcting the prediction."""
        if restart:
            self.mean, self.cov = kf.initiate(kf.measurement(det._tlwh))
        else:
            self.mean, self.cov = kf.update(self.mean, self.cov, kf.measurement(det._tlwh))
        self.update_features(det.curr_feat)
        if self.state == TRACKED:
            self.tracklet_len += 1
            self.score = det.score
        else:  # re-activation keeps the score the track had (FairMOT's rule), ByteTrack's takes the new one
            self.tracklet_len = 0
            if refound_takes_score:
                self.score = det.score
        self.state = TRACKED
        self.is_activated = True
        self.frame_id = frame_id


class JdeTracker:
    """Online tracker; feed it one frame's detections at a time (update), read the confirmed tracks."""

    def __init__(self, fps=30.0, det_thresh=0.4, track_buffer=30, momentum=0.9, motion_lambda=0.98,
                 emb_thresh=0.4, iou_thresh=0.5, unconfirmed_thresh=0.7, duplicate_thresh=0.15,
                 gating_chi2=CHI2_95_4DOF, max_time_lost=None, max_lost_seconds=MAX_LOST_SECONDS,
                 reid_after_seconds=REID_AFTER_SECONDS, reid_thresh=REID_THRESH, width_state=False,
                 report_missed_frame=True):
        self.kf = KalmanFilter(width_state=width_state)
        self.det_thresh = det_thresh
        if max_time_lost is not None:
            self.max_time_lost = int(max_time_lost)
        elif max_lost_seconds:
            self.max_time_lost = int(fps * max_lost_seconds)
        else:  # FairMOT's memory: track_buffer frames at 30 fps
            self.max_time_lost = int(fps / 30.0 * track_buffer)
        # embedding-only re-identification of tracks lost for more than reid_after_frames (None: off)
        self.reid_after_frames = None if reid_after_seconds is None or not reid_thresh else int(
            fps * reid_after_seconds)
        self.reid_thresh = reid_thresh
        self.gating_chi2 = gating_chi2
        self.removed_ids = set()
        # ByteTracker's short-track buffer; off here: every lost track is kept max_time_lost frames
        self.short_track_lost_frames = 0
        # a settled track is reported in the first frame it misses (TrackerConfig.reportMissedFrame; motflow's
        # JDE policy, TrackerConfig.jde); off in FairMOT's rules
        self.report_missed_frame = bool(report_missed_frame)
        self.short_track_span = 0
        self.detection_tracks = []  # per input detection of the last frame: the track that took it, or None
        self.momentum, self.motion_lambda = momentum, motion_lambda
        self.emb_thresh, self.iou_thresh = emb_thresh, iou_thresh
        self.unconfirmed_thresh, self.duplicate_thresh = unconfirmed_thresh, duplicate_thresh
        self.tracked, self.lost = [], []
        self.frame_id = 0
        self.next_id = 1

    def apply_camera_motion(self, warp):
        """Moves every track's Kalman state (tracked, lost, unconfirmed) by a 2x3 affine warp from the
        previous frame's pixels to this frame's (camera_motion.py); call it before update. Centre and
        velocity take the linear part (the centre also the shift), height and its velocity the linear
        part's scale, the aspect ratio nothing (with the width state: the width and its velocity the same
        scale as the height); the covariance is J P J^T."""
        warp = np.asarray(warp, np.float64).reshape(2, 3)
        j = np.eye(8)
        j[0:2, 0:2] = j[4:6, 4:6] = warp[:, :2]
        scale = np.sqrt(abs(np.linalg.det(warp[:, :2])))
        j[3, 3] = j[7, 7] = scale
        if self.kf.width_state:
            j[2, 2] = j[6, 6] = scale
        for t in _union(self.tracked, self.lost):
            t.mean = j @ t.mean
            t.mean[:2] += warp[:, 2]
            t.cov = j @ t.cov @ j.T

    def _embedding_cost(self, tracks, dets):
        cost = np.zeros((len(tracks), len(dets)))
        if cost.size == 0:
            return cost
        t = np.stack([tr.smooth_feat for tr in tracks])
        d = np.stack([de.curr_feat for de in dets])
        # cosine distance of unit vectors, floored at 0 as in the reference
        return np.maximum(0.0, 1.0 - t @ d.T)

    def _long_lost(self, t):
        """Lost for more than reid_after_frames (with re-identification on)."""
        return (self.reid_after_frames is not None and t.state == LOST
                and self.frame_id - t.frame_id > self.reid_after_frames)

    def _fuse_motion(self, cost, tracks, dets):
        if cost.size == 0:
            return cost
        zs = np.stack([self.kf.measurement(d._tlwh) for d in dets])
        fused = np.empty_like(cost)
        gatings = self.kf.gating_distances(np.stack([tr.mean for tr in tracks]), np.stack([tr.cov for tr in tracks]),
                                           zs)
        for i, tr in enumerate(tracks):
            gating = gatings[i]
            if self._long_lost(tr):
                # After a long gap the prediction says nothing (its covariance has grown until the gate
                # takes in most of the image): the embedding alone decides, under a stricter limit.
                fused[i] = np.where(cost[i] <= self.reid_thresh, cost[i], np.inf)
            else:
                fused[i] = np.where(gating > self.gating_chi2, np.inf,
                                    self.motion_lambda * cost[i] + (1 - self.motion_lambda) * gating)
        return fused

    @staticmethod
    def _iou_cost(a, b):
        if not a or not b:
            return np.zeros((len(a), len(b)))
        return 1.0 - iou_matrix([t.tlbr for t in a], [t.tlbr for t in b], inclusive=True)

    def update(self, tlbr, scores, embeddings):
        """One frame: detections as [n,4] x1,y1,x2,y2, [n] scores, [n,D] embeddings. Returns the
        confirmed tracks of this frame (objects with track_id, tlwh, score)."""
        self.frame_id += 1
        fid = self.frame_id
        tlbr = np.asarray(tlbr, np.float64).reshape(-1, 4)
        scores = np.asarray(scores, np.float64).reshape(-1)
        keep = (scores > self.det_thresh) & (tlbr[:, 2] > tlbr[:, 0]) & (tlbr[:, 3] > tlbr[:, 1])
        embeddings = np.asarray(embeddings)
        dets = []
        for i in np.nonzero(keep)[0]:
            box = tlbr[i]
            d = Track([box[0], box[1], box[2] - box[0], box[3] - box[1]], scores[i], embeddings[i], self.momentum)
            d.det_index = int(i)
            dets.append(d)
        taken = {}  # input detection index -> track

        unconfirmed = [t for t in self.tracked if not t.is_activated]
        confirmed = [t for t in self.tracked if t.is_activated]
        activated, refound, lost, removed = [], [], [], []

        pool = _union(confirmed, self.lost)
        for t in pool:
            if t.state != TRACKED:
                t.mean[7] = 0  # a lost track's height stops changing
                if self.kf.width_state:
                    t.mean[6] = 0  # and, a size like the height, its width
            t.mean, t.cov = self.kf.predict(t.mean, t.cov)

        # 1. embeddings + motion
        cost = self._fuse_motion(self._embedding_cost(pool, dets), pool, dets)
        matches, u_track, u_det = linear_assignment(cost, self.emb_thresh)
        for it, idet in matches:
            t = pool[it]
            was_tracked = t.state == TRACKED
            # found again by its embedding after a long gap: the drifted prediction is no start for an update
            t.absorb(self.kf, dets[idet], fid, restart=self._long_lost(t))
            taken[dets[idet].det_index] = t
            (activated if was_tracked else refound).append(t)

        # 2. IoU for tracks that were being tracked
        dets = [dets[i] for i in u_det]
        r_tracked = [pool[i] for i in u_track if pool[i].state == TRACKED]
        matches, u_track, u_det = linear_assignment(self._iou_cost(r_tracked, dets), self.iou_thresh)
        for it, idet in matches:
            t = r_tracked[it]
            was_tracked = t.state == TRACKED
            t.absorb(self.kf, dets[idet], fid)
            taken[dets[idet].det_index] = t
            (activated if was_tracked else refound).append(t)
        for it in u_track:
            t = r_tracked[it]
            if t.state != LOST:
                t.state = LOST
                lost.append(t)

        # 3. unconfirmed tracks (one frame old) by IoU
        dets = [dets[i] for i in u_det]
        matches, u_unc, u_det = linear_assignment(self._iou_cost(unconfirmed, dets), self.unconfirmed_thresh)
        for it, idet in matches:
            unconfirmed[it].absorb(self.kf, dets[idet], fid)
            taken[dets[idet].det_index] = unconfirmed[it]
            activated.append(unconfirmed[it])
        for it in u_unc:
            unconfirmed[it].state = REMOVED
            removed.append(unconfirmed[it])

        # 4. new tracks
        for idet in u_det:
            d = dets[idet]
            if d.score < self.det_thresh:
                continue
            d.activate(self.kf, fid, self.next_id)
            self.next_id += 1
            taken[d.det_index] = d
            activated.append(d)

        return _end_frame(self, fid, activated, refound, lost, removed, taken, len(scores))

    def _remove_duplicates(self, a, b):
        dist = self._iou_cost(a, b)
        drop_a, drop_b = set(), set()
        for p, q in zip(*np.nonzero(dist < self.duplicate_thresh)):
            age_p = a[p].frame_id - a[p].start_frame
            age_q = b[q].frame_id - b[q].start_frame
            if age_p > age_q:
                drop_b.add(q)
            else:
                drop_a.add(p)
        return [t for i, t in enumerate(a) if i not in drop_a], [t for i, t in enumerate(b) if i not in drop_b]


def _end_frame(tr, fid, activated, refound, lost, removed, taken, n_input):
    """The end of a frame, shared by both policies: lost tracks past the buffer are removed, the lists
    rebuilt, duplicates dropped, and tr.detection_tracks set. Returns the confirmed tracked tracks, then with
    tr.report_missed_frame the settled ones lost in this frame (at their predicted boxes)."""
    for t in tr.lost:
        frames_lost = fid - t.frame_id
        short = t.frame_id - t.start_frame < tr.short_track_span
        if frames_lost > tr.max_time_lost or (tr.short_track_lost_frames and short
                                              and frames_lost > tr.short_track_lost_frames):
            t.state = REMOVED
            removed.append(t)

    tr.tracked = [t for t in tr.tracked if t.state == TRACKED]
    tr.tracked = _union(tr.tracked, activated)
    tr.tracked = _union(tr.tracked, refound)
    tr.lost = _minus(tr.lost, tr.tracked)
    tr.lost.extend(lost)
    # As in the references: only tracks removed in *earlier* frames leave the lost list here, so a
    # track that just timed out can still be matched in the next frame; one that was ever removed
    # is dropped the next time it is lost.
    tr.lost = [t for t in tr.lost if t.track_id not in tr.removed_ids]
    tr.removed_ids.update(t.track_id for t in removed)
    tr.tracked, tr.lost = tr._remove_duplicates(tr.tracked, tr.lost)
    out = [t for t in tr.tracked if t.is_activated]
    shown = {id(t) for t in out}
    if tr.report_missed_frame:
        out += [t for t in tr.lost
                if t.state == LOST and t.frame_id == fid - 1 and t.tracklet_len >= SETTLED_TRACKLET_LEN]
    tr.detection_tracks = [taken.get(i) if id(taken.get(i)) in shown else None for i in range(n_input)]
    return out


# The short-track buffer (ByteTracker, short_track_lost_buffer), as the Java core's TrackerConfig.
SHORT_TRACK_SPAN = 5  # frames at 30 fps: a track followed over fewer is short
SHORT_TRACK_LOST_BUFFER = 10  # frames at 30 fps a short track is kept once lost (TrackerConfig.byteTrack())
# The nested-box limit (ByteTracker, nested_box_limit), as TrackerConfig.byteTrack()'s.
NESTED_BOX_LIMIT = 0.9


def rounded_frames(fps, frames_at_30):
    """One of motflow's durations given in frames at 30 fps, at fps, rounded half up as the Java core's
    TrackerConfig.roundedFrames (Python's round() would round 2.5 to 2)."""
    return int(math.floor(fps / 30.0 * frames_at_30 + 0.5))


def inside_fraction(a_tlwh, b_tlwh):
    """The fraction of box a's area inside box b (top-left and size, continuous), as the Java core's
    Boxes.insideFraction; 0 when they do not overlap."""
    iw = min(a_tlwh[0] + a_tlwh[2], b_tlwh[0] + b_tlwh[2]) - max(a_tlwh[0], b_tlwh[0])
    ih = min(a_tlwh[1] + a_tlwh[3], b_tlwh[1] + b_tlwh[3]) - max(a_tlwh[1], b_tlwh[1])
    area = a_tlwh[2] * a_tlwh[3]
    return iw * ih / area if iw > 0 and ih > 0 and a_tlwh[2] > 0 and a_tlwh[3] > 0 else 0.0


class ByteTracker(JdeTracker):
    """motflow's appearance-free policy (boxes and scores only), the Java core's ByteTrackAssociation with
    TrackerConfig.byteTrack()'s defaults: ByteTrack's rules (high = score > track_thresh, low =
    low_thresh < score < track_thresh) with fourteen changes chosen by measurement (docs/tracking.md):

    1. all candidates (confirmed tracked and lost, predicted) against the high-score detections by IoU,
       score-fused when fuse_score (cost 1 - IoU * score), matched below match_thresh;
    2. the tracked candidates left over, then the lost ones last matched at most low_score_refind_frames
       ago (change: ByteTrack only takes the tracked ones), against the low-score detections by IoU below
       low_match_thresh; matched lost tracks are found again, unmatched tracked ones are lost;
    3. unconfirmed tracks against the high-score detections left over, then (with low_score_confirm, a
       change) the low-score ones left over (score-fused when fuse_score) below unconfirmed_thresh; an
       unmatched one is removed once unconfirmed_frames have passed since its start (change: ByteTrack
       removes it at its first miss);
    4. high-score detections left over scoring >= track_thresh + new_track_margin start tracks (change:
       margin 0, every one of them; ByteTrack's is 0.1).
    A found-again track takes the new score. Durations are frames at 30 fps, scaled by fps / 30: the
    references' track_buffer truncated as they do (int()), motflow's own rounded half up (rounded_frames).
    The lifecycle (Kalman filter, timeouts, duplicates, ids) is JdeTracker's; with relative_aspect_noise
    (the fourth change) the Kalman filter's aspect-ratio noise scales with the aspect ratio; with width_state
    (the seventh change) the filter holds the width instead of the aspect ratio
    (KalmanFilter), and relative_aspect_noise no longer matters.

    With camera_shift_from_tracks (the eighth change, TrackerConfig.cameraShiftFromTracks) a camera pan is
    estimated from the tracks: after step 1, per axis, the median innovation (detection centre minus predicted
    centre) of the settled tracks it matched (tracked in the previous frame, tracklet_len >= 5) is taken when
    at least 5 of them agree on it (|median| > 3 * 1.4826 * MAD / sqrt(m)); the carried shift becomes
    (shift + median) / 2, else 0, and moves the next frame's predictions of every pool and unconfirmed track.

    With short_track_lost_buffer (the ninth change, TrackerConfig.shortTrackLostBuffer; 0: off) a track followed
    over fewer than SHORT_TRACK_SPAN frames (at 30 fps, frame_id - start_frame at its last match) is removed once
    lost for more than that many frames (at 30 fps) instead of max_time_lost: its velocity, learnt from a few
    boxes, carries its prediction into other people's paths.

    low_thresh is 0 (the tenth change; ByteTrack: 0.1): every box scoring above 0 may continue a track in step 2
    (none starts one).

    With rematch_after_shift (the thirteenth change, TrackerConfig.rematchAfterShift; needs camera_shift_from_tracks)
    step 1b follows step 1 when this frame's shift (the significant median innovation above) is at least
    REMATCH_MIN_SHIFT px on an axis: the candidates step 1 left unmatched move by it and are matched again against
    the high-score boxes it left over, with step 1's cost and limit. Motflow's own durations are rounded half up
    at the frame rate (the twelfth change, rounded_frames).

    With nested_box_limit (the eleventh change, TrackerConfig.nestedBoxLimit; 0: off) a box left over in step 4
    starts no track when more than that fraction of its area lies inside a box a track took in steps 1-3: a
    detector's second, partial box on a person already followed.

    With report_missed_frame (the fourteenth change, TrackerConfig.reportMissedFrame) a confirmed track matched at
    least SETTLED_TRACKLET_LEN times in a row (tracklet_len) that misses a frame is still reported in that frame,
    at its predicted box, after the tracked ones; not in the frames after.
    """

    def __init__(self, fps=30.0, track_thresh=0.5, low_thresh=0.0, new_track_margin=0.0, match_thresh=0.8,
                 low_match_thresh=0.5, unconfirmed_thresh=0.7, duplicate_thresh=0.15, fuse_score=True,
                 track_buffer=30, low_score_refind_buffer=30, unconfirmed_buffer=2, max_time_lost=None,
                 relative_aspect_noise=True, low_score_confirm=True, width_state=True, camera_shift_from_tracks=True,
                 short_track_lost_buffer=SHORT_TRACK_LOST_BUFFER, nested_box_limit=NESTED_BOX_LIMIT,
                 rematch_after_shift=True, report_missed_frame=True):
        super().__init__(fps=fps, track_buffer=track_buffer, unconfirmed_thresh=unconfirmed_thresh,
                         duplicate_thresh=duplicate_thresh, max_time_lost=max_time_lost, max_lost_seconds=None,
                         reid_after_seconds=None, reid_thresh=None)
        self.kf = KalmanFilter(relative_aspect_noise, width_state)
        self.low_score_confirm = low_score_confirm
        self.track_thresh, self.low_thresh = track_thresh, low_thresh
        self.new_track_thresh = track_thresh + new_track_margin
        self.match_thresh, self.low_match_thresh = match_thresh, low_match_thresh
        self.fuse_score = fuse_score
        self.low_score_refind_frames = rounded_frames(fps, low_score_refind_buffer)
        self.unconfirmed_frames = max(1, rounded_frames(fps, unconfirmed_buffer))
        self.camera_shift_from_tracks = camera_shift_from_tracks
        self.camera_dx = self.camera_dy = 0.0  # the shift carried to the next frame's predictions (pixels)
        # a track followed over fewer than short_track_span frames is kept short_track_lost_frames once lost
        self.short_track_lost_frames = rounded_frames(fps, short_track_lost_buffer)
        self.short_track_span = rounded_frames(fps, SHORT_TRACK_SPAN)
        self.nested_box_limit = nested_box_limit
        self.rematch_after_shift = camera_shift_from_tracks and rematch_after_shift
        self.frame_dx = self.frame_dy = 0.0  # this frame's shift (significant median innovation of step 1), or 0
        self.report_missed_frame = report_missed_frame

    def _update_camera_shift(self, pairs):
        """Per axis, the median innovation of the settled tracks matched in step 1, carried damped when
        significant, else reset to 0. Young tracks are left out: before their velocity is learnt, walkers'
        common motion looks like a pan."""
        settled = [(t, d) for t, d in pairs if t.state == TRACKED and t.tracklet_len >= SETTLED_TRACKLET_LEN]
        ix = [d._tlwh[0] + d._tlwh[2] / 2 - t.mean[0] for t, d in settled]
        iy = [d._tlwh[1] + d._tlwh[3] / 2 - t.mean[1] for t, d in settled]
        enough = len(settled) >= MIN_SETTLED_TRACKS
        self.frame_dx = _significant_median(ix) if enough else 0.0
        self.frame_dy = _significant_median(iy) if enough else 0.0
        self.camera_dx = 0.5 * (self.camera_dx + self.frame_dx) if self.frame_dx else 0.0
        self.camera_dy = 0.5 * (self.camera_dy + self.frame_dy) if self.frame_dy else 0.0

    def _box_cost(self, tracks, dets, fuse):
        dist = self._iou_cost(tracks, dets)
        if fuse and dist.size:
            # as the Java core computes it: 1 - (1 - distance) * score
            dist = 1.0 - (1.0 - dist) * np.array([d.score for d in dets])[None, :]
        return dist

    def update(self, tlbr, scores, embeddings=None):
        """One frame: detections as [n,4] x1,y1,x2,y2 and [n] scores (embeddings are ignored). Returns the
        confirmed tracks of this frame (objects with track_id, tlwh, score), then with report_missed_frame the
        settled ones that missed it."""
        self.frame_id += 1
        fid = self.frame_id
        tlbr = np.asarray(tlbr, np.float64).reshape(-1, 4)
        scores = np.asarray(scores, np.float64).reshape(-1)
        high, low = [], []
        for i in range(len(scores)):
            box = tlbr[i]
            if not (box[2] > box[0] and box[3] > box[1]):
                continue
            d = Track([box[0], box[1], box[2] - box[0], box[3] - box[1]], scores[i], None, self.momentum)
            d.det_index = i
            if scores[i] > self.track_thresh:
                high.append(d)
            elif self.low_thresh < scores[i] < self.track_thresh:
                low.append(d)
        taken = {}
        unconfirmed = [t for t in self.tracked if not t.is_activated]
        confirmed = [t for t in self.tracked if t.is_activated]
        activated, refound, lost, removed = [], [], [], []

        pool = _union(confirmed, self.lost)
        for t in pool:
            if t.state != TRACKED:
                t.mean[7] = 0  # as JdeTracker: a lost track's height (and width) stop changing
                if self.kf.width_state:
                    t.mean[6] = 0
            t.mean, t.cov = self.kf.predict(t.mean, t.cov)
        if self.camera_shift_from_tracks and (self.camera_dx or self.camera_dy):
            # the camera moved last frame and is assumed to move alike now: every prediction moves with it
            for t in pool + unconfirmed:
                t.mean[0] += self.camera_dx
                t.mean[1] += self.camera_dy

        taken_dets = []  # the detections a track took, for step 4

        def absorb(t, d):
            was_tracked = t.state == TRACKED
            t.absorb(self.kf, d, fid, refound_takes_score=True)
            taken[d.det_index] = t
            taken_dets.append(d)
            (activated if was_tracked else refound).append(t)

        # 1. high-score detections
        matches, u_track, u_high = linear_assignment(self._box_cost(pool, high, self.fuse_score), self.match_thresh)
        if self.camera_shift_from_tracks:
            # before the matches update the tracks: the innovations are against this frame's predictions
            self._update_camera_shift([(pool[it], high[idet]) for it, idet in matches])
        for it, idet in matches:
            absorb(pool[it], high[idet])
        left = [pool[i] for i in u_track]
        high = [high[i] for i in u_high]
        if self.rematch_after_shift and max(abs(self.frame_dx), abs(self.frame_dy)) >= REMATCH_MIN_SHIFT:
            # 1b. the camera moved more than the carried shift foresaw: the unmatched candidates move by this
            # frame's shift (as the matched ones did by their boxes) and try the high-score boxes left over again
            for t in left:
                t.mean[0] += self.frame_dx
                t.mean[1] += self.frame_dy
            if left and high:
                matches, u_left, u_high = linear_assignment(self._box_cost(left, high, self.fuse_score),
                                                            self.match_thresh)
                for it, idet in matches:
                    absorb(left[it], high[idet])
                left = [left[i] for i in u_left]
                high = [high[i] for i in u_high]

        # 2. low-score detections: tracked leftovers, then recently lost ones
        rows = [t for t in left if t.state == TRACKED]
        if self.low_score_refind_frames > 0:
            rows += [t for t in pool if t.state == LOST and fid - t.frame_id <= self.low_score_refind_frames]
        matches, u_rows, u_low = linear_assignment(self._box_cost(rows, low, False), self.low_match_thresh)
        for it, idet in matches:
            absorb(rows[it], low[idet])
        for it in u_rows:
            t = rows[it]
            if t.state != LOST:
                t.state = LOST
                lost.append(t)

        # 3. unconfirmed tracks against the high-score detections left over (then, with low_score_confirm,
        # the low-score ones left over: below track_thresh, they never start a track in step 4)
        if self.low_score_confirm:
            high += [low[i] for i in u_low]
        matches, u_unc, u_high = linear_assignment(self._box_cost(unconfirmed, high, self.fuse_score),
                                                   self.unconfirmed_thresh)
        for it, idet in matches:
            absorb(unconfirmed[it], high[idet])
        for it in u_unc:
            t = unconfirmed[it]
            if fid - t.start_frame >= self.unconfirmed_frames:
                t.state = REMOVED
                removed.append(t)

        # 4. new tracks, none from a box lying (almost) wholly inside a box a track took in steps 1-3
        taken_boxes = [d._tlwh for d in taken_dets] if self.nested_box_limit > 0 else []
        for idet in u_high:
            d = high[idet]
            if d.score >= self.new_track_thresh and not any(
                    inside_fraction(d._tlwh, b) > self.nested_box_limit for b in taken_boxes):
                d.activate(self.kf, fid, self.next_id)
                self.next_id += 1
                taken[d.det_index] = d
                activated.append(d)

        return _end_frame(self, fid, activated, refound, lost, removed, taken, len(scores))


# The camera shift from the tracks (ByteTracker, camera_shift_from_tracks), as the Java core's ByteTrackAssociation.
SETTLED_TRACKLET_LEN = 5  # a track counts once its velocity has settled: this many consecutive matches
MIN_SETTLED_TRACKS = 5  # fewer give no shift: a median of two or three walkers is no pan
SHIFT_Z = 3.0  # the median must stand this many robust standard errors (1.4826 MAD / sqrt(m)) from 0
REMATCH_MIN_SHIFT = 3.0  # rematch_after_shift: a frame's shift below this on both axes (pixels) gives no rematch


def _median(values):
    """The median; for an even count the mean of the two middle values (as the Java core)."""
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 == 1 else (v[n // 2 - 1] + v[n // 2]) / 2


def _significant_median(innovations):
    """The median innovation on one axis when significant (|median| > SHIFT_Z robust standard errors), else 0."""
    med = _median(innovations)
    se = 1.4826 * _median([abs(v - med) for v in innovations]) / np.sqrt(len(innovations))
    return med if abs(med) > SHIFT_Z * se else 0.0


def _union(a, b):
    seen = {t.track_id for t in a}
    out = list(a)
    for t in b:
        if t.track_id not in seen:
            seen.add(t.track_id)
            out.append(t)
    return out


def _minus(a, b):
    ids = {t.track_id for t in b}
    return [t for t in a if t.track_id not in ids]
