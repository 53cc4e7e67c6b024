"""SageMaker processing job: batch tracking (``python -m motflow_ml.process``).

Input  (under $MOTFLOW_OPT_ML/processing/input, searched recursively):
  - video files (.mp4 .mov .avi .mkv .webm .m4v .mpg .mpeg .ts);
  - MOTChallenge sequences (<seq>/img1/ + seqinfo.ini); with <seq>/gt/gt.txt they are evaluated.
Camera-motion compensation (--camera-motion none | sparse_flow): default the model config's camera_motion.
Model: --model-dir, default $MOTFLOW_OPT_ML/processing/model if it exists (files of the training job's
  model dir, or its model.tar.gz), else $MOTFLOW_OPT_ML/model.
Output (under $MOTFLOW_OPT_ML/processing/output), per input at its relative path without extension:
  <rel>/tracks.txt     MOTChallenge lines: frame,id,x,y,w,h,score,-1,-1,-1
  <rel>/summary.json   frames, fps, size, per-track summaries (id, first/last frame, frames, mean score)
  <rel>/annotated.mp4  with --annotate
  <rel>/metrics.json   evaluation mode (ground truth present): MOTA, IDF1, MOTP, FP, FN, IDSW, ...
  run_summary.json     every input with its status, totals, overall metrics, throughput
Exit status 1 (and the reason in $MOTFLOW_OPT_ML/output/failure) when there is no input or any input
failed; the other inputs' results are still written. When every failed input failed because of the input
itself (no decodable video stream or frames, frames over MOTFLOW_MAX_PIXELS), the reason starts with
"InputRejected: " and says what is wrong with which input: the control plane ends such a job REJECTED.
"""
import argparse
import json
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from . import paths, pixel_budget
from .camera_motion import MODES as CAMERA_MOTION_MODES, make_estimator
from .pipeline import VIDEO_EXTENSIONS


class InputRejected(Exception):
    """The inputs themselves cannot be tracked (not a fault of the job): the message is for the user."""


def default_model_dir():
    p = paths.opt_ml() / "processing" / "model"
    return p if p.exists() else paths.model_dir()


def resolve_model_dir(model_dir: Path, tmp: Path):
    """A model dir, or one holding model.tar.gz (as SageMaker stores training output): extract it."""
    if (model_dir / "model.pth").exists():
        return model_dir
    tars = sorted(model_dir.glob("*.tar.gz"))
    if tars:
        with tarfile.open(tars[0]) as t:
            for m in t.getmembers():
                if m.name.startswith("/") or ".." in Path(m.name).parts:
                    raise ValueError(f"unsafe path in {tars[0].name}: {m.name}")
            t.extractall(tmp)
        for cand in [tmp] + sorted(p.parent for p in tmp.rglob("model.pth")):
            if (cand / "model.pth").exists():
                return cand
    raise FileNotFoundError(f"no model (model.pth + config.json or model.tar.gz) in {model_dir}")


def find_inputs(root: Path):
    videos = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_EXTENSIONS)
    seqs = sorted({p.parent for p in root.rglob("img1") if p.is_dir()})
    return videos, seqs


