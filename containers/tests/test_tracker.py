import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from motflow_ml.metrics import evaluate
from motflow_ml.tracker import (CHI2_95_4DOF, ByteTracker, JdeTracker, KalmanFilter, inside_fraction, iou_matrix,
                                linear_assignment, rounded_frames, tlwh_to_xyah)


def test_linear_assignment_with_cost_limit():
    cost = np.array([[0.1, 0.35, 0.9], [0.3, 0.5, 0.2], [0.9, 0.9, 0.95]])
    m, ur, uc = linear_assignment(cost, 0.4)
    assert sorted(map(tuple, m.tolist())) == [(0, 0), (1, 2)]
    assert ur.tolist() == [2] and uc.tolist() == [1]
    # a pair at exactly the threshold is matched (the tie with leaving both out goes to the match), above not
    m, ur, uc = linear_assignment(np.array([[0.4]]), 0.4)
    assert m.tolist() == [[0, 0]] and len(ur) == 0 and len(uc) == 0
    m, ur, uc = linear_assignment(np.array([[0.4000001]]), 0.4)
    assert len(m) == 0 and ur.tolist() == [0] and uc.tolist() == [0]
    # infinite (gated) entries are never matched
    m, _, _ = linear_assignment(np.array([[np.inf, 0.3]]), 0.4)
    assert m.tolist() == [[0, 1]]
    m, ur, uc = linear_assignment(np.zeros((0, 3)), 0.4)
    assert len(m) == 0 and uc.tolist() == [0, 1, 2]


def test_linear_assignment_matches_brute_force_of_the_cost_limit_objective():
    rng = np.random.default_rng(5)
    thresh = 0.5
    for _ in range(40):
        r, c = (int(v) for v in rng.integers(1, 5, size=2))
        cost = rng.random((r, c))
        m, ur, uc = linear_assignment(cost, thresh)
        got = sum(cost[a, b] for a, b in m) + thresh / 2 * (len(ur) + len(uc))
        best = float("inf")
        for perm in itertools.permutations(range(max(r, c) + r), r):  # column >= c means "unmatched"
            pairs = [(i, j) for i, j in enumerate(perm) if j < c]
            if any(cost[i, j] > thresh for i, j in pairs):
                continue
            total = sum(cost[i, j] for i, j in pairs) + thresh / 2 * (r + c - 2 * len(pairs))
            best = min(best, total)
        assert got == pytest.approx(best, abs=1e-6)


def test_width_state_kalman_matches_hand_computed_values():
    """The Java KalmanFilterTest's case: start at (100, 200, w 40, h 100), predict, measure the width 30."""
    kf = KalmanFilter(width_state=True)
    z = kf.measurement([80, 150, 40, 100])
    assert z.tolist() == [100, 200, 40, 100]
    mean, cov = kf.initiate(z)
    assert np.allclose(np.diag(cov), [16, 100, 16, 100, 6.25, 39.0625, 6.25, 39.0625])
    mean, cov = kf.predict(mean, cov)
    assert np.allclose(np.diag(cov), [26.25, 164.0625, 26.25, 164.0625, 6.3125, 39.453125, 6.3125, 39.453125])
    assert cov[2, 6] == pytest.approx(6.25)
    mean, cov = kf.update(mean, cov, np.array([100, 200, 30, 100.0]))
    assert mean[2] == pytest.approx(40 - 10 * 26.25 / 30.25)
    assert mean[6] == pytest.approx(-10 * 6.25 / 30.25)
    assert mean[0] == pytest.approx(100) and mean[3] == pytest.approx(100)
    assert cov[2, 2] == pytest.approx(26.25 * 4 / 30.25)
    _, s = kf.project(mean, cov)
    assert s[0, 0] == pytest.approx(cov[0, 0] + mean[2] ** 2 / 400)
    assert s[1, 1] == pytest.approx(cov[1, 1] + 25)
    # the batched gate equals the single one, in width space
    zs = np.array([[103, 198, 33, 104.0], [150, 260, 60, 90.0]])
    assert np.allclose(kf.gating_distances(mean[None], cov[None], zs)[0], kf.gating_distance(mean, cov, zs))


