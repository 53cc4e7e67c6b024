"""The training job's optional ``pretrained`` channel: weights to start from instead of random ones.

Accepted in ``/opt/ml/input/data/pretrained/`` (any one of):
- a motflow model folder (``model.pth`` + ``config.json``), e.g. the production model;
- a ``model.tar.gz`` holding one (a training job's output), extracted safely;
- a FairMOT checkpoint (``{"epoch": N, "state_dict": {...}}``, keys with or without ``module.``), or a
  bare state_dict of the network;
- ImageNet backbone weights: DLA's layout (``base_layer.*``, ``level0.*`` ... ``fc.*``, as in
  ``dla34-ba72cf86.pth``; mapped onto ``base.*``) or torchvision's ResNet layout (``conv1.*``, ``bn1.*``,
  ``layer1.*`` ... ``fc.*``; mapped onto the ResNet backbone). The classifier ``fc.*`` is dropped.

Backbone, neck, detection heads and the embedding head are loaded where the file has them; the
identity classifier (part of the loss) is always new, for the new identity set. Files are read with
``weights_only`` (no code from a file runs) and every key must fit: a file of another backbone, a
missing, unexpected or mis-shaped tensor fails the job naming them.
"""
import hashlib
import json
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .model import load_file

# Model parameter name prefixes per part; the ResNet network (stem/layers/neck) and FairMOT's DLA-34
# network (base/dla_up/ida_up) share the head names.
PARTS = (
    ("backbone", ("stem.", "layers.", "base.")),
    ("neck", ("neck.", "dla_up.", "ida_up.")),
    ("detection heads", ("hm.", "wh.", "reg.")),
    ("embedding head", ("id.",)),
)
WEIGHT_SUFFIXES = (".pth", ".pt", ".tar", ".ckpt", ".bin")
# Hyperparameters a model folder's config.json fixes (tensor shapes).
SHAPE_KEYS = ("backbone", "reid_dim", "neck_channels", "head_conv")
LIST_LIMIT = 12


class PretrainedError(ValueError):
    """The pretrained channel cannot be used; the message says why and what to change."""


@dataclass
class Source:
    """What the channel holds, read and mapped onto the network's parameter names."""
    path: Path                      # the file (or folder's model.pth) that was read
    kind: str                       # "motflow model folder", "model.tar.gz", "FairMOT checkpoint", ...
    sha256: str
    state: dict                     # network parameter name -> tensor
    full_network: bool              # False: backbone weights only
    backbone: str                   # the backbone the weights are for
    config: dict = field(default_factory=dict)   # a model folder's config.json
    epoch: int = None               # a FairMOT checkpoint's epoch
    dropped: list = field(default_factory=list)  # source keys intentionally not used (ImageNet fc.*)


def part_of(key):
    for name, prefixes in PARTS:
        if key.startswith(prefixes):
            return name
    return "other"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------------------------------------------
# Finding and reading the channel's content


def safe_extract(tar_path: Path, dest: Path):
    """Extracts regular files and folders only; refuses absolute paths, '..', links and devices."""
    with tarfile.open(tar_path, "r:*") as t:
        members = t.getmembers()
        for m in members:
            parts = Path(m.name).parts
            if m.name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise PretrainedError(f"{tar_path.name}: unsafe path {m.name!r} (absolute or outside the archive)")
            if m.issym() or m.islnk():
                raise PretrainedError(f"{tar_path.name}: {m.name!r} is a link; links are not extracted")
            if not (m.isfile() or m.isdir()):
                raise PretrainedError(f"{tar_path.name}: {m.name!r} is not a regular file or folder")
        for m in members:
            target = dest.joinpath(*Path(m.name).parts) if Path(m.name).parts else dest
            if m.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with t.extractfile(m) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def _files(root: Path):
    return sorted(p for p in root.rglob("*") if p.is_file() and not any(s.startswith(".") for s in
                                                                             p.relative_to(root).parts))


def _model_folders(root: Path):
    return sorted({p.parent for p in root.rglob("model.pth") if (p.parent / "config.json").is_file()})


