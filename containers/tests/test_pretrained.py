"""The training job's pretrained channel: every accepted layout loads the right parts, bad files are
refused with the reason, and a fine-tune from the channel writes a model folder."""
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
from pathlib import Path

import pytest
import torch
import torchvision

from conftest import TINY_HP, make_opt_ml, run_module
from motflow_ml import pretrained
from motflow_ml.config import load_hyperparameters
from motflow_ml.model import build_model

CFG = load_hyperparameters(TINY_HP)
SHAPE_HP = ("backbone", "reid_dim", "neck_channels", "head_conv")


def fresh():
    torch.manual_seed(123)
    return build_model(CFG)


def random_state(seed):
    torch.manual_seed(seed)
    return build_model(CFG).state_dict()


def assert_loaded(model, state, keys):
    own = model.state_dict()
    for k in keys:
        assert torch.equal(own[k], state[k]), k


def channel(tmp_path, name="pretrained"):
    d = tmp_path / name
    d.mkdir(parents=True, exist_ok=True)
    return d


def test_motflow_model_folder_loads_the_whole_network(tmp_path, trained):
    root, proc = trained
    assert proc.returncode == 0
    ch = channel(tmp_path)
    shutil.copytree(root / "model", ch / "production")
    source = pretrained.read_channel(ch)
    assert source.kind == "motflow model folder" and source.backbone == "resnet18"
    model = fresh()
    report = pretrained.load_into(model, source, "resnet18")
    weights = torch.load(str(root / "model" / "model.pth"), map_location="cpu")
    assert_loaded(model, weights, weights)
    assert report["new"] == ["identity classifier"]
    assert all(report["tensors_loaded"][p] > 0 for p in ("backbone", "neck", "detection heads", "embedding head"))
    assert sum(report["tensors_loaded"].values()) == len(weights)
    assert report["sha256"] == hashlib.sha256((root / "model" / "model.pth").read_bytes()).hexdigest()


def test_model_tar_gz_is_extracted_and_loaded(tmp_path, trained):
    root, _ = trained
    ch = channel(tmp_path)
    with tarfile.open(ch / "model.tar.gz", "w:gz") as t:
        for f in ("model.pth", "config.json", "model_card.json"):
            t.add(root / "model" / f, arcname=f)
    source = pretrained.read_channel(ch)
    assert source.kind == "model.tar.gz" and source.path.name == "model.tar.gz"
    assert source.sha256 == hashlib.sha256((ch / "model.tar.gz").read_bytes()).hexdigest()
    model = fresh()
    pretrained.load_into(model, source, "resnet18")
    weights = torch.load(str(root / "model" / "model.pth"), map_location="cpu")
    assert_loaded(model, weights, weights)


@pytest.mark.parametrize("prefix", ["module.", ""])
def test_fairmot_checkpoint_layout_loads_with_or_without_module_prefix(tmp_path, prefix):
    state = random_state(7)
    path = channel(tmp_path) / "fairmot_dla34.pth"
    # The published files leave BatchNorm's step counters out.
    torch.save({"epoch": 30, "state_dict": {prefix + k: v for k, v in state.items()
                                            if not k.endswith("num_batches_tracked")}}, str(path))
    source = pretrained.read_channel(path.parent)
    assert source.kind == "FairMOT checkpoint" and source.epoch == 30 and source.full_network
    model = fresh()
    report = pretrained.load_into(model, source, "resnet18")
    assert_loaded(model, state, [k for k in state if not k.endswith("num_batches_tracked")])
    assert report["epoch"] == 30 and report["new"] == ["identity classifier"]


def test_torchvision_resnet_weights_load_the_backbone_only(tmp_path):
    torch.manual_seed(5)
    tv = torchvision.models.resnet18().state_dict()
    path = channel(tmp_path) / "resnet18-imagenet.pth"
    torch.save(tv, str(path))
    source = pretrained.read_channel(path.parent)
    assert source.kind == "torchvision ResNet weights" and not source.full_network
    model = fresh()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    report = pretrained.load_into(model, source, "resnet18")
    own = model.state_dict()
    assert torch.equal(own["stem.0.weight"], tv["conv1.weight"])
    assert torch.equal(own["stem.1.running_var"], tv["bn1.running_var"])
    assert torch.equal(own["layers.3.1.conv2.weight"], tv["layer4.1.conv2.weight"])
    assert torch.equal(own["neck.lateral.0.weight"], before["neck.lateral.0.weight"])  # untouched
    assert report["new"] == ["neck", "detection heads", "embedding head", "identity classifier"]
    assert report["dropped"] == ["fc.bias", "fc.weight"]
    assert report["tensors_loaded"]["backbone"] == len(tv) - 2


def test_dla_imagenet_layout_maps_onto_base_and_is_refused_for_a_resnet_job(tmp_path):
    path = channel(tmp_path) / "dla34-ba72cf86.pth"
    torch.save({"base_layer.0.weight": torch.zeros(16, 3, 7, 7), "level0.0.weight": torch.zeros(16, 16, 3, 3),
                "fc.weight": torch.zeros(1000, 512, 1, 1), "fc.bias": torch.zeros(1000)}, str(path))
    source = pretrained.read_channel(path.parent)
    assert source.kind == "ImageNet DLA weights" and source.backbone == "dla34" and not source.full_network
    assert sorted(source.state) == ["base.base_layer.0.weight", "base.level0.0.weight"]
    with pytest.raises(pretrained.PretrainedError, match="backbone 'dla34'.*set backbone=dla34"):
        pretrained.load_into(fresh(), source, "resnet18")


