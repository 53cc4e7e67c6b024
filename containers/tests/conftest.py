"""Shared fixtures: tiny synthetic data, one tiny trained model (the training contract run once per
session, reused by the serving and processing tests), helpers to run the entry points as SageMaker does."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CONTAINERS = Path(__file__).resolve().parents[1]

# Small enough for 2 slow CPU cores; input sizes are multiples of 32.
TINY_HP = {"epochs": "2", "batch_size": "4", "input_width": "160", "input_height": "96", "backbone": "resnet18",
           "neck_channels": "32", "head_conv": "32", "reid_dim": "32", "num_workers": "0", "lr": "0.002",
           "max_objs": "32", "seed": "1"}


def module_env(opt_ml, **extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(CONTAINERS) + os.pathsep + env.get("PYTHONPATH", "")
    env["MOTFLOW_OPT_ML"] = str(opt_ml)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("SM_MODEL_DIR", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_module(module, args=(), opt_ml="/nonexistent", timeout=240, **extra_env):
    return subprocess.run([sys.executable, "-m", module, *args], env=module_env(opt_ml, **extra_env),
                          cwd=str(CONTAINERS), capture_output=True, text=True, timeout=timeout)


def synth(out, seqs, frames, seed, width=256, height=144, ids=4, extra=()):
    from motflow_ml import synth as s
    assert s.main(["--out", str(out), "--seqs", str(seqs), "--frames", str(frames), "--seed", str(seed),
                   "--width", str(width), "--height", str(height), "--ids", str(ids), *extra]) == 0
    return sorted(p for p in Path(out).iterdir() if p.is_dir())


def make_opt_ml(root, hp, train=True, validation=True):
    root = Path(root)
    (root / "input" / "config").mkdir(parents=True, exist_ok=True)
    (root / "input" / "config" / "hyperparameters.json").write_text(json.dumps(hp))
    if train:
        synth(root / "input" / "data" / "train", 2, 10, seed=11)
    if validation:
        synth(root / "input" / "data" / "validation", 1, 8, seed=12)
    return root


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """An /opt/ml-like folder after one tiny training job (the process result is returned too)."""
    root = make_opt_ml(tmp_path_factory.mktemp("optml"), TINY_HP)
    proc = run_module("motflow_ml.train", opt_ml=root)
    return root, proc


@pytest.fixture(scope="session")
def serving_model_dir(trained, tmp_path_factory):
    """The trained model with a zero detection threshold, so that the barely trained network's peaks
    come back as detections (the tests check the plumbing, not the accuracy)."""
    import shutil
    root, proc = trained
    assert proc.returncode == 0, proc.stderr[-3000:]
    d = tmp_path_factory.mktemp("model")
    for f in ("model.pth", "config.json"):
        shutil.copy(root / "model" / f, d / f)
    cfg = json.loads((d / "config.json").read_text())
    cfg.update(conf_thres=0.0, top_k=12)
    (d / "config.json").write_text(json.dumps(cfg))
    return d