def read_channel(channel: Path):
    """The channel's Source, or None when the channel is absent or empty."""
    if not channel.is_dir():
        return None
    files = _files(channel)
    if not files:
        return None
    folders = _model_folders(channel)
    if len(folders) == 1:
        return _read_model_folder(folders[0], "motflow model folder")
    if len(folders) > 1:
        raise PretrainedError(f"the pretrained channel holds {len(folders)} model folders "
                              f"({', '.join(str(f.relative_to(channel)) for f in folders)}); give one")
    tars = [f for f in files if f.name.endswith((".tar.gz", ".tgz"))]
    weights = [f for f in files if f.name.endswith(WEIGHT_SUFFIXES)]
    if len(tars) + len(weights) != 1:
        listed = ", ".join(str(f.relative_to(channel)) for f in files[:LIST_LIMIT])
        raise PretrainedError("the pretrained channel must hold one model folder (model.pth + config.json), one "
                              f"model.tar.gz or one weights file ({', '.join(WEIGHT_SUFFIXES)}); found: {listed}")
    if tars:
        with tempfile.TemporaryDirectory(prefix="motflow-pretrained-") as tmp:
            safe_extract(tars[0], Path(tmp))
            inner = _model_folders(Path(tmp))
            if len(inner) != 1:
                raise PretrainedError(f"{tars[0].name} must hold one model.pth with its config.json, "
                                      f"found {len(inner)}")
            src = _read_model_folder(inner[0], "model.tar.gz")
        src.path, src.sha256 = tars[0], sha256_of(tars[0])
        return src
    return read_weights_file(weights[0])


def _load(path: Path):
    try:
        return load_file(path)  # weights_only: tensors and plain containers only, no code runs
    except Exception as e:
        raise PretrainedError(f"{path.name} cannot be read as weights without running code from it "
                              f"({type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''})") from None


def _check_tensors(state, path):
    if not isinstance(state, dict) or not state:
        raise PretrainedError(f"{path.name}: expected a state_dict (parameter name -> tensor)")
    bad = [k for k, v in state.items() if not isinstance(k, str) or not torch.is_tensor(v)]
    if bad:
        raise PretrainedError(f"{path.name}: not a state_dict, these entries are not tensors: {bad[:LIST_LIMIT]}")