def test_missing_renamed_and_misshaped_tensors_are_all_named(tmp_path):
    state = random_state(3)
    state.pop("hm.0.bias")
    state["wh.9.weight"] = state.pop("wh.2.weight")
    state["reg.2.weight"] = torch.zeros(3, 32, 1, 1)
    path = channel(tmp_path) / "broken.pth"
    torch.save({"epoch": 1, "state_dict": state}, str(path))
    with pytest.raises(pretrained.PretrainedError) as e:
        pretrained.load_into(fresh(), pretrained.read_channel(path.parent), "resnet18")
    msg = str(e.value)
    assert "hm.0.bias" in msg and "wh.2.weight" in msg and "wh.9.weight" in msg
    assert "reg.2.weight (3, 32, 1, 1) (model (2, 32, 1, 1))" in msg


class RunsCode:
    def __reduce__(self):
        return (os.system, ("touch " + str(MARKER),))


MARKER = Path("/nonexistent")


def test_a_file_that_would_run_code_is_refused(tmp_path):
    global MARKER
    MARKER = tmp_path / "code-ran"
    path = channel(tmp_path) / "evil.pth"
    torch.save({"state_dict": {"x": RunsCode()}}, str(path))
    with pytest.raises(pretrained.PretrainedError, match="without running code"):
        pretrained.read_channel(path.parent)
    assert not MARKER.exists()


@pytest.mark.parametrize("member", ["../escape.pth", "/abs/model.pth", "link"])
def test_unsafe_tar_members_are_refused(tmp_path, member):
    ch = channel(tmp_path)
    with tarfile.open(ch / "model.tar.gz", "w:gz") as t:
        info = tarfile.TarInfo(member)
        if member == "link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            t.addfile(info)
        else:
            data = b"not weights"
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    with pytest.raises(pretrained.PretrainedError, match="unsafe path|is a link"):
        pretrained.read_channel(ch)
    assert not (tmp_path / "escape.pth").exists()


def test_model_folder_config_is_adopted_unless_contradicted():
    source = pretrained.Source(path=Path("model.pth"), kind="motflow model folder", sha256="", state={},
                               full_network=True, backbone="resnet18",
                               config={"backbone": "resnet18", "reid_dim": 32, "neck_channels": 32, "head_conv": 32})
    cfg = load_hyperparameters({})
    notes = pretrained.adopt_config(cfg, set(), source)
    assert (cfg["backbone"], cfg["reid_dim"]) == ("resnet18", 32) and len(notes) == 4
    cfg = load_hyperparameters({"backbone": "resnet34"})
    with pytest.raises(pretrained.PretrainedError, match="backbone='resnet34' \\(hyperparameter\\).*'resnet18'"):
        pretrained.adopt_config(cfg, {"backbone"}, source)


def test_fine_tune_from_the_channel_then_resume_keeps_the_trained_weights(tmp_path, trained):
    src_root, _ = trained
    hp = {k: v for k, v in TINY_HP.items() if k not in SHAPE_HP}  # adopted from the model's config.json
    hp.update(epochs="1", eval_tracking="false", export="none", max_train_seconds="0.001")  # one step
    root = make_opt_ml(tmp_path / "ft", hp, validation=False)
    shutil.copytree(src_root / "model", root / "input" / "data" / "pretrained")
    proc = run_module("motflow_ml.train", opt_ml=root)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "backbone='resnet18' adopted from the pretrained model's config.json" in proc.stdout
    assert re.search(r"^pretrained: motflow model folder model.pth sha256 [0-9a-f]{64}; tensors loaded: backbone "
                     r"\d+, neck \d+, detection heads 12, embedding head 4; new: identity classifier$",
                     proc.stdout, re.M), proc.stdout
    assert "(0.0" not in proc.stdout and "1 iterations" in proc.stdout
    card = json.loads((root / "model" / "model_card.json").read_text())
    assert card["pretrained"]["sha256"] == hashlib.sha256((src_root / "model" / "model.pth").read_bytes()).hexdigest()
    assert card["hyperparameters"]["reid_dim"] == 32 and card["architecture"]["backbone"] == "resnet18"
    assert {"model.pth", "config.json", "model_card.json"} <= {p.name for p in (root / "model").iterdir()}
    tuned = torch.load(str(root / "model" / "model.pth"), map_location="cpu")

    # A restarted (spot) job resumes from its checkpoint and must not reload the pretrained weights.
    (root / "input" / "config" / "hyperparameters.json").write_text(json.dumps({**hp, "epochs": "2",
                                                                                "max_train_seconds": "0"}))
    again = run_module("motflow_ml.train", opt_ml=root)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resumed from checkpoint: epoch 1 done" in again.stdout
    assert "pretrained channel not loaded: resuming from the checkpoint" in again.stdout
    assert "tensors loaded" not in again.stdout
    card = json.loads((root / "model" / "model_card.json").read_text())
    assert card["pretrained"]["sha256"] and card["metrics"]["epochs_completed"] == 2
    assert not torch.equal(torch.load(str(root / "model" / "model.pth"))["hm.2.bias"], tuned["hm.2.bias"])


def test_a_pretrained_file_of_another_backbone_fails_the_job_with_the_reason(tmp_path):
    root = make_opt_ml(tmp_path / "mismatch", {**TINY_HP, "epochs": "1"}, validation=False)
    ch = root / "input" / "data" / "pretrained"
    ch.mkdir(parents=True)
    torch.save({"base_layer.0.weight": torch.zeros(16, 3, 7, 7), "fc.bias": torch.zeros(10)},
               str(ch / "dla34-ba72cf86.pth"))
    proc = run_module("motflow_ml.train", opt_ml=root)
    assert proc.returncode == 1
    reason = (root / "output" / "failure").read_text()
    assert "is for backbone 'dla34'" in reason and "backbone hyperparameter is 'resnet18'" in reason
    assert not (root / "model" / "model.pth").exists()
