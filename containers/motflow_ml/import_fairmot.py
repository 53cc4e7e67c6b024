"""Imports a FairMOT checkpoint (DLA-34) as a motflow model folder:

    python -m motflow_ml.import_fairmot CHECKPOINT --out MODEL_DIR [--reid-dim 128] [--force]

The checkpoint is FairMOT's published layout, ``{"epoch": N, "state_dict": {...}}`` (other top-level
entries, e.g. an optimizer state, are ignored), or a bare state_dict; keys may carry DataParallel's
``module.`` prefix. Loading is strict, unlike FairMOT's own loader which skips what does not fit:
every missing, unexpected or mis-shaped key is listed and the import fails (exit status 1) without
writing anything. The one exception is DLA's ImageNet classifier (base.fc.weight / base.fc.bias),
which FairMOT's training code may leave in a checkpoint and the tracker never runs: it is dropped,
and the output and model card say so. Nothing in the file is executed: it is read with torch.load(weights_only=True),
which refuses any pickled object other than tensors and plain containers.

MODEL_DIR receives what every motflow entry point (serve, process, evaluate) reads:
  model.pth        the state_dict, key names without ``module.``
  config.json      backbone dla34 and FairMOT's inference settings (1088x608 letterbox with a grey
                   127.5 border, RGB / 255 without mean / std, heatmap threshold 0.4, top-K 500, JDE
                   association constants, FairMOT's results filter: area > 100, w / h <= 1.6)
  model_card.json  source file name, size and SHA-256, epoch, key and value counts
"""
import argparse
import hashlib
import json
import pickle
import sys
import time
from pathlib import Path

import torch

from . import __version__
from .config import FAIRMOT_PREPROCESSING, defaults
from .model import build_model

# FairMOT's tracking defaults (its opts: conf_thres 0.4, K 500, track_buffer 30, min-box-area 100; its
# JDETracker: embedding momentum 0.9, motion fusion 0.98, thresholds 0.4 / 0.5 / 0.7 / 0.15; its
# evaluation drops boxes wider than 1.6 x their height).
FAIRMOT_INFERENCE = {
    "backbone": "dla34", "head_conv": 256, "input_width": 1088, "input_height": 608,
    "conf_thres": 0.4, "top_k": 500, "track_buffer": 30,
    **FAIRMOT_PREPROCESSING,
    "momentum": 0.9, "motion_lambda": 0.98, "emb_thresh": 0.4, "iou_thresh": 0.5, "unconfirmed_thresh": 0.7,
    "duplicate_thresh": 0.15,
    "min_box_area": 100.0, "max_aspect_ratio": 1.6,
}
DATA_PARALLEL_PREFIX = "module."
# FairMOT's training code attaches DLA's ImageNet classifier (a 1x1 conv over the 512-channel level 5)
# to the base when it loads the ImageNet start, so checkpoints it trains may carry it; the tracker never
# runs it. These two keys, and only these, are dropped rather than refused, and the card lists them.
UNUSED_CLASSIFIER = ("base.fc.weight", "base.fc.bias")