def _read_model_folder(folder: Path, kind):
    try:
        config = json.loads((folder / "config.json").read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise PretrainedError(f"{folder / 'config.json'}: {e}") from None
    weights = folder / "model.pth"
    state = _load(weights)
    _check_tensors(state, weights)
    state = _strip_module(state)
    return Source(path=weights, kind=kind, sha256=sha256_of(weights), state=state, full_network=True,
                  backbone=str(config.get("backbone") or guess_backbone(state)), config=config)


def _strip_module(state):
    # DataParallel / DistributedDataParallel save their wrapped module's keys under "module."
    if all(k.startswith("module.") for k in state):
        return {k[len("module."):]: v for k, v in state.items()}
    return dict(state)


def read_weights_file(path: Path) -> Source:
    raw = _load(path)
    epoch = None
    kind = "network state_dict"
    if isinstance(raw, dict) and isinstance(raw.get("state_dict"), dict):
        kind, epoch, raw = "FairMOT checkpoint", raw.get("epoch"), raw["state_dict"]
    _check_tensors(raw, path)
    state = _strip_module(raw)
    dropped = []
    if any(k.startswith("base_layer.") for k in state):
        kind = "ImageNet DLA weights"
        dropped = sorted(k for k in state if k.startswith("fc."))
        state = {"base." + k: v for k, v in state.items() if not k.startswith("fc.")}
        full = False
    elif "conv1.weight" in state and any(k.startswith("layer1.") for k in state):
        kind = "torchvision ResNet weights"
        dropped = sorted(k for k in state if k.startswith("fc."))
        state = {_torchvision_to_motflow(k): v for k, v in state.items() if not k.startswith("fc.")}
        full = False
    else:
        full = True
    return Source(path=path, kind=kind, sha256=sha256_of(path), state=state, full_network=full,
                  backbone=guess_backbone(state), epoch=int(epoch) if isinstance(epoch, (int, float)) else None,
                  dropped=dropped)


def _torchvision_to_motflow(key):
    if key.startswith("conv1."):
        return "stem.0." + key[len("conv1."):]
    if key.startswith("bn1."):
        return "stem.1." + key[len("bn1."):]
    m = re.match(r"layer([1-4])\.(.*)", key)
    if m:
        return f"layers.{int(m.group(1)) - 1}.{m.group(2)}"
    return key  # left as it is: reported as unexpected


def guess_backbone(state):
    """The backbone a state_dict in motflow's parameter names is for ("unknown" when none fits)."""
    keys = set(state)
    if any(k.startswith("base.") for k in keys):
        return "dla34"
    if any(k.startswith("layers.") for k in keys):
        if any(k.startswith("layers.0.0.conv3.") for k in keys):
            return "resnet50"
        blocks = {int(m.group(1)) for k in keys for m in [re.match(r"layers\.2\.(\d+)\.", k)] if m}
        return {2: "resnet18", 6: "resnet34"}.get(len(blocks), "unknown")
    return "unknown"


# ----------------------------------------------------------------------------------------------------
# Configuration and loading


def adopt_config(cfg, explicit, source: Source):
    """A model folder's shape settings become the job's where the job did not set them; returns the
    notes for the log. A contradiction with an explicit hyperparameter fails."""
    notes, conflicts = [], []
    for k in SHAPE_KEYS:
        if k not in source.config:
            continue
        theirs = type(cfg[k])(source.config[k])
        if theirs == cfg[k]:
            continue
        if k in explicit:
            conflicts.append(f"{k}={cfg[k]!r} (hyperparameter) but the pretrained model has {k}={theirs!r}")
        else:
            notes.append(f"{k}={theirs!r} adopted from the pretrained model's config.json (default was {cfg[k]!r})")
            cfg[k] = theirs
    if conflicts:
        raise PretrainedError("the pretrained model does not fit this job: " + "; ".join(conflicts)
                              + ". Remove these hyperparameters to adopt the model's values, or start without it")
    return notes


def _listed(keys):
    keys = sorted(keys)
    more = f" and {len(keys) - LIST_LIMIT} more" if len(keys) > LIST_LIMIT else ""
    return ", ".join(keys[:LIST_LIMIT]) + more


def load_into(model: torch.nn.Module, source: Source, backbone: str):
    """Copies the source's tensors into the model (in place). Returns the report for the log and the
    model card: source, SHA-256, tensors loaded per part, the parts left new."""
    if source.backbone != backbone:
        raise PretrainedError(
            f"the pretrained {source.kind} {source.path.name} is for backbone {source.backbone!r}, this job's "
            f"backbone hyperparameter is {backbone!r}: set backbone={source.backbone} or give {backbone} weights")
    own = model.state_dict()
    unexpected = [k for k in source.state if k not in own]
    misshaped = [f"{k} {tuple(v.shape)} (model {tuple(own[k].shape)})" for k, v in source.state.items()
                 if k in own and tuple(v.shape) != tuple(own[k].shape)]
    covered = {p for p, _ in PARTS} if source.full_network else {"backbone"}
    # BatchNorm's step counter is not a weight: published files often leave it out.
    missing = [k for k in own if part_of(k) in covered and k not in source.state
               and not k.endswith("num_batches_tracked")]
    if unexpected or misshaped or missing:
        problems = []
        if missing:
            problems.append(f"{len(missing)} missing: {_listed(missing)}")
        if unexpected:
            problems.append(f"{len(unexpected)} unexpected: {_listed(unexpected)}")
        if misshaped:
            problems.append(f"{len(misshaped)} mis-shaped: {_listed(misshaped)}")
        raise PretrainedError(f"the pretrained {source.kind} {source.path.name} does not fit the {backbone} network "
                              f"(reid_dim, neck_channels and head_conv change shapes): " + "; ".join(problems))
    merged = dict(own)
    loaded = {p: 0 for p, _ in PARTS}
    for k, v in source.state.items():
        merged[k] = v.to(dtype=own[k].dtype)
        loaded[part_of(k)] = loaded.get(part_of(k), 0) + 1
    model.load_state_dict(merged)
    new = [p for p, n in loaded.items() if n == 0] + ["identity classifier"]
    report = {"source": str(source.path.name), "kind": source.kind, "sha256": source.sha256,
              "backbone": source.backbone, "tensors_loaded": loaded, "new": new}
    if source.epoch is not None:
        report["epoch"] = source.epoch
    if source.dropped:
        report["dropped"] = source.dropped
    return report


def describe(report):
    parts = ", ".join(f"{p} {n}" for p, n in report["tensors_loaded"].items())
    epoch = f" (epoch {report['epoch']})" if "epoch" in report else ""
    return (f"pretrained: {report['kind']} {report['source']}{epoch} sha256 {report['sha256']}; tensors loaded: "
            f"{parts}; new: {', '.join(report['new'])}")
