"""SageMaker training job: ``python -m motflow_ml.train`` (the image's ``train`` command).

Contract (paths under $MOTFLOW_OPT_ML, default /opt/ml):
  input/data/train/        MOTChallenge sequences (<seq>/img1/*.jpg, <seq>/gt/gt.txt, <seq>/seqinfo.ini)
  input/data/validation/   optional, same layout; else the validation loss is taken on training frames
  input/config/hyperparameters.json   string values (see config.HYPERPARAMETERS)
  checkpoints/checkpoint.pt           written after every epoch; training resumes from it
  model/   model.pth (weights), config.json, model.ts (TorchScript) and/or model.onnx, model_card.json
  output/failure                      the reason, when the job fails (exit status 1)
Prints ``validation_loss=<float>`` after every epoch (the tuning objective).
"""
import inspect
import json
import os
import random
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from . import __version__, paths
from .config import INFERENCE_KEYS, load_hyperparameters, lr_steps, read_hyperparameters_file
from .data import MotDataset, find_sequences, load_sequence
from .model import TrackerLoss, build_model, load_file

CHECKPOINT_NAME = "checkpoint.pt"
# Hyperparameters that change tensor shapes or the identity set: a checkpoint made with other values
# cannot be resumed.
SHAPE_KEYS = ("backbone", "reid_dim", "neck_channels", "head_conv")


class TrainingError(Exception):
    """A problem with the job's inputs, reported in /opt/ml/output/failure."""


def log(msg):
    print(msg, flush=True)


def load_sequences(root, cfg, required):
    seq_dirs = find_sequences(root)
    if not seq_dirs:
        if required:
            raise TrainingError(f"no MOTChallenge sequences (<seq>/img1/) under {root}")
        return []
    seqs = []
    for d in seq_dirs:
        try:
            seqs.append(load_sequence(d, min_visibility=cfg["min_visibility"]))
        except ValueError as e:
            raise TrainingError(str(e)) from None
    if required and not any(len(s.boxes) for s in seqs):
        raise TrainingError(f"the sequences under {root} have no usable ground-truth boxes")
    return seqs


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def to_device(batch, device):
    return {k: v.to(device, non_blocking=True) for k, v in batch.items()}


def make_scaler(enabled):
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):
        try:
            return torch.amp.GradScaler("cuda", enabled=enabled)
        except TypeError:
            pass
    return torch.cuda.amp.GradScaler(enabled=enabled)


def save_atomic(obj, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, str(tmp))
    os.replace(tmp, path)


def load_checkpoint(cfg, num_ids):
    ck = paths.checkpoint_dir() / CHECKPOINT_NAME
    if not ck.exists():
        return None
    state = load_file(ck, trusted=True)
    for k in SHAPE_KEYS:
        if state["cfg"].get(k) != cfg[k]:
            raise TrainingError(f"checkpoint {ck} was made with {k}={state['cfg'].get(k)!r}, this job has {cfg[k]!r}")
    if state["num_ids"] != num_ids:
        raise TrainingError(f"checkpoint {ck} has {state['num_ids']} identities, the training data {num_ids}")
    return state


@torch.no_grad()
def validation_loss(model, loss_fn, loader, device, amp):
    """Mean detection loss (heatmap focal + weighted size and offset L1) over the validation frames. The
    identity term is left out: validation identities are not classes of the training classifier."""
    model.eval()
    total, n = 0.0, 0
    for batch in loader:
        batch = to_device(batch, device)
        with torch.autocast(device_type=device.type, enabled=amp):
            out = model(batch["input"])
        det = loss_fn.detection_loss(loss_fn.detection_terms(out, batch))
        total += float(det) * len(batch["input"])
        n += len(batch["input"])
    model.train()
    return total / max(n, 1)