def _predicted_width(kf, widths, h=300.0):
    mean, cov = kf.initiate(kf.measurement([350, 250, widths[0], h]))
    for w in widths[1:]:
        mean, cov = kf.predict(mean, cov)
        mean, cov = kf.update(mean, cov, kf.measurement([500 - w / 2, 250, w, h]))
    mean, _ = kf.predict(mean, cov)
    return mean[2] if kf.width_state else mean[2] * mean[3]


def test_width_state_follows_a_fast_narrowing_box_faster_than_the_aspect_filter():
    """As the Java test: steady at 175 px, then 113; the box of the next frame (68 px) is predicted."""
    widths = [175] * 5 + [113]
    aspect = _predicted_width(KalmanFilter(relative_aspect_noise=True), widths)
    width = _predicted_width(KalmanFilter(relative_aspect_noise=True, width_state=True), widths)
    assert abs(width - 68) < abs(aspect - 68) - 8, (aspect, width)
    assert aspect == pytest.approx(133.06, abs=0.05) and width == pytest.approx(120.44, abs=0.05)  # as in Java


def test_byte_tracker_width_state_outputs_boxes_and_stops_a_lost_tracks_size():
    assert ByteTracker().kf.width_state and not JdeTracker().kf.width_state
    for width_state in (False, True):
        tr = ByteTracker(width_state=width_state)
        for f in range(10):
            w = 80 - 4 * f
            out = tr.update([[100, 50, 100 + w, 200]], [0.9])
        (t,) = out
        assert t.tlwh == pytest.approx([100, 50, 44, 150], abs=1.5)
        assert t.mean[2] == pytest.approx(44 if width_state else 44 / 150, rel=0.05)
        tr.update(np.zeros((0, 4)), [])  # lost
        tr.update(np.zeros((0, 4)), [])  # predicted as lost: velocities of the size zeroed first
        (lost,) = tr.lost
        assert lost.mean[7] == 0
        assert (lost.mean[6] == 0) == width_state  # the aspect velocity keeps running, as in the references


def test_kalman_predicts_constant_velocity_and_gates():
    kf = KalmanFilter()
    mean, cov = kf.initiate(tlwh_to_xyah([100, 100, 40, 100]))
    for k in range(1, 15):
        mean, cov = kf.predict(mean, cov)
        mean, cov = kf.update(mean, cov, tlwh_to_xyah([100 + 3 * k, 100, 40, 100]))
    assert mean[4] == pytest.approx(3.0, abs=0.3)  # learnt vx
    pred, _ = kf.predict(mean, cov)
    assert pred[0] == pytest.approx(120 + 3 * 15, abs=1.0)
    near = kf.gating_distance(mean, cov, np.array([tlwh_to_xyah([142, 100, 40, 100])]))
    far = kf.gating_distance(mean, cov, np.array([tlwh_to_xyah([400, 300, 40, 100])]))
    assert near[0] < CHI2_95_4DOF < far[0]


def _frame(boxes, feats, score=0.9):
    tlbr = np.array([[x, y, x + w, y + h] for x, y, w, h in boxes], float).reshape(-1, 4)
    feats = np.array(feats, float).reshape(len(boxes), -1) if boxes else np.zeros((0, 4))
    return tlbr, np.full(len(boxes), score), feats


def test_tracks_keep_ids_and_are_confirmed_on_the_second_frame():
    tr = JdeTracker(det_thresh=0.5)
    e1, e2 = [1, 0, 0, 0], [0, 1, 0, 0]
    out = tr.update(*_frame([(10, 10, 20, 50), (200, 10, 20, 50)], [e1, e2]))
    assert sorted(t.track_id for t in out) == [1, 2]  # frame 1: confirmed at once, ids from 1
    for k in range(1, 10):
        out = tr.update(*_frame([(10 + 2 * k, 10, 20, 50), (200 - 2 * k, 10, 20, 50)], [e1, e2]))
        by_id = {t.track_id: t for t in out}
        assert sorted(by_id) == [1, 2]
        assert by_id[1].tlwh[0] == pytest.approx(10 + 2 * k, abs=1.0)
    # a new object after frame 1 needs a second frame to be confirmed
    boxes = [(30, 10, 20, 50), (180, 10, 20, 50), (100, 100, 20, 50)]
    out = tr.update(*_frame(boxes, [e1, e2, [0, 0, 1, 0]]))
    assert sorted(t.track_id for t in out) == [1, 2]
    out = tr.update(*_frame(boxes, [e1, e2, [0, 0, 1, 0]]))
    assert sorted(t.track_id for t in out) == [1, 2, 3]


