"""GPU benchmark of the containers' code; prints its figures (nothing is asserted).

  (a) accuracy: trains on synthetic sequences for at most --train-seconds (training job contract, run
      as `python -m motflow_ml.train` against an /opt/ml-like folder) and reports MOTA / IDF1 on
      held-out synthetic sequences (the job's validation channel);
  (b) throughput: end-to-end batch tracking of a 1920x1080 video at 1088x608 input (decode -> network ->
      association -> MOT file written), for fp32 / fp16 / batch sizes / channels-last + torch.compile /
      parallel decoding, plus the network alone on frames already in GPU memory;
  (c) serving: time from starting `python -m motflow_ml.serve` to /ping 200 and to the first answered
      image and video invocation;
  (d) FairMOT's DLA-34 (backbone dla34, imported with `python -m motflow_ml.import_fairmot` from
      --checkpoint, or from random weights: speed does not depend on them) at 1088x608 on a 1920x1080
      video, end to end (decode, network, association, MOT file written): frames/s for fp32 batch 1 and
      fp16 batches 8 and 32, each without and with torch.compile, in a table beside FairMOT's own figure.

On the GPU machine, from the repository root (each command under 10 minutes; the second reuses the
first one's model and data in the workdir):
    python containers/bench/gpu_bench.py --workdir /tmp/motflow-bench --skip b,c,d
    python containers/bench/gpu_bench.py --workdir /tmp/motflow-bench --skip a,d
    python containers/bench/gpu_bench.py --workdir /tmp/motflow-bench --skip a,b,c --max-seconds 420
CPU smoke run (what the tests do; tiny sizes, seconds):
    python containers/bench/gpu_bench.py --smoke --workdir /tmp/motflow-smoke
"""
import time

STARTED = time.monotonic()  # --max-seconds counts from here, imports included

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import urllib.request  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

CONTAINERS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CONTAINERS))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from motflow_ml import synth  # noqa: E402


def log(msg):
    print(msg, flush=True)


def env_for(opt_ml):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(CONTAINERS) + os.pathsep + env.get("PYTHONPATH", "")
    env["MOTFLOW_OPT_ML"] = str(opt_ml)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def make_sequences(out, seqs, frames, seed, width, height, ids, jobs, prefix):
    out.mkdir(parents=True, exist_ok=True)
    min_h, max_h = max(12.0, height * 0.11), height * 0.42
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as ex:
        futs = [ex.submit(synth.render_sequence, out, f"{prefix}-{seed:04d}-{i + 1:02d}", seed, i, frames, width,
                          height, ids, 30, min_h, max_h, 6.0) for i in range(seqs)]
        return [f.result() for f in futs]