def run(args):
    from .data import load_sequence
    from .inference import Predictor
    from .metrics import combine, evaluate
    from .pipeline import VideoError, camera_motion_setting, track_sequence, track_video

    in_root, out_root = Path(args.input), Path(args.output)
    if not in_root.is_dir():
        raise FileNotFoundError(f"input folder {in_root} does not exist")
    videos, seqs = find_inputs(in_root)
    if not videos and not seqs:
        raise ValueError(f"no videos or MOTChallenge sequences under {in_root}")
    out_root.mkdir(parents=True, exist_ok=True)
    budget = pixel_budget.max_pixels()
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = resolve_model_dir(Path(args.model_dir), Path(tmp))
        overrides = {"conf_thres": args.conf_thres} if args.conf_thres is not None else None
        pred = Predictor.load(model_dir, half=args.half, overrides=overrides)
        # the evaluation job calls run with its own arguments, without this one: the model's setting then
        requested = getattr(args, "camera_motion", None)
        camera_motion = camera_motion_setting(pred.cfg, requested) or "none"
        make_estimator(camera_motion)  # a bad config.json value fails the job here, not every input
        print(f"model {model_dir} on {pred.device} (half {pred.half}, camera motion {camera_motion}); "
              f"{len(videos)} videos, {len(seqs)} sequences", flush=True)
        items, metrics_list, used = [], [], set()
        t_run = time.time()
        for kind, src in [("video", v) for v in videos] + [("sequence", s) for s in seqs]:
            rel = src.relative_to(in_root)
            dest = out_root / (rel.with_suffix("") if kind == "video" else rel)
            if dest in used:  # a video beside a sequence folder of the same name
                dest = dest.with_name(dest.name + "-" + kind)
            used.add(dest)
            dest.mkdir(parents=True, exist_ok=True)
            item = {"input": str(rel), "kind": kind, "output": str(dest.relative_to(out_root))}
            try:
                annotated = dest / "annotated.mp4" if args.annotate else None
                gt = None
                if kind == "video":
                    res = track_video(pred, src, batch_size=args.batch_size, annotated=annotated,
                                      max_frames=args.max_frames, decode_threads=args.decode_threads,
                                      max_pixels=budget, camera_motion=requested)
                else:
                    seq = load_sequence(src, require_gt=False)
                    res = track_sequence(pred, seq, batch_size=args.batch_size, max_frames=args.max_frames,
                                         annotated=annotated, camera_motion=requested)
                    if seq.boxes and not args.no_evaluate:
                        gt = {f: b for f, b in seq.boxes.items() if f <= res.frames}
                (dest / "tracks.txt").write_text(res.mot_text())
                summary = {"input": str(rel), **res.summary()}
                (dest / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
                item.update(status="ok", frames=res.frames, tracks=len(summary["tracks"]),
                            seconds=round(res.seconds, 3), fps=round(res.frames / max(res.seconds, 1e-9), 2))
                if gt is not None:
                    m = evaluate(gt, res.as_gt_dict())
                    (dest / "metrics.json").write_text(json.dumps(m, indent=2) + "\n")
                    metrics_list.append(m)
                    item["metrics"] = {k: m[k] for k in ("MOTA", "IDF1", "MOTP", "FP", "FN", "IDSW")}
                print(f"{rel}: {item['frames']} frames, {item['tracks']} tracks, {item['fps']} frames/s"
                      + (f", MOTA={item['metrics']['MOTA']:.4f} IDF1={item['metrics']['IDF1']:.4f}"
                         if "metrics" in item else ""), flush=True)
            except (VideoError, pixel_budget.TooManyPixels) as e:
                item.update(status="failed", error=f"{type(e).__name__}: {e}", rejected=str(e))
                print(f"{rel}: REJECTED {e}", file=sys.stderr, flush=True)
            except Exception as e:
                item.update(status="failed", error=f"{type(e).__name__}: {e}")
                print(f"{rel}: FAILED {item['error']}", file=sys.stderr, flush=True)
            items.append(item)
    ok = [i for i in items if i["status"] == "ok"]
    total_frames = sum(i["frames"] for i in ok)
    wall = time.time() - t_run
    run_summary = {"inputs": len(items), "succeeded": len(ok), "failed": len(items) - len(ok),
                   "frames": total_frames, "seconds": round(wall, 3),
                   "frames_per_second": round(total_frames / max(wall, 1e-9), 2),
                   "model_dir": str(model_dir), "device": str(pred.device), "half": pred.half,
                   "camera_motion": camera_motion, "items": items}
    if metrics_list:
        run_summary["metrics"] = combine(metrics_list)
    (out_root / "run_summary.json").write_text(json.dumps(run_summary, indent=2) + "\n")
    failed = [i for i in items if i["status"] != "ok"]
    if failed and all("rejected" in i for i in failed):
        raise InputRejected("; ".join(f"{i['input']}: {i['rejected']}" for i in failed[:3])
                            + (f" (and {len(failed) - 3} more)" if len(failed) > 3 else ""))
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(items)} inputs failed, first: {failed[0]['input']}: "
                           f"{failed[0]['error']}")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m motflow_ml.process", description="batch tracking job")
    ap.add_argument("--input", default=str(paths.processing_input()))
    ap.add_argument("--output", default=str(paths.processing_output()))
    ap.add_argument("--model-dir", default=str(default_model_dir()))
    ap.add_argument("--annotate", action="store_true", help="also write annotated.mp4 per input")
    ap.add_argument("--no-evaluate", action="store_true", help="skip metrics even when ground truth exists")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--max-frames", type=int, default=0, help="frames per input (0 = all)")
    ap.add_argument("--decode-threads", type=int, default=1, help="threads decoding parts of a video in parallel")
    ap.add_argument("--conf-thres", type=float, default=None)
    ap.add_argument("--half", action="store_true", help="fp16 on GPU")
    ap.add_argument("--camera-motion", choices=CAMERA_MOTION_MODES, default=None,
                    help="camera-motion compensation (default: the model config's camera_motion, else none)")
    args = ap.parse_args(argv)
    return paths.run_job(run, args, "processing")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