def test_low_scores_do_not_start_tracks_and_lost_tracks_are_refound_by_embedding():
    tr = JdeTracker(det_thresh=0.5, track_buffer=30, max_lost_seconds=None)  # FairMOT's memory: 30 frames
    assert tr.update(*_frame([(10, 10, 20, 50)], [[1, 0]], score=0.3)) == []
    e = [0.6, 0.8]
    for k in range(3):
        out = tr.update(*_frame([(50, 50, 20, 50)], [e]))
    tid = out[0].track_id
    for _ in range(5):  # occluded: no detections
        assert tr.update(*_frame([], [])) == []
    out = tr.update(*_frame([(52, 50, 20, 50)], [e]))
    assert [t.track_id for t in out] == [tid]
    # after more than track_buffer frames lost, the identity is gone
    for _ in range(32):
        tr.update(*_frame([], []))
    out = tr.update(*_frame([(52, 50, 20, 50)], [e]))
    out = tr.update(*_frame([(52, 50, 20, 50)], [e]))
    assert [t.track_id for t in out] == [tid + 1]


def test_crossing_objects_keep_identities_through_embeddings():
    rng = np.random.default_rng(0)
    ea, eb = rng.normal(size=16), rng.normal(size=16)
    tr = JdeTracker(det_thresh=0.5)
    gt, hyp = {}, {}
    for f in range(1, 41):
        a = (10 + 5 * f, 40, 30, 80)
        b = (210 - 5 * f, 44, 30, 80)
        gt[f] = np.array([[1, *a], [2, *b]], float)
        noise = lambda: rng.normal(scale=0.05, size=16)
        out = tr.update(*_frame([a, b], [ea + noise(), eb + noise()]))
        hyp[f] = np.array([[t.track_id, *t.tlwh] for t in out], float).reshape(-1, 5)
    m = evaluate(gt, hyp)
    assert m["IDSW"] == 0 and m["MOTA"] > 0.95 and m["IDF1"] > 0.95


def _boxes(*boxes):
    tlbr = np.array([[x, y, x + w, y + h] for x, y, w, h, _ in boxes], float).reshape(-1, 4)
    return tlbr, np.array([b[4] for b in boxes], float)


def _det_ids(tr):
    return [t.track_id if t is not None else 0 for t in tr.detection_tracks]


def test_bytetrack_low_score_boxes_find_again_recently_lost_tracks_only_by_default():
    for refind, want in ((30, 1), (0, 0)):
        tr = ByteTracker(low_score_refind_buffer=refind)
        for k in range(5):
            tr.update(*_boxes((100 + 2 * k, 100, 50, 120, 0.9)))
        tr.update(*_boxes())
        tr.update(*_boxes())  # lost for 2 frames
        tr.update(*_boxes((114, 100, 50, 120, 0.3)))
        assert _det_ids(tr) == [want], f"refind buffer {refind}"
        assert len(tr.lost) == (0 if want else 1)
    # low-score boxes never start tracks
    tr = ByteTracker()
    assert tr.update(*_boxes((100, 100, 50, 120, 0.3))) == [] and tr.next_id == 1