def bench_accuracy(a, work):
    opt_ml = work / "optml"
    train_dir, val_dir = opt_ml / "input" / "data" / "train", opt_ml / "input" / "data" / "validation"
    t0 = time.time()
    if not train_dir.exists():
        make_sequences(train_dir, a.train_seqs, a.frames, 100, a.synth_width, a.synth_height, a.ids, a.jobs, "TRAIN")
        make_sequences(val_dir, a.val_seqs, a.frames, 200, a.synth_width, a.synth_height, a.ids, a.jobs, "HELD")
    log(f"(a) synthetic data: {a.train_seqs} train + {a.val_seqs} held-out sequences x {a.frames} frames "
        f"at {a.synth_width}x{a.synth_height} ({time.time() - t0:.1f}s)")
    hp = {"epochs": str(a.epochs), "batch_size": str(a.batch_size), "lr": str(a.lr), "backbone": a.backbone,
          "input_width": str(a.input_width), "input_height": str(a.input_height),
          "max_train_seconds": str(a.train_seconds), "num_workers": str(a.workers), "lr_step": a.lr_step,
          "eval_tracking": "true", "reid_dim": str(a.reid_dim), "val_frame_stride": "1" if a.smoke else "10"}
    if a.smoke:
        hp.update(neck_channels="32", head_conv="32", max_objs="32")
    (opt_ml / "input" / "config").mkdir(parents=True, exist_ok=True)
    (opt_ml / "input" / "config" / "hyperparameters.json").write_text(json.dumps(hp))
    for stale in (opt_ml / "checkpoints").glob("*"):
        stale.unlink()
    t0 = time.time()
    proc = subprocess.run([sys.executable, "-m", "motflow_ml.train"], env=env_for(opt_ml), cwd=str(CONTAINERS),
                          capture_output=True, text=True)
    wall = time.time() - t0
    if proc.returncode != 0:
        log(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit("(a) training failed")
    for line in proc.stdout.splitlines():
        if line.startswith(("epoch ", "validation_loss=", "train:", "max_train_seconds")):
            log("    " + line)
    card = json.loads((opt_ml / "model" / "model_card.json").read_text())
    m = card["metrics"]["tracking"]["overall"]
    log(f"(a) RESULT training {wall:.0f}s wall ({card['metrics']['epochs_completed']} epochs, "
        f"limit {a.train_seconds}s of optimisation): held-out MOTA={m['MOTA']:.4f} IDF1={m['IDF1']:.4f} "
        f"(FP {m['FP']}, FN {m['FN']}, IDSW {m['IDSW']}, {m['num_gt']} gt boxes)")
    return opt_ml / "model", m


def bench_throughput(a, work, model_dir):
    from motflow_ml.inference import Predictor
    from motflow_ml.pipeline import track_video
    video = work / f"video_{a.video_width}x{a.video_height}_{a.video_frames}.mp4"
    if not video.exists():
        t0 = time.time()
        (seq,) = make_sequences(work / "video_src", 1, a.video_frames, 300, a.video_width, a.video_height, 12, 1, "VID")
        synth.write_mp4(seq, video)
        log(f"(b) wrote {video.name} ({video.stat().st_size / 1e6:.1f} MB, {time.time() - t0:.1f}s)")
    cuda = torch.cuda.is_available()
    overrides = {"input_width": a.input_width, "input_height": a.input_height}
    variants = [("fp32 batch 1", dict(half=False), 1, 1),
                (f"fp32 batch {a.big_batch}", dict(half=False), a.big_batch, 1)]
    if cuda:
        variants += [(f"fp16 batch {a.big_batch}", dict(half=True), a.big_batch, 1),
                     (f"fp16 batch {a.big_batch} + {a.decode_threads} decode threads", dict(half=True), a.big_batch,
                      a.decode_threads),
                     (f"fp16 batch {a.big_batch} channels-last", dict(half=True, channels_last=True), a.big_batch,
                      a.decode_threads)]
        if hasattr(torch, "compile") and not a.no_compile:
            variants.append((f"fp16 batch {a.big_batch} channels-last + torch.compile",
                             dict(half=True, channels_last=True, compile=True), a.big_batch, a.decode_threads))
    else:
        variants.append((f"fp32 batch {a.big_batch} + {a.decode_threads} decode threads", dict(half=False),
                         a.big_batch, a.decode_threads))
    results = {}
    out_dir = work / "throughput"
    out_dir.mkdir(exist_ok=True)
    for name, kw, bs, threads in variants:
        try:
            pred = Predictor.load(model_dir, overrides=overrides, **{k: v for k, v in kw.items() if k == "half"},
                                  **{k: v for k, v in kw.items() if k != "half"})
            # warm-up (and compilation) on the first frames, not timed
            track_video(pred, video, batch_size=bs, max_frames=bs * 3)
            if cuda:
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            res = track_video(pred, video, batch_size=bs, decode_threads=threads)
            (out_dir / f"{len(results)}.txt").write_text(res.mot_text())
            wall = time.perf_counter() - t0
            fps = res.frames / wall
            results[name] = fps
            log(f"(b) RESULT {name}: {res.frames} frames in {wall:.2f}s = {fps:.1f} frames/s end to end "
                f"({len(res.track_summaries())} tracks)")
        except Exception as e:  # one variant failing (e.g. compile on an odd setup) must not hide the others
            log(f"(b) {name}: FAILED {type(e).__name__}: {e}")
    # the network alone (frames already on the device), to show where the end-to-end time goes
    try:
        from motflow_ml.pipeline import iter_video
        frames = []
        for f in iter_video(video):
            frames.append(f)
            if len(frames) == a.big_batch:
                break
        for half in ([False, True] if cuda else [False]):
            pred = Predictor.load(model_dir, overrides=overrides, half=half)
            batch, lb = pred.preprocess(frames)
            for _ in range(3):
                pred.postprocess(pred.forward(batch), lb)
            n = max(3, a.model_iters)
            if cuda:
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            for _ in range(n):
                pred.postprocess(pred.forward(batch), lb)
            if cuda:
                torch.cuda.synchronize()
            fps = n * len(frames) / (time.perf_counter() - t0)
            log(f"(b) RESULT network+decode of peaks only, {'fp16' if half else 'fp32'} batch {len(frames)}: "
                f"{fps:.1f} frames/s")
        t0 = time.perf_counter()
        n = sum(1 for _ in iter_video(video))
        log(f"(b) RESULT video decoding alone (1 thread): {n / (time.perf_counter() - t0):.1f} frames/s")
    except Exception as e:
        log(f"(b) network-only measurement FAILED {type(e).__name__}: {e}")
    return results


# FairMOT's published speed for its whole tracker (DLA-34, 1088x608, fp32, one image at a time): "up to
# 30 FPS" on one RTX 2080 Ti (FairMOT README and paper, Zhang et al. 2021; its MOT17 test table: 25.9 FPS).
REFERENCE_FPS = 30.0
REFERENCE_SOURCE = "FairMOT README/paper: up to 30 FPS, RTX 2080 Ti, fp32 batch 1 (MOT17 test: 25.9)"


class Deadline:
    """--max-seconds over the whole run (0: none): parts and variants not started in time are skipped."""

    def __init__(self, seconds):
        self.end = STARTED + seconds if seconds and seconds > 0 else None

    def left(self):
        return math.inf if self.end is None else self.end - time.monotonic()


def make_video(path, frames, width, height, jobs, work):
    """A synthetic video of `frames` frames: scenes of >= 64 frames rendered in parallel, one after the
    other in the file (a scene cut between them)."""
    scenes = max(1, min(jobs, frames // 64))
    lengths = [frames // scenes + (1 if i < frames % scenes else 0) for i in range(scenes)]
    src = work / f"{path.stem}_src"
    with ProcessPoolExecutor(max_workers=scenes) as ex:
        futs = [ex.submit(synth.render_sequence, src, f"SCENE-{i + 1:02d}", 400, i, n, width, height, 12, 30,
                          max(12.0, height * 0.11), height * 0.42, 6.0) for i, n in enumerate(lengths)]
        seqs = [f.result() for f in futs]
    import cv2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (width, height))
    try:
        for seq in seqs:
            for jpg in sorted((seq / "img1").glob("*.jpg")):
                writer.write(cv2.imread(str(jpg)))
    finally:
        writer.release()
    return path


def fairmot_model(a, work):
    """The model folder part (d) measures: `import_fairmot` of --checkpoint, or of a checkpoint in the
    published layout ({"epoch", "state_dict"} with DataParallel's "module.") holding a freshly
    initialised DLA-34."""
    from motflow_ml.dla import DLASeg
    ckpt = a.checkpoint
    if ckpt is None:
        ckpt = work / "fairmot_dla34_random.pth"
        torch.manual_seed(0)
        state = DLASeg().state_dict()
        # Boxes of a standing person at 1088x608 (40x96 pixels: left, top, right, bottom in stride-4 units):
        # freshly initialised size heads give empty boxes, which decoding drops, leaving nothing to track.
        state["wh.2.bias"] = torch.tensor([5.0, 12.0, 5.0, 12.0])
        torch.save({"epoch": 0, "state_dict": {"module." + k: v for k, v in state.items()}}, str(ckpt))
    out = work / "fairmot-model"
    proc = subprocess.run([sys.executable, "-m", "motflow_ml.import_fairmot", str(ckpt), "--out", str(out), "--force"],
                          env=env_for(work / "optml"), cwd=str(CONTAINERS), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"(d) import_fairmot failed: {proc.stderr[-2000:]}")
    return out


def bench_fairmot(a, work, deadline):
    """(d): end-to-end frames/s of FairMOT's DLA-34 for each variant, as a table beside the reference."""
    from motflow_ml.inference import Predictor
    from motflow_ml.pipeline import track_video
    cuda = torch.cuda.is_available()
    model_dir = fairmot_model(a, work)
    video = work / f"fairmot_video_{a.video_width}x{a.video_height}_{a.fairmot_frames}.mp4"
    if not video.exists():
        t0 = time.time()
        make_video(video, a.fairmot_frames, a.video_width, a.video_height, a.jobs, work)
        log(f"(d) wrote {video.name} ({video.stat().st_size / 1e6:.1f} MB, {time.time() - t0:.1f}s)")
    overrides = {"input_width": a.input_width, "input_height": a.input_height}
    if a.checkpoint is None:
        # Random weights have no meaningful scores: the strongest peaks stand in for a busy street's people.
        overrides.update(conf_thres=0.0, top_k=a.random_detections)
        weights = f"random weights; the {a.random_detections} strongest peaks per frame are the detections"
    else:
        weights = f"weights of {a.checkpoint.name}"
    if not hasattr(torch, "compile"):
        no_compile = f"torch.compile needs torch >= 2.0 (this is torch {torch.__version__})"
    elif not cuda:
        no_compile = "no CUDA device (compiling for the CPU is not what this measures)"
    else:
        no_compile = "--no-compile" if a.no_compile else None
    log(f"(d) FairMOT DLA-34 ({weights}) at {a.input_width}x{a.input_height} on {video.name}, "
        f"{a.fairmot_frames} frames, {a.decode_threads} decode threads, end to end "
        f"(decode, network, association, MOT file written)")
    if no_compile:
        log(f"(d) torch.compile variants skipped: {no_compile}")
    variants = [("fp32 batch 1", False, 1)] + [(f"fp16 batch {b}", True, b) for b in a.fairmot_batches]
    runs = [(name, half, bs, False) for name, half, bs in variants]
    if not no_compile:  # after all uncompiled runs, so that a time cap keeps those
        runs += [(name, half, bs, True) for name, half, bs in variants]
    results = {}
    out_dir = work / "fairmot-throughput"
    out_dir.mkdir(exist_ok=True)
    for name, half, bs, compiled in runs:
        label = name + (" + torch.compile" if compiled else "")
        if half and not cuda:
            label += " (no CUDA: runs in fp32)"
        if deadline.left() <= 0:
            results[label] = "skipped: --max-seconds reached"
            log(f"(d) {label}: skipped, --max-seconds reached")
            continue
        try:
            pred = Predictor.load(model_dir, overrides=overrides, half=half, compile=compiled)
            track_video(pred, video, batch_size=bs, max_frames=bs * 3)  # warm-up (and compilation), not timed
            if cuda:
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            res = track_video(pred, video, batch_size=bs, decode_threads=a.decode_threads)
            (out_dir / f"{len(results)}.txt").write_text(res.mot_text())
            wall = time.perf_counter() - t0
            results[label] = res.frames / wall
            log(f"(d) RESULT {label}: {res.frames} frames in {wall:.2f}s = {results[label]:.1f} frames/s end to end "
                f"({len(res.rows) / max(res.frames, 1):.1f} track boxes/frame, {len(res.track_summaries())} tracks)")
        except Exception as e:  # one variant failing (e.g. compile of the deformable conv) must not hide the others
            results[label] = f"FAILED {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
            log(f"(d) {label}: {results[label]}")
    if no_compile:
        for name, _, _ in variants:
            results[f"{name} + torch.compile"] = f"skipped: {no_compile}"
    device = torch.cuda.get_device_name(0) if cuda else "cpu"
    log(f"(d) TABLE FairMOT DLA-34, {a.input_width}x{a.input_height}, {a.video_width}x{a.video_height} video, "
        f"end to end, on {device} (torch {torch.__version__})")
    log(f"    {'variant':<44} {'frames/s':>9}   reference (frames/s)")
    for label, value in results.items():
        shown = f"{value:9.1f}" if isinstance(value, float) else f"{'-':>9}"
        ref = f"~{REFERENCE_FPS:.0f} ({REFERENCE_SOURCE})" if label == "fp32 batch 1" else ""
        log(f"    {label:<44} {shown}   {ref}" + ("" if isinstance(value, float) else f"  [{value}]"))
    return results


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_serving(a, work, model_dir):
    port = free_port()
    frame = next((work / "video_src").rglob("*.jpg"))
    video = next(work.glob("video_*.mp4"))
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "motflow_ml.serve", "--host", "127.0.0.1", "--port", str(port),
                             "--model-dir", str(model_dir)], env=env_for(work / "optml"), cwd=str(CONTAINERS),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.perf_counter() - t0 > 300:
                raise SystemExit("(c) server did not come up")
            time.sleep(0.05)
        t_ping = time.perf_counter() - t0

        def invoke(body, ctype):
            req = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=body,
                                         headers={"Content-Type": ctype, "Accept": "application/json"})
            t = time.perf_counter()
            with urllib.request.urlopen(req, timeout=600) as r:
                payload = json.loads(r.read())
            return time.perf_counter() - t, payload

        dt_img, res = invoke(frame.read_bytes(), "image/jpeg")
        t_first = time.perf_counter() - t0
        warm = [invoke(frame.read_bytes(), "image/jpeg")[0] for _ in range(5)]
        dt_vid, vres = invoke(video.read_bytes(), "video/mp4")
        log(f"(c) RESULT serving: /ping 200 after {t_ping:.2f}s; first image answered {t_first:.2f}s after start "
            f"(request {dt_img * 1000:.0f} ms, {len(res['detections'])} detections); warm image request "
            f"{np.median(warm) * 1000:.0f} ms; {vres['frames']}-frame video answered in {dt_vid:.2f}s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/motflow-bench"))
    ap.add_argument("--smoke", action="store_true", help="tiny CPU run of every part")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: a,b,c")
    ap.add_argument("--train-seconds", type=float, default=480)
    ap.add_argument("--train-seqs", type=int, default=16)
    ap.add_argument("--val-seqs", type=int, default=4)
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--ids", type=int, default=10)
    ap.add_argument("--synth-width", type=int, default=1280)
    ap.add_argument("--synth-height", type=int, default=720)
    ap.add_argument("--epochs", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--lr-step", default="")
    ap.add_argument("--backbone", default="resnet34")
    ap.add_argument("--reid-dim", type=int, default=128)
    ap.add_argument("--input-width", type=int, default=1088)
    ap.add_argument("--input-height", type=int, default=608)
    ap.add_argument("--workers", type=int, default=12)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="processes generating synthetic data")
    ap.add_argument("--video-width", type=int, default=1920)
    ap.add_argument("--video-height", type=int, default=1080)
    ap.add_argument("--video-frames", type=int, default=900)
    ap.add_argument("--big-batch", type=int, default=16)
    ap.add_argument("--decode-threads", type=int, default=6)
    ap.add_argument("--model-iters", type=int, default=30)
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("--max-seconds", type=float, default=0,
                    help="time cap for the whole run (0 = none): parts and (d) variants not started by then are skipped")
    ap.add_argument("--checkpoint", type=Path, default=None,
                    help="(d): a FairMOT DLA-34 checkpoint to import (default: random weights)")
    ap.add_argument("--fairmot-frames", type=int, default=320, help="(d): frames of its video (a multiple of the batches)")
    ap.add_argument("--fairmot-batches", default="8,32", help="(d): fp16 batch sizes")
    ap.add_argument("--random-detections", type=int, default=40, help="(d): detections per frame with random weights")
    a = ap.parse_args(argv)
    a.fairmot_batches = [int(b) for b in str(a.fairmot_batches).split(",") if b.strip()]
    if a.smoke:
        a.train_seconds, a.train_seqs, a.val_seqs, a.frames, a.ids = 3, 1, 1, 8, 3
        a.synth_width, a.synth_height, a.epochs, a.batch_size, a.backbone = 256, 144, 1, 4, "resnet18"
        a.input_width, a.input_height, a.workers, a.jobs, a.reid_dim = 160, 96, 0, 1, 32
        a.video_width, a.video_height, a.video_frames, a.big_batch, a.decode_threads = 256, 144, 36, 4, 2
        a.model_iters = 2
        a.fairmot_frames, a.fairmot_batches, a.random_detections = 6, [3], 5
    skip = set(a.skip.split(","))
    deadline = Deadline(a.max_seconds)
    a.workdir.mkdir(parents=True, exist_ok=True)
    dev = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    log(f"motflow gpu_bench: torch {torch.__version__}, device {dev}, workdir {a.workdir}")
    model_dir = a.workdir / "optml" / "model"
    if skip >= {"a", "b", "c"}:
        pass  # (d) alone needs no motflow-trained model
    elif "a" not in skip:
        model_dir, _ = bench_accuracy(a, a.workdir)
    elif not (model_dir / "model.pth").exists():
        raise SystemExit("part (a) skipped and no model in the workdir yet")
    for part, run in (("b", lambda: bench_throughput(a, a.workdir, model_dir)),
                      ("c", lambda: bench_serving(a, a.workdir, model_dir)),
                      ("d", lambda: bench_fairmot(a, a.workdir, deadline))):
        if part in skip:
            continue
        if deadline.left() <= 0:
            log(f"({part}) skipped: --max-seconds reached")
            continue
        if part == "c" and not any(a.workdir.glob("video_*.mp4")):
            raise SystemExit("part (c) needs part (b)'s video")
        run()
    log("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
