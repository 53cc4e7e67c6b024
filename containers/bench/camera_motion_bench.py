"""Camera-motion compensation: what it gains on a moving camera, what it changes on a static one, and what
it costs per 1920x1080 frame. Prints figures; asserts nothing.

    containers/.venv/bin/python containers/bench/camera_motion_bench.py [--seeds 1,2,3] [--frames 300]
        [--width 960 --height 540] [--testdata ../shared/testdata] [--skip track,real,cost]

track: synthetic sequences (motflow_ml.synth_camera, seeded) seen by a panning + shaking camera, a shaking
  one and a static one; detections derived from ground truth (gt_detections: occlusion-dependent misses,
  jitter, false positives, noisy embeddings); the pipeline's tracking (pipeline.track_frames, JdeTracker)
  and the appearance-free ByteTracker, each without and with compensation, and with the true camera
  motion in place of the estimate (what a perfect estimator would give); HOTA / MOTA / IDF1 / IDSW
  (motflow_ml.metrics, MOT15 rules: every ground-truth box counts) per scenario, summed over the seeds,
  and the estimated warp's error against the true camera motion.
real: the real static 1920x1080 frames of MOT17-02 / MOT17-04 in the test data (4 and 8 frames):
  the estimated warps (should be the identity) and the tracking scores with detections from their gt.
cost: milliseconds per 1920x1080 frame of SparseFlowEstimator.estimate (grey, shrink, corners, optical
  flow, RANSAC) for several max_side values, on the MOT17-04 frames (or synthetic ones without them).
"""
import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

CONTAINERS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CONTAINERS))

from motflow_ml import synth_camera as sc  # noqa: E402
from motflow_ml.camera_motion import SparseFlowEstimator  # noqa: E402
from motflow_ml.metrics import combine, evaluate  # noqa: E402
from motflow_ml.pipeline import track_frames  # noqa: E402
from motflow_ml.tracker import ByteTracker  # noqa: E402

SCENARIOS = {  # name -> (top pan speed as a fraction of the frame width per frame, shake in px at 960 wide)
    "pan + shake": (0.02, 4.0),
    "shake only": (0.0, 4.0),
    "static": (0.0, 0.0),
}


class TrueMotion:
    """The camera's real motion (the window's offsets) as an estimator: what perfect estimates would give."""

    def __init__(self, seq):
        self.offsets, self.n = seq.offsets, 0

    def estimate(self, frame, boxes_tlbr=None):
        warp = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
        if self.n:
            warp[:, 2] = -(self.offsets[self.n] - self.offsets[self.n - 1])
        self.n += 1
        return warp


def estimator(seq, mode, max_side):
    if mode == "sparse_flow":
        return SparseFlowEstimator(max_side=max_side)
    return TrueMotion(seq) if mode == "true motion" else None


def track_jde(seq, dets, mode, max_side):
    cmc = estimator(seq, mode, max_side) or "none"
    return track_frames(sc.ReplayPredictor(dets), iter(seq.frames), fps=seq.fps, camera_motion=cmc).as_gt_dict()


def track_byte(seq, dets, mode, max_side):
    tracker = ByteTracker(fps=seq.fps)
    est = estimator(seq, mode, max_side)
    out = {}
    for f, (frame, d) in enumerate(zip(seq.frames, dets), start=1):
        if est is not None:
            tracker.apply_camera_motion(est.estimate(frame, d.tlbr))
        for t in tracker.update(d.tlbr, d.scores):
            out.setdefault(f, []).append([t.track_id, *t.tlwh])
    return {f: np.array(v) for f, v in out.items()}


def warp_errors(seq, max_side):
    """Shift error (px) of each frame's estimate against the window's true motion, masking the gt boxes."""
    est = SparseFlowEstimator(max_side=max_side)
    errs = []
    for i, frame in enumerate(seq.frames):
        r = seq.gt[i + 1]
        w = est.estimate(frame, np.c_[r[:, 1:3], r[:, 1:3] + r[:, 3:5]] if len(r) else None)
        if i:
            true = -(seq.offsets[i] - seq.offsets[i - 1])
            errs.append(float(np.hypot(*(w[:, 2] - true))))
    return errs


def fmt(m):
    return f"{100 * m['HOTA']:6.1f} {100 * m['MOTA']:6.1f} {100 * m['IDF1']:6.1f} {m['IDSW']:5d}"


def part_track(a):
    seeds = [int(s) for s in a.seeds.split(",")]
    scale = a.width / 960.0
    print(f"track: {len(seeds)} seeds x {a.frames} frames of {a.width}x{a.height}, max_side {a.max_side}; "
          "scores summed over the seeds", flush=True)
    print(f"  {'scenario':<12} {'policy':<10} {'CMC':<12} {'HOTA':>6} {'MOTA':>6} {'IDF1':>6} {'IDSW':>5}   "
          "(per seed HOTA)")
    for name, (pan, shake) in SCENARIOS.items():
        if a.scenarios and name not in a.scenarios.split(","):
            continue
        seqs, errs = [], []
        for s in seeds:
            seq = sc.render(s, frames=a.frames, width=a.width, height=a.height, pan_speed=pan * a.width,
                            shake=shake * scale, noise=4.0)
            seqs.append((seq, sc.gt_detections(seq.gt, s, a.width, a.height)))
            errs += warp_errors(seq, a.max_side)
        for policy, run in (("JDE", track_jde), ("ByteTrack", track_byte)):
            for mode in ("none", "sparse_flow", "true motion") if pan or shake else ("none", "sparse_flow"):
                per = [evaluate(sc.gt_boxes(seq.gt), run(seq, dets, mode, a.max_side)) for seq, dets in seqs]
                each = ", ".join(f"{100 * m['HOTA']:.1f}" for m in per)
                print(f"  {name:<12} {policy:<10} {mode:<12} {fmt(combine(per))}   ({each})", flush=True)
        if errs:
            e = np.array(errs)
            print(f"  {name}: warp shift error vs the true camera motion: median {np.median(e):.3f} px, "
                  f"95th percentile {np.percentile(e, 95):.3f} px, max {e.max():.2f} px over {len(e)} frame pairs")