def test_bytetrack_low_score_floor_is_zero_by_default_and_point_one_in_bytetrack():
    for low_thresh, want in ((0.0, [1]), (0.1, [0])):
        tr = ByteTracker(low_thresh=low_thresh)
        for k in range(2):
            tr.update(*_boxes((100, 100, 50, 120, 0.9)))
        tr.update(*_boxes((101, 100, 50, 120, 0.05)))
        assert _det_ids(tr) == want, f"low_thresh {low_thresh}"
    # below 0.1 a box continues a track but never starts one
    tr = ByteTracker()
    assert tr.update(*_boxes((100, 100, 50, 120, 0.05))) == [] and tr.next_id == 1


def test_bytetrack_a_box_inside_a_box_a_track_took_starts_no_track():
    person, partial, behind = (100, 100, 60, 150, 0.9), (110, 115, 36, 80, 0.8), (130, 90, 60, 150, 0.9)
    assert inside_fraction(partial[:4], person[:4]) == 1.0 and inside_fraction(behind[:4], person[:4]) == 30 * 140 / (60 * 150)
    assert inside_fraction(person[:4], (400, 100, 60, 150)) == 0.0
    tr = ByteTracker()
    assert tr.nested_box_limit == 0.9
    tr.update(*_boxes(person))
    for _ in range(5):
        tr.update(*_boxes(person, partial))
        assert _det_ids(tr) == [1, 0], "the partial box never starts a track"
    tr.update(*_boxes(person, behind))
    tr.update(*_boxes(person, behind))
    assert _det_ids(tr) == [1, 2], "someone half behind the person does"
    off = ByteTracker(nested_box_limit=0.0)  # the references' rule
    for _ in range(3):
        off.update(*_boxes(person, partial))
    assert _det_ids(off) == [1, 2]


def test_motflows_durations_round_half_up_and_the_reference_buffer_truncates():
    assert [rounded_frames(25, 2), rounded_frames(15, 5), rounded_frames(25, 10), rounded_frames(25, 5)] == [2, 3, 8, 4]
    tr = ByteTracker(fps=25)
    assert (tr.unconfirmed_frames, tr.low_score_refind_frames, tr.short_track_lost_frames, tr.short_track_span) == (
        2, 25, 8, 4)
    assert ByteTracker(fps=29.97).max_time_lost == 29  # int(29.97 / 30 * 30), as ByteTrack


def test_bytetrack_gives_a_new_track_two_frames_to_be_confirmed_scaled_by_fps():
    tr = ByteTracker()
    tr.update(*_boxes((100, 100, 50, 120, 0.9)))
    tr.update(*_boxes((100, 100, 50, 120, 0.9), (600, 100, 50, 120, 0.9)))
    assert _det_ids(tr) == [1, 0]  # id 2 unconfirmed
    tr.update(*_boxes((100, 100, 50, 120, 0.9)))  # missed once: kept
    out = tr.update(*_boxes((100, 100, 50, 120, 0.9), (601, 100, 50, 120, 0.9)))
    assert sorted(t.track_id for t in out) == [1, 2]
    # missed twice: removed; ByteTrack's own rule (unconfirmed_buffer=1) removes at the first miss
    # 2 frames at 30 fps are 2 at 25 fps (1.67 rounded half up, as rounded_frames): one miss is kept there
    for buffer, fps, misses, kept in ((2, 30, 2, False), (1, 30, 1, False), (2, 60, 3, True), (2, 25, 1, True),
                                      (2, 25, 2, False)):
        tr = ByteTracker(unconfirmed_buffer=buffer, fps=fps)
        tr.update(*_boxes((100, 100, 50, 120, 0.9)))
        tr.update(*_boxes((100, 100, 50, 120, 0.9), (600, 100, 50, 120, 0.9)))
        for _ in range(misses):
            tr.update(*_boxes((100, 100, 50, 120, 0.9)))
        tr.update(*_boxes((100, 100, 50, 120, 0.9), (600, 100, 50, 120, 0.9)))
        assert (_det_ids(tr) == [1, 2]) == kept, (buffer, fps, misses)


def _panning(f):
    """The Java CameraShiftTest's scene: 8 standing people; from frame 11 the camera pans so that every box
    moves 20 px a frame to the right; person 0 is missed in frames 15 and 16."""
    pan = 20.0 * (f - 10) if f >= 11 else 0.0
    return _boxes(*[(60 + 110 * i + pan, 200 + 150 * (i % 2), 40, 100, 0.9) for i in range(8)
                    if not (i == 0 and f in (15, 16))])