class CheckpointError(Exception):
    """The checkpoint cannot be imported; the message says why (and what to do)."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_checkpoint(path: Path):
    """torch.load that never runs code from the file. Returns the loaded object."""
    try:
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except TypeError:  # a torch older than 1.13 has no safe loader: refuse rather than unpickle
        raise CheckpointError(f"torch {torch.__version__} cannot load checkpoints without running code from "
                           "them (torch.load weights_only needs torch >= 1.13); refusing to import") from None
    except pickle.UnpicklingError as e:
        detail = str(e).split("WeightsUnpickler error:")[-1].strip()
        raise CheckpointError(f"{path.name} holds pickled objects other than tensors and plain containers "
                           f"({detail}); refusing to load it, since that could run code from the file") from None
    except (RuntimeError, EOFError, OSError) as e:
        raise CheckpointError(f"{path.name} is not a readable PyTorch checkpoint: {e}") from None


def extract_state_dict(obj):
    """(state_dict without the DataParallel prefix, epoch or None) from a loaded checkpoint."""
    epoch = None
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        epoch = obj.get("epoch")
        state = obj["state_dict"]
    elif isinstance(obj, dict) and obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
        state = obj
    else:
        kind = type(obj).__name__ if not isinstance(obj, dict) else f"dict with keys {sorted(map(str, obj))[:8]}"
        raise CheckpointError(f"expected {{'epoch': N, 'state_dict': {{...}}}} or a bare state_dict, found a {kind}")
    out = {}
    for k, v in state.items():
        name = k[len(DATA_PARALLEL_PREFIX):] if k.startswith(DATA_PARALLEL_PREFIX) else k
        if name in out:
            raise CheckpointError(f"key {name!r} appears both with and without the {DATA_PARALLEL_PREFIX!r} prefix")
        out[name] = v
    if isinstance(epoch, torch.Tensor) and epoch.numel() == 1:
        epoch = epoch.item()
    return out, (int(epoch) if isinstance(epoch, (int, float)) else None)


def drop_unused_classifier(state):
    """(state without DLA's ImageNet classifier, names dropped). Only a well-formed classifier is
    dropped ([n, 512, 1, 1] weight and [n] bias); anything else stays and is reported as unexpected."""
    w, b = state.get(UNUSED_CLASSIFIER[0]), state.get(UNUSED_CLASSIFIER[1])
    if not (isinstance(w, torch.Tensor) and isinstance(b, torch.Tensor) and w.dim() == 4
            and tuple(w.shape[1:]) == (512, 1, 1) and tuple(b.shape) == (w.shape[0],)):
        return state, []
    return {k: v for k, v in state.items() if k not in UNUSED_CLASSIFIER}, list(UNUSED_CLASSIFIER)


def compare_layout(state, expected):
    """Problems (strings) between a state_dict and the expected one (same keys, same shapes)."""
    problems = []
    for k in expected:
        if k not in state:
            problems.append(f"missing: {k} {tuple(expected[k].shape)}")
    for k, v in state.items():
        if k not in expected:
            shape = tuple(v.shape) if isinstance(v, torch.Tensor) else type(v).__name__
            problems.append(f"unexpected: {k} {shape}")
        elif not isinstance(v, torch.Tensor):
            problems.append(f"not a tensor: {k} ({type(v).__name__})")
        elif tuple(v.shape) != tuple(expected[k].shape):
            problems.append(f"mis-shaped: {k} is {tuple(v.shape)}, expected {tuple(expected[k].shape)}")
    return problems


def _hints(state, reid_dim):
    hints = []
    idw = state.get("id.2.weight")
    if isinstance(idw, torch.Tensor) and idw.dim() == 4 and idw.shape[0] != reid_dim:
        hints.append(f"the checkpoint's re-ID head has {idw.shape[0]} channels: try --reid-dim {idw.shape[0]}")
    whw = state.get("wh.2.weight")
    if isinstance(whw, torch.Tensor) and whw.dim() == 4 and whw.shape[0] == 2:
        hints.append("its size head has 2 channels (width, height): only FairMOT's ltrb models (wh 4) are supported")
    return hints


def import_checkpoint(checkpoint, out_dir, reid_dim=128, force=False):
    """Checks and converts a FairMOT checkpoint into out_dir; returns the model card (dict)."""
    checkpoint, out_dir = Path(checkpoint), Path(out_dir)
    if not checkpoint.is_file():
        raise CheckpointError(f"checkpoint {checkpoint} does not exist")
    if (out_dir / "model.pth").exists() and not force:
        raise CheckpointError(f"{out_dir} already holds a model.pth; use --force to overwrite it")
    digest = sha256_of(checkpoint)
    state, epoch = extract_state_dict(read_checkpoint(checkpoint))
    state, dropped = drop_unused_classifier(state)
    cfg = {**defaults(), **FAIRMOT_INFERENCE, "reid_dim": int(reid_dim)}
    model = build_model(cfg)
    expected = model.state_dict()
    problems = compare_layout(state, expected)
    if problems:
        raise CheckpointError(f"{checkpoint.name} does not match FairMOT's DLA-34 layout ({len(problems)} problems):\n  "
                           + "\n  ".join(problems + _hints(state, reid_dim)))
    model.load_state_dict(state, strict=True)
    floats = [k for k, v in state.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if floats:
        raise CheckpointError(f"{checkpoint.name} has non-finite values in: {', '.join(floats[:10])}")

    config = {k: cfg[k] for k in ("backbone", "reid_dim", "head_conv", "neck_channels")}
    config.update(FAIRMOT_INFERENCE)
    card = {
        "kind": "imported",
        "source": {"format": "fairmot", "file": checkpoint.name, "bytes": checkpoint.stat().st_size,
                   "sha256": digest, "epoch": epoch},
        "state_dict": {"keys": len(expected), "values": int(sum(v.numel() for v in expected.values())),
                       "dropped_keys": dropped},
        "config": config,
        "imported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": {"motflow_ml": __version__, "torch": torch.__version__},
        "files": {"weights": "model.pth", "config": "config.json"},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    # Written under temporary names first: a folder is never left with new weights and an old config.
    writes = {"model.pth": None, "config.json": json.dumps(config, indent=2, sort_keys=True) + "\n",
              "model_card.json": json.dumps(card, indent=2, sort_keys=True) + "\n"}
    for name, text in writes.items():
        tmp = out_dir / (name + ".tmp")
        if text is None:
            torch.save(model.state_dict(), tmp)
        else:
            tmp.write_text(text)
    for name in writes:
        (out_dir / (name + ".tmp")).replace(out_dir / name)
    return card


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m motflow_ml.import_fairmot",
                                 description="import a FairMOT DLA-34 checkpoint as a motflow model folder")
    ap.add_argument("checkpoint", help="FairMOT .pth ({'epoch': N, 'state_dict': ...} or a bare state_dict)")
    ap.add_argument("--out", required=True, help="model folder to write (model.pth, config.json, model_card.json)")
    ap.add_argument("--reid-dim", type=int, default=128, help="re-ID embedding size of the checkpoint (128)")
    ap.add_argument("--force", action="store_true", help="overwrite a model already in --out")
    a = ap.parse_args(argv)
    try:
        card = import_checkpoint(a.checkpoint, a.out, reid_dim=a.reid_dim, force=a.force)
    except CheckpointError as e:
        print(f"import_fairmot: {e}", file=sys.stderr, flush=True)
        return 1
    src = card["source"]
    if card["state_dict"]["dropped_keys"]:
        print(f"dropped DLA's ImageNet classifier, unused by the tracker: "
              f"{', '.join(card['state_dict']['dropped_keys'])}", flush=True)
    print(f"imported {src['file']} (epoch {src['epoch']}, sha256 {src['sha256'][:12]}..., "
          f"{card['state_dict']['keys']} tensors, {card['state_dict']['values']:,} values) -> {a.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