def read_gt(seq_dir):
    rows = np.loadtxt(seq_dir / "gt" / "gt.txt", delimiter=",", ndmin=2)
    rows = rows[(rows[:, 6] != 0) & (rows[:, 7] == 1)]  # MOTChallenge: pedestrians marked to be scored
    return {int(f): rows[rows[:, 0] == f][:, [1, 2, 3, 4, 5, 8]] for f in np.unique(rows[:, 0])}


def part_real(a):
    root = Path(a.testdata) / "mot17-frames"
    if not root.is_dir():
        print(f"real: skipped ({root} not found)")
        return
    for seq_dir in sorted(p for p in root.iterdir() if (p / "img1").is_dir()):
        paths = sorted((seq_dir / "img1").glob("*.jpg"))
        frames = [cv2.imread(str(p)) for p in paths]
        h, w = frames[0].shape[:2]
        gt = {f: v for f, v in read_gt(seq_dir).items() if f <= len(frames)}
        est = SparseFlowEstimator(max_side=a.max_side)
        shifts, lin = [], []
        for i, frame in enumerate(frames):
            r = gt.get(i + 1, np.zeros((0, 6)))
            warp = est.estimate(frame, np.c_[r[:, 1:3], r[:, 1:3] + r[:, 3:5]])
            if i:
                shifts.append(float(np.hypot(*warp[:, 2])))
                lin.append(float(np.abs(warp[:, :2] - np.eye(2)).max()))
        seq = sc.MovingSequence(frames, gt, np.zeros((len(frames), 2)))
        dets = sc.gt_detections(gt, 1, w, h)
        print(f"real {seq_dir.name} ({len(frames)} frames {w}x{h}, static camera): estimated shift max "
              f"{max(shifts):.3f} px, linear part max |A - I| {max(lin):.5f}")
        for mode in ("none", "sparse_flow"):
            m = evaluate(sc.gt_boxes(gt), track_jde(seq, dets, mode, a.max_side))
            print(f"  JDE {mode:<12} HOTA {100 * m['HOTA']:.1f} MOTA {100 * m['MOTA']:.1f} IDF1 "
                  f"{100 * m['IDF1']:.1f} IDSW {m['IDSW']}")


def part_cost(a):
    src = Path(a.testdata) / "mot17-frames" / "MOT17-04-FRCNN" / "img1"
    paths = sorted(src.glob("*.jpg"))
    if paths:
        frames = [cv2.imread(str(p)) for p in paths]
        what = f"{len(frames)} MOT17-04 frames"
    else:
        seq = sc.render(1, frames=8, width=1920, height=1080, pan_speed=24.0, shake=6.0)
        frames, what = seq.frames, "8 synthetic frames"
    # One OpenCV thread and the process's CPU time as well as wall time: on a shared machine the wall
    # clock measures the neighbours too; CPU time is what a frame costs this process.
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    print(f"cost per 1920x1080 frame ({what}, each run {a.cost_rounds} times in order; one OpenCV thread; "
          "ms: CPU time median / fastest, wall time median / fastest):")
    for side in (320, 480, 640, 960):
        est = SparseFlowEstimator(max_side=side)
        cpu, wall = [], []
        for _ in range(a.cost_rounds):
            est.reset()
            for frame in frames:
                c, t = time.process_time(), time.perf_counter()
                est.estimate(frame)
                cpu.append(time.process_time() - c)
                wall.append(time.perf_counter() - t)
        cpu, wall = np.array(cpu[1:]) * 1000, np.array(wall[1:]) * 1000
        print(f"  max_side {side:4d}: CPU {np.median(cpu):6.2f} / {cpu.min():6.2f}   wall {np.median(wall):6.2f} / "
              f"{wall.min():6.2f}" + ("   (the default)" if side == SparseFlowEstimator().max_side else ""))
    cv2.setNumThreads(threads)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--width", type=int, default=960)
    ap.add_argument("--height", type=int, default=540)
    ap.add_argument("--max-side", type=int, default=SparseFlowEstimator().max_side,
                    help="shrink size of the estimator in the track and real parts")
    ap.add_argument("--testdata", default=str(CONTAINERS.parent.parent / "shared" / "testdata"))
    ap.add_argument("--cost-rounds", type=int, default=10)
    ap.add_argument("--scenarios", default="", help=f"comma-separated, of: {', '.join(SCENARIOS)} (default all)")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: track, real, cost")
    a = ap.parse_args(argv)
    skip = set(filter(None, a.skip.split(",")))
    if "cost" not in skip:
        part_cost(a)
    if "real" not in skip:
        part_real(a)
    if "track" not in skip:
        part_track(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