def test_bytetrack_learns_a_camera_pan_and_finds_a_track_missed_two_frames_again():
    for on in (True, False):
        tr = ByteTracker(camera_shift_from_tracks=on)
        for f in range(1, 25):
            tr.update(*_panning(f))
            if f < 11 or not on:
                assert tr.camera_dx == 0.0, f
            else:
                assert tr.camera_dx > 0, f
            if on and f == 11:
                assert tr.camera_dx == pytest.approx(10.0, abs=1e-3)  # every settled track agrees, carried halved
            assert tr.camera_dy == 0.0, f
            if f == 17:
                # with the shift person 0 keeps id 1; without it the lagging prediction misses and it restarts
                assert (_det_ids(tr)[0] == 1) == on, on
        assert (tr.next_id - 1 == 8) == on, on


def _turning(f):
    """Six people close to the camera (120 x 240) and two far off (40 x 100); from frame 11 every box moves
    40 px a frame to the right (the Java core's CameraShiftTest.turning)."""
    turn = 40 * (f - 10) if f >= 11 else 0
    boxes = [(60 + 150 * i + turn, 100, 120, 240, 0.9) for i in range(6)]
    return boxes + [(1000 + turn, 400, 40, 100, 0.9), (1100 + turn, 420, 40, 100, 0.9)]


def test_bytetrack_rematch_after_the_frames_shift_keeps_far_people_through_a_sudden_turn():
    on, off = ByteTracker(), ByteTracker(rematch_after_shift=False)
    assert on.rematch_after_shift and not ByteTracker(camera_shift_from_tracks=False).rematch_after_shift
    for f in range(1, 21):
        on.update(*_boxes(*_turning(f)))
        off.update(*_boxes(*_turning(f)))
        assert _det_ids(on) == [1, 2, 3, 4, 5, 6, 7, 8], f
        if f == 11:
            assert on.frame_dx == 40 and _det_ids(off) == [1, 2, 3, 4, 5, 6, 0, 0]
    assert on.next_id == 9 and off.next_id > 9


def test_bytetrack_static_camera_gets_no_shift_that_matters():
    # People walking each their own way with 1 px jitter: the same ids as without the shift; the gate passes on
    # noise now and then (its standard error is the mean's, 1.25 times smaller than the median's), sub-pixel.
    rnd = np.random.default_rng(3)
    start = np.c_[rnd.uniform(50, 850, 12), rnd.uniform(100, 500, 12), rnd.uniform(-3, 3, 12), rnd.uniform(-1, 1, 12)]
    on, off = ByteTracker(), ByteTracker(camera_shift_from_tracks=False)
    shifted = 0
    for f in range(1, 61):
        boxes = [(x + vx * f + rnd.normal(), y + vy * f + rnd.normal(), 40, 100, 0.9) for x, y, vx, vy in start]
        on.update(*_boxes(*boxes))
        off.update(*_boxes(*boxes))
        assert _det_ids(on) == _det_ids(off), f
        assert abs(on.camera_dx) < 1 and abs(on.camera_dy) < 1, (f, on.camera_dx, on.camera_dy)
        shifted += on.camera_dx != 0 or on.camera_dy != 0
    assert shifted <= 10, shifted
    # standing people seen exactly: every innovation is 0, so is the shift
    still = ByteTracker()
    for _ in range(30):
        still.update(*_panning(1))
        assert still.camera_dx == 0.0 and still.camera_dy == 0.0


def test_camera_shift_median_and_defaults():
    from motflow_ml.tracker import _median
    assert _median([4, 1, 3, 2]) == 2.5 and _median([5, 1, 3, 2, 4]) == 3
    assert ByteTracker().camera_shift_from_tracks