def export_model(model, cfg, model_dir: Path):
    """TorchScript (traced on the CPU in fp32) and/or ONNX; returns {format: file or error}."""
    result = {}
    cpu = build_model(cfg)
    cpu.load_state_dict({k: v.cpu() for k, v in model.state_dict().items()})
    cpu.eval()
    example = torch.zeros(1, 3, cfg["input_height"], cfg["input_width"])
    if cfg["export"] in ("torchscript", "both"):
        try:
            with torch.no_grad():
                traced = torch.jit.trace(cpu, example)
            traced.save(str(model_dir / "model.ts"))
            result["torchscript"] = "model.ts"
        except Exception as e:  # the weights are the deliverable; an export problem must not lose them
            result["torchscript_error"] = f"{type(e).__name__}: {e}"
    if cfg["export"] in ("onnx", "both"):
        try:
            # the TorchScript-based exporter: torch >= 2.9 defaults to the dynamo one, which needs onnxscript
            kw = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
            torch.onnx.export(cpu, example, str(model_dir / "model.onnx"), input_names=["input"],
                              output_names=["heatmap", "ltrb", "offset", "embedding"], opset_version=17,
                              dynamic_axes={"input": {0: "batch"}}, **kw)
            result["onnx"] = "model.onnx"
        except Exception as e:  # ONNX is optional: the weights and TorchScript are the deliverable
            result["onnx_error"] = f"{type(e).__name__}: {e}"
    return result


def evaluate_tracking(model, cfg, seqs, device, max_frames):
    from .inference import Predictor
    from .metrics import combine, evaluate
    from .pipeline import track_sequence
    pred = Predictor(model, cfg, device=device)
    per_seq = {}
    for s in seqs:
        res = track_sequence(pred, s, batch_size=max(1, min(8, cfg["batch_size"])), max_frames=max_frames)
        gt = {f: v for f, v in s.boxes.items() if f <= res.frames}
        per_seq[s.name] = evaluate(gt, res.as_gt_dict())
    model.train()
    overall = combine(list(per_seq.values()))
    return overall, per_seq


