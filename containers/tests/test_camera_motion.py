"""Camera-motion compensation: the estimator, the tracker's state warp, the pipeline setting."""
import functools
import json

import cv2
import numpy as np
import pytest

from motflow_ml import synth_camera as sc
from motflow_ml.camera_motion import SparseFlowEstimator, identity, make_estimator
from motflow_ml.metrics import evaluate
from motflow_ml.pipeline import track_frames
from motflow_ml.synth import make_background
from motflow_ml.tracker import ByteTracker, JdeTracker


def textured(h, w, seed=0):
    rng = np.random.default_rng(seed)
    img = make_background(rng, h, w)
    return np.clip(img, 0, 255).astype(np.uint8)


def moved(img, warp, seed):
    """img seen after the camera moved by `warp` (previous pixels -> new pixels), with new sensor noise."""
    h, w = img.shape[:2]
    out = cv2.warpAffine(img, warp, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    noise = np.random.default_rng(seed).normal(0, 2, out.shape)
    return np.clip(out + noise, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("size", [(180, 320), (720, 1280)])  # at max_side (not shrunk) and above it (shrunk)
def test_recovers_a_known_translation(size):
    img = textured(*size, seed=1)
    true = np.array([[1.0, 0.0, 7.3], [0.0, 1.0, -4.6]])
    est = SparseFlowEstimator()
    assert np.array_equal(est.estimate(img), identity())  # the first frame has no previous one
    got = est.estimate(moved(img, true, 2))
    assert np.abs(got[:, 2] - true[:, 2]).max() < 0.25
    assert np.abs(got[:, :2] - np.eye(2)).max() < 0.003
    assert est.last_inliers >= 50


def test_recovers_a_known_rotation_and_shift():
    img = textured(360, 640, seed=3)
    true = cv2.getRotationMatrix2D((320, 180), 2.0, 1.0)  # 2 degrees about the centre
    true[:, 2] += (-5.0, 3.0)
    est = SparseFlowEstimator()
    est.estimate(img)
    warp = est.estimate(moved(img, true, 4))
    angle = np.degrees(np.arctan2(warp[1, 0], warp[0, 0]))
    assert abs(angle - (-2.0)) < 0.05  # OpenCV's positive angle turns the image anticlockwise: -2 in y-down terms
    assert abs(np.hypot(warp[0, 0], warp[1, 0]) - 1.0) < 0.003
    # where the frame's corners and centre go, within a quarter pixel
    pts = np.array([[0, 0, 1], [639, 0, 1], [0, 359, 1], [639, 359, 1], [320, 180, 1]], np.float64)
    assert np.abs(pts @ warp.T - pts @ true.T).max() < 0.25


def test_static_pair_gives_the_identity():
    img = textured(360, 640, seed=5)
    est = SparseFlowEstimator()
    est.estimate(moved(img, identity(), 6))
    warp = est.estimate(moved(img, identity(), 7))  # same view, new sensor noise only
    assert np.abs(warp - identity()).max() < 0.05


def test_too_few_points_falls_back_to_the_identity():
    est = SparseFlowEstimator()
    blank = np.full((360, 640, 3), 128, np.uint8)
    est.estimate(blank)
    assert np.array_equal(est.estimate(blank), identity()) and est.last_inliers == 0
    # a textured frame whose every corner is inside a detection box: nothing to follow
    img = textured(360, 640, seed=8)
    est = SparseFlowEstimator()
    est.estimate(img, [[0, 0, 640, 360]])
    assert np.array_equal(est.estimate(moved(img, np.array([[1.0, 0, 5], [0, 1.0, 0]]), 9)), identity())
    # a frame of another size (a new stream segment) starts over
    est = SparseFlowEstimator()
    est.estimate(img)
    assert np.array_equal(est.estimate(textured(180, 320, seed=8)), identity())


def test_detection_boxes_keep_moving_people_out_of_the_estimate():
    """Half the frame is one big 'person' moving 12 px right while the camera moves 3 px left: without
    the mask the fit may follow either; with it, the camera."""
    bg = textured(360, 640, seed=10)
    person = textured(360, 640, seed=11)
    a = bg.copy()
    a[60:300, 300:560] = person[60:300, 300:560]
    cam = np.array([[1.0, 0, -3.0], [0, 1.0, 0]])
    b = moved(bg, cam, 12)
    b[60:300, 297 + 12:557 + 12] = person[60:300, 300:560]
    est = SparseFlowEstimator()
    est.estimate(a, [[290, 50, 570, 310]])
    warp = est.estimate(b, [[299, 50, 579, 310]])
    assert abs(warp[0, 2] - (-3.0)) < 0.3 and abs(warp[1, 2]) < 0.3


def _tracker_with_one_track(cls=JdeTracker):
    tr = cls()
    box = np.array([[100.0, 50.0, 140.0, 150.0]])
    for _ in range(3):  # confirmed and still: zero velocity
        if not isinstance(tr, ByteTracker):
            tr.update(box, [0.9], np.ones((1, 4)) / 2)
        else:
            tr.update(box, [0.9])
    (t,) = tr.tracked
    return tr, t, box


@pytest.mark.parametrize("cls", [JdeTracker, ByteTracker, functools.partial(ByteTracker, width_state=False)],
                         ids=["jde", "bytetrack-width", "bytetrack-aspect"])
def test_warp_moves_every_track_state(cls):
    tr, t, box = _tracker_with_one_track(cls)
    before_box, before_cov = t.tlbr.copy(), t.cov.copy()
    tr.apply_camera_motion([[1.0, 0.0, 25.0], [0.0, 1.0, -10.0]])
    assert np.allclose(t.tlbr, before_box + [25, -10, 25, -10])
    assert np.allclose(t.cov, before_cov)  # a pure shift leaves the uncertainty as it was
    # a zoom about the origin by 1.2: centre and height scale, the aspect ratio stays (the width scales)
    tr.apply_camera_motion([[1.2, 0.0, 0.0], [0.0, 1.2, 0.0]])
    x1, y1, x2, y2 = before_box + [25, -10, 25, -10]
    assert np.allclose(t.tlbr, [1.2 * x1, 1.2 * y1, 1.2 * x2, 1.2 * y2])
    assert np.isclose(t.cov[0, 0], 1.44 * before_cov[0, 0]) and np.isclose(t.cov[3, 3], 1.44 * before_cov[3, 3])
    size = 1.44 if tr.kf.width_state else 1.0
    assert np.isclose(t.cov[2, 2], size * before_cov[2, 2]) and np.isclose(t.cov[6, 6], size * before_cov[6, 6])


def test_warp_moves_the_predicted_box_so_the_track_keeps_its_id():
    """The camera jumps 60 px: the person's box jumps with it. Warped, the track's prediction is where
    the box is and the id stays; not warped, the box is beyond the IoU gate and a new id starts."""
    taken_by = {}
    for warped in (False, True):
        tr, t, box = _tracker_with_one_track(ByteTracker)
        if warped:
            tr.apply_camera_motion([[1.0, 0.0, 60.0], [0.0, 1.0, 0.0]])
        tr.update(box + [60, 0, 60, 0], [0.9])
        tr.update(box + [60, 0, 60, 0], [0.9])
        taken_by[warped] = (t.track_id, tr.detection_tracks[0].track_id)
    old_id, now = taken_by[True]
    assert now == old_id
    old_id, now = taken_by[False]
    assert now != old_id


def test_make_estimator_modes():
    assert make_estimator(None) is None and make_estimator("none") is None
    assert isinstance(make_estimator("sparse_flow"), SparseFlowEstimator)
    with pytest.raises(ValueError, match="camera_motion must be one of none, sparse_flow"):
        make_estimator("ecc")


def _track(seq, dets, camera_motion, cfg=None):
    res = track_frames(sc.ReplayPredictor(dets, cfg=cfg), iter(seq.frames), camera_motion=camera_motion)
    return evaluate(sc.gt_boxes(seq.gt), res.as_gt_dict())


def test_pipeline_with_compensation_keeps_ids_on_a_panning_camera():
    # Measured (seed 1, 60 frames, 320x180, pan up to 12 px/frame): without HOTA 0.441 IDF1 0.584 IDSW 8,
    # with 0.578 / 0.793 / 0.
    seq = sc.render(1, frames=60, width=320, height=180, ids=10, pan_speed=12.0, shake=2.0)
    dets = sc.gt_detections(seq.gt, 1, 320, 180)
    off = _track(seq, dets, None)
    on = _track(seq, dets, "sparse_flow")
    assert on["IDF1"] > off["IDF1"] + 0.12
    assert on["HOTA"] > off["HOTA"] + 0.06
    assert on["IDSW"] + 4 <= off["IDSW"]
    # the model config's key turns it on as the argument does; the argument wins over it
    assert _track(seq, dets, None, cfg={"camera_motion": "sparse_flow"})["IDF1"] == on["IDF1"]
    assert _track(seq, dets, "none", cfg={"camera_motion": "sparse_flow"})["IDF1"] == off["IDF1"]


def test_pipeline_with_compensation_changes_nothing_on_a_static_camera():
    seq = sc.render(2, frames=40, width=320, height=180, ids=8, pan_speed=0.0, shake=0.0)
    dets = sc.gt_detections(seq.gt, 2, 320, 180)
    off, on = _track(seq, dets, "none"), _track(seq, dets, "sparse_flow")
    assert abs(on["HOTA"] - off["HOTA"]) < 0.005 and on["IDSW"] <= off["IDSW"]


def test_processing_job_takes_the_setting(serving_model_dir, tmp_path):
    from conftest import run_module, synth
    root = tmp_path / "optml"
    synth(root / "processing" / "input", 1, 6, seed=41, width=160, height=96)
    args = ["--model-dir", str(serving_model_dir), "--camera-motion", "sparse_flow"]
    proc = run_module("motflow_ml.process", args, opt_ml=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "camera motion sparse_flow" in proc.stdout
    run = json.loads((root / "processing" / "output" / "run_summary.json").read_text())
    assert run["camera_motion"] == "sparse_flow" and run["succeeded"] == 1
    proc = run_module("motflow_ml.process", ["--model-dir", str(serving_model_dir), "--camera-motion", "ecc"],
                      opt_ml=root)
    assert proc.returncode == 2 and "invalid choice: 'ecc'" in proc.stderr


def test_server_refuses_an_unknown_mode_at_start(monkeypatch):
    from motflow_ml.serve import camera_motion_env
    monkeypatch.setenv("MOTFLOW_CAMERA_MOTION", "sparse_flow")
    assert camera_motion_env() == "sparse_flow"
    monkeypatch.setenv("MOTFLOW_CAMERA_MOTION", "")
    assert camera_motion_env() is None  # the model's config.json decides
    monkeypatch.setenv("MOTFLOW_CAMERA_MOTION", "ecc")
    with pytest.raises(ValueError, match="camera_motion must be one of"):
        camera_motion_env()


def test_bench_runs_every_part_small(tmp_path):
    import re
    import subprocess
    import sys
    from conftest import CONTAINERS
    proc = subprocess.run([sys.executable, str(CONTAINERS / "bench" / "camera_motion_bench.py"), "--seeds", "1",
                           "--frames", "12", "--width", "320", "--height", "180", "--cost-rounds", "1",
                           "--testdata", str(tmp_path / "none")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "max_side  320: CPU" in out and "(the default)" in out  # synthetic 1080p frames without test data
    assert "real: skipped" in out
    for scenario in ("pan + shake", "shake only", "static"):
        for policy in ("JDE", "ByteTrack"):
            for mode in ("none", "sparse_flow"):
                row = rf"^  {re.escape(scenario)} +{policy} +{mode} +-?\d+\.\d +-?\d+\.\d +\d+\.\d +\d+ "
                assert re.search(row, out, re.M), (scenario, policy, mode, out)
    assert "warp shift error vs the true camera motion" in out


def test_a_bad_model_setting_fails_the_load_and_the_job(serving_model_dir, tmp_path):
    import shutil
    from conftest import run_module
    from motflow_ml.serve import ModelHolder
    model = tmp_path / "model"
    shutil.copytree(serving_model_dir, model)
    cfg = json.loads((model / "config.json").read_text())
    (model / "config.json").write_text(json.dumps({**cfg, "camera_motion": "ecc"}))
    holder = ModelHolder(model)
    holder.load()
    assert holder.predictor is None and "camera_motion must be one of none, sparse_flow" in holder.error
    root = tmp_path / "optml"
    (root / "processing" / "input" / "v.mp4").parent.mkdir(parents=True)
    (root / "processing" / "input" / "v.mp4").write_bytes(b"x")
    proc = run_module("motflow_ml.process", ["--model-dir", str(model)], opt_ml=root)
    assert proc.returncode == 1
    assert "camera_motion must be one of" in (root / "output" / "failure").read_text()