def test_bytetrack_fused_cost_prefers_the_confident_box():
    # The 0.55 box overlaps the track a little more; with score fusion the 0.95 box wins.
    for fuse, want in ((False, [1, 0]), (True, [0, 1])):
        tr = ByteTracker(fuse_score=fuse)
        tr.update(*_boxes((100, 100, 50, 120, 0.9)))
        tr.update(*_boxes((108, 100, 50, 120, 0.55), (90, 100, 50, 120, 0.95)))
        assert _det_ids(tr) == want, fuse


def test_iou_matrix():
    iou = iou_matrix([[0, 0, 10, 10]], [[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]])
    np.testing.assert_allclose(iou, [[1.0, 50 / 150, 0.0]])


VECTORS = Path(__file__).resolve().parents[2] / "test-vectors" / "association"
VECTOR_FILES = sorted(VECTORS.glob("*.json")) if VECTORS.is_dir() else []


def test_shared_association_vectors_are_present():
    # Missing vectors fail rather than skip: they are what holds this tracker to the Java one.
    assert VECTORS.is_dir(), f"shared association vectors missing: no folder {VECTORS}"
    assert VECTOR_FILES, f"shared association vectors missing: no *.json in {VECTORS}"


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[p.stem for p in VECTOR_FILES])
def test_shared_association_vectors_jde(path):
    from vectors import replay
    assert replay(path) > 0


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[p.stem for p in VECTOR_FILES])
def test_shared_association_vectors_bytetrack(path):
    from vectors import replay
    assert replay(path, "bytetrack") > 0


def test_jde_memory_is_given_in_seconds_and_converted_with_the_frame_rate():
    assert JdeTracker(fps=10).max_time_lost == 40  # 4 s
    assert JdeTracker(fps=25, max_lost_seconds=2.5).max_time_lost == 62
    assert JdeTracker(fps=25, reid_thresh=0.25).reid_after_frames == 25  # 1 s
    assert JdeTracker(fps=25).reid_after_frames is None  # off by default, as in FairMOT
    # FairMOT's memory: track_buffer frames at 30 fps; ByteTracker keeps it too
    assert JdeTracker(fps=25, max_lost_seconds=None).max_time_lost == 25
    assert ByteTracker(fps=25).max_time_lost == 25
    assert JdeTracker(fps=25, reid_thresh=None).reid_after_frames is None


def test_long_lost_tracks_are_matched_by_embedding_alone_under_the_stricter_limit():
    def run(reid_thresh, second):
        tr = JdeTracker(fps=10, det_thresh=0.5, reid_thresh=reid_thresh)  # re-id after 10 frames lost
        e = [1.0, 0.0, 0.0, 0.0]
        for _ in range(3):
            tr.update(*_frame([(100, 100, 40, 100)], [e]))
        for _ in range(15):  # lost for 1.5 s
            tr.update(*_frame([], []))
        tr.update(*_frame([(700, 300, 40, 100)], [second]))
        return tr.update(*_frame([(700, 300, 40, 100)], [second]))[0].track_id
    same, similar = [1.0, 0.05, 0.0, 0.0], [0.72, 0.7, 0.0, 0.0]  # cosine distance ~0.001 / ~0.28
    assert run(0.25, same) == 1  # far from where it was lost, found by its embedding
    assert run(0.25, similar) == 2  # a look-alike is not taken for it
    assert run(0.3, similar) == 1
    assert run(None, same) == 2  # without it (the default) the gate decides: 600 px away after 1.5 s is outside


def test_batched_gating_equals_one_track_at_a_time():
    kf = KalmanFilter()
    rng = np.random.default_rng(3)
    means, covs = [], []
    for i in range(5):
        m, c = kf.initiate(np.array([100.0 + 30 * i, 200.0, 0.4, 120.0 + i]))
        for _ in range(i + 1):
            m, c = kf.predict(m, c)
        means.append(m)
        covs.append(c)
    zs = rng.normal(size=(7, 4)) * [20, 20, 0.05, 10] + [150, 200, 0.4, 120]
    batched = kf.gating_distances(np.stack(means), np.stack(covs), zs)
    single = np.stack([kf.gating_distance(m, c, zs) for m, c in zip(means, covs)])
    np.testing.assert_allclose(batched, single, rtol=1e-12, atol=0)