def run():
    cfg = load_hyperparameters(read_hyperparameters_file(paths.hyperparameters_file()))
    log("hyperparameters: " + json.dumps(cfg, sort_keys=True))
    seed_everything(cfg["seed"])
    train_seqs = load_sequences(paths.channel_dir("train"), cfg, required=True)
    val_seqs = load_sequences(paths.channel_dir("validation"), cfg, required=False)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    amp = bool(cfg["amp"] and device.type == "cuda")
    workers = max(0, min(cfg["num_workers"], (os.cpu_count() or 1) - 1))
    w, h = cfg["input_width"], cfg["input_height"]

    train_set = MotDataset(train_seqs, w, h, cfg["max_objs"], augment=True, flip_prob=cfg["flip_prob"],
                           scale_jitter=cfg["scale_jitter"], frame_stride=cfg["frame_stride"], seed=cfg["seed"])
    if train_set.num_ids == 0:
        raise TrainingError("the training data has no identities")
    if val_seqs:
        val_set = MotDataset(val_seqs, w, h, cfg["max_objs"], augment=False, frame_stride=cfg["val_frame_stride"],
                             id_map={})
        val_source = "validation channel"
    else:
        stride = max(1, len(train_set) // 64)
        val_set = MotDataset(train_seqs, w, h, cfg["max_objs"], augment=False, frame_stride=stride, id_map={})
        val_source = "training frames (no validation channel)"
    log(f"train: {len(train_seqs)} sequences, {len(train_set)} frames, {train_set.num_ids} identities; "
        f"validation: {len(val_set)} frames from {val_source}; device {device}, amp {amp}, workers {workers}")

    loader_kw = dict(num_workers=workers, pin_memory=device.type == "cuda", persistent_workers=False)
    train_loader = DataLoader(train_set, batch_size=cfg["batch_size"], shuffle=True, drop_last=False, **loader_kw)
    val_loader = DataLoader(val_set, batch_size=cfg["batch_size"], shuffle=False, **loader_kw)

    model = build_model(cfg).to(device)
    loss_fn = TrackerLoss(train_set.num_ids, cfg["reid_dim"], cfg["hm_weight"], cfg["wh_weight"], cfg["off_weight"],
                          cfg["id_loss_weight"]).to(device)
    params = list(model.parameters()) + list(loss_fn.parameters())
    optimizer = torch.optim.Adam(params, lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=lr_steps(cfg) or [10 ** 9], gamma=0.1)
    scaler = make_scaler(amp)

    history = []
    start_epoch = 1
    state = load_checkpoint(cfg, train_set.num_ids)
    if state is not None:
        model.load_state_dict(state["model"])
        loss_fn.load_state_dict(state["loss"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        history = state["history"]
        start_epoch = state["epoch"] + 1
        torch.set_rng_state(state["torch_rng"])
        log(f"resumed from checkpoint: epoch {state['epoch']} done, continuing at epoch {start_epoch}")

    t_start = time.time()
    stopped_early = False
    for epoch in range(start_epoch, cfg["epochs"] + 1):
        model.train()
        train_set.epoch = epoch
        t0, total, n = time.time(), 0.0, 0
        terms_sum = {}
        for it, batch in enumerate(train_loader):
            batch = to_device(batch, device)
            with torch.autocast(device_type=device.type, enabled=amp):
                out = model(batch["input"])
            loss, terms = loss_fn(out, batch)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            total += float(loss)
            n += 1
            for k, v in terms.items():
                terms_sum[k] = terms_sum.get(k, 0.0) + float(v)
            if cfg["max_train_seconds"] and time.time() - t_start > cfg["max_train_seconds"]:
                stopped_early = True
                break
        scheduler.step()
        val = validation_loss(model, loss_fn, val_loader, device, amp)
        rec = {"epoch": epoch, "train_loss": total / max(n, 1), "validation_loss": val,
               "seconds": round(time.time() - t0, 2), "iterations": n,
               **{f"train_{k}": v / max(n, 1) for k, v in terms_sum.items() if k != "total"}}
        history.append(rec)
        log(f"epoch {epoch}/{cfg['epochs']}: train_loss={rec['train_loss']:.5f} "
            f"hm={rec.get('train_hm', 0):.4f} wh={rec.get('train_wh', 0):.4f} off={rec.get('train_off', 0):.4f} "
            f"id={rec.get('train_id', 0):.4f} ({rec['seconds']}s, {n} iterations)")
        log(f"validation_loss={val:.6f}")
        save_atomic({"epoch": epoch, "model": model.state_dict(), "loss": loss_fn.state_dict(),
                     "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                     "history": history, "cfg": cfg, "num_ids": train_set.num_ids,
                     "torch_rng": torch.get_rng_state()}, paths.checkpoint_dir() / CHECKPOINT_NAME)
        if stopped_early:
            log(f"max_train_seconds={cfg['max_train_seconds']} reached: stopping after epoch {epoch}")
            break

    mdir = paths.model_dir()
    mdir.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.cpu() for k, v in model.state_dict().items()}, str(mdir / "model.pth"))
    inference_cfg = {k: cfg[k] for k in INFERENCE_KEYS}
    (mdir / "config.json").write_text(json.dumps(inference_cfg, indent=2, sort_keys=True) + "\n")
    exports = export_model(model, cfg, mdir)

    tracking = None
    if cfg["eval_tracking"] and val_seqs:
        overall, per_seq = evaluate_tracking(model, cfg, val_seqs, device, cfg["eval_max_frames"])
        tracking = {"overall": overall, "sequences": per_seq}
        log(f"validation tracking: MOTA={overall['MOTA']:.4f} IDF1={overall['IDF1']:.4f}")
    last = history[-1] if history else {}
    card = {
        "name": "motflow one-shot tracker",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "motflow_ml": __version__, "torch": torch.__version__,
        "architecture": {"family": "FairMOT-style (CenterNet heads + re-ID embedding)", "backbone": cfg["backbone"],
                         "stride": 4, "reid_dim": cfg["reid_dim"],
                         "input": [cfg["input_width"], cfg["input_height"]]},
        "files": {"weights": "model.pth", "config": "config.json", **exports},
        "data": {"train_sequences": [s.name for s in train_seqs], "train_frames": len(train_set),
                 "identities": train_set.num_ids, "validation_sequences": [s.name for s in val_seqs],
                 "validation_source": val_source},
        "metrics": {"validation_loss": last.get("validation_loss"), "train_loss": last.get("train_loss"),
                    "best_validation_loss": min((r["validation_loss"] for r in history), default=None),
                    "epochs_completed": last.get("epoch", 0),
                    "tracking": tracking},
        "history": history,
        "hyperparameters": cfg,
        "training_seconds_this_run": round(time.time() - t_start, 1),
    }
    (mdir / "model_card.json").write_text(json.dumps(card, indent=2, sort_keys=True, default=float) + "\n")
    log(f"model saved to {mdir}")


def main(argv=None):
    try:
        run()
        return 0
    except Exception as e:
        reason = str(e) if isinstance(e, (TrainingError, ValueError)) else f"{type(e).__name__}: {e}"
        detail = traceback.format_exc()
        try:
            paths.output_dir().mkdir(parents=True, exist_ok=True)
            # SageMaker shows the first 1024 characters of this file as the job's FailureReason.
            paths.failure_file().write_text(reason[:1000] + "\n\n" + detail)
        except OSError:
            pass
        print(detail, file=sys.stderr, flush=True)
        print(f"training failed: {reason}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
