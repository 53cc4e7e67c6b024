"""Fine-tuning FairMOT's DLA-34 through the training contract: the preprocessing a job trains with (and
writes into config.json), the size head's convention in loss and decoding, the distributed code paths
with DLA-34, and a published-layout checkpoint fine-tuned from the pretrained channel, then served and
tracked with."""
import contextlib
import json
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from conftest import CONTAINERS, TINY_HP, make_opt_ml, module_env, run_module, synth
from fairmot_checkpoint import random_fairmot_state_dict, save_fairmot_checkpoint
from test_serve import free_port, post, request
from motflow_ml.config import FAIRMOT_PREPROCESSING, defaults, preprocessing_settings, training_preprocessing
from motflow_ml.data import MotDataset, load_sequence
from motflow_ml.inference import Predictor, decode_peaks
from motflow_ml.model import TrackerLoss, build_model

MOTFLOW_OWN = {"pad_value": 114.0, "channel_order": "rgb", "input_mean": [0.45] * 3, "input_std": [0.25] * 3}
FAIRMOT = preprocessing_settings(FAIRMOT_PREPROCESSING)
# DLA-34 at 128x96 (multiples of 32): one CPU forward takes well under a second.
DLA_HP = {"backbone": "dla34", "input_width": "128", "input_height": "96", "batch_size": "2", "num_workers": "0",
          "max_objs": "32", "epochs": "1", "seed": "1"}


def test_training_preprocessing_is_fairmots_for_dla34_motflows_for_resnets_and_a_model_folders_own():
    assert training_preprocessing("dla34")[0] == FAIRMOT
    for backbone in ("resnet18", "resnet34", "resnet50"):
        assert training_preprocessing(backbone)[0] == MOTFLOW_OWN  # existing models keep working
    own = {"backbone": "dla34", "pad_value": 0, "channel_order": "bgr", "input_mean": [0.5] * 3, "input_std": [0.2] * 3}
    settings, origin = training_preprocessing("dla34", own)
    assert settings == {"pad_value": 0.0, "channel_order": "bgr", "input_mean": [0.5] * 3, "input_std": [0.2] * 3}
    assert origin == "the pretrained model's config.json"
    # A model folder without the keys was trained (and is served) with motflow's own, whatever its backbone.
    assert training_preprocessing("dla34", {"backbone": "dla34"})[0] == MOTFLOW_OWN


@pytest.mark.parametrize("pre", [FAIRMOT, {**MOTFLOW_OWN, "channel_order": "bgr"}])
def test_training_inputs_are_what_serving_feeds_the_model(tmp_path, pre):
    (seq_dir,) = synth(tmp_path, 1, 2, seed=31, width=256, height=96)  # letterboxed into 128x96: 24-row borders
    ds = MotDataset([load_sequence(seq_dir)], 128, 96, max_objs=8, augment=False, preprocessing=pre)
    trained_on = ds[0]["input"]
    frame = __import__("cv2").imread(str(ds.samples[0][0]))
    served, (_, px, py, _, _) = Predictor(torch.nn.Identity(), {**defaults(), "input_width": 128, "input_height": 96,
                                                                **pre}, device="cpu").preprocess([frame])
    assert (px, py) == (0, 24)
    torch.testing.assert_close(trained_on[:, :py], served[0, :, :py], rtol=0, atol=1e-6)  # the border, exactly
    torch.testing.assert_close(trained_on[:, -py:], served[0, :, -py:], rtol=0, atol=1e-6)
    image = slice(py, 96 - py)
    # the picture: same channel order and scaling (OpenCV's and torch's resamplers differ a little)
    scale = 1 / (255 * min(pre["input_std"]))
    assert float((trained_on[:, image] - served[0, :, image]).abs().mean()) < 6 * scale
    swapped = served[0].flip(0)
    assert float((trained_on[:, image] - swapped[:, image]).abs().mean()) > 3 * float(
        (trained_on[:, image] - served[0, :, image]).abs().mean())


def test_dla34_sizes_are_raw_in_the_loss_and_in_decoding_as_fairmots_resnets_pass_a_relu_in_forward():
    """The size the loss trains is the map decoding reads, for both families: DLA-34's wh head output is
    raw (FairMOT trains and decodes it without a ReLU), TrackerNet applies its ReLU in forward."""
    torch.manual_seed(0)
    for backbone, expect_negative in (("dla34", True), ("resnet18", False)):
        net = build_model({**defaults(), "backbone": backbone, "reid_dim": 16, "neck_channels": 16, "head_conv": 16})
        with torch.no_grad():
            net.wh[2].weight.zero_()
            net.wh[2].bias.fill_(-1.5)
            net.hm[2].bias.fill_(3.0)
        net.eval()
        with torch.no_grad():
            out = net(torch.rand(1, 3, 64, 64))
        h, w = out[0].shape[-2:]
        batch = {"hm": torch.zeros(1, 1, h, w), "wh": torch.zeros(1, 2, 4), "reg": torch.zeros(1, 2, 2),
                 "ind": torch.tensor([[5, 40]]), "mask": torch.tensor([[1.0, 1.0]]), "ids": torch.tensor([[0, 1]])}
        wh_loss = float(TrackerLoss(2, 16).detection_terms(out, batch)["wh"])
        boxes, _, _ = decode_peaks(*out, top_k=4)
        widths = (boxes[0, :, 2] - boxes[0, :, 0]) / 4  # stride-4 units: left + right
        if expect_negative:
            assert wh_loss == pytest.approx(1.5, abs=1e-4)  # |-1.5 - 0|: the raw value is trained
            torch.testing.assert_close(widths, torch.full_like(widths, -3.0))  # and decoded as it is
        else:
            assert wh_loss == pytest.approx(0.0, abs=1e-6)
            torch.testing.assert_close(widths, torch.zeros_like(widths))


def test_dla34_takes_a_distributed_step_and_saves_under_the_plain_names(tmp_path):
    """DDP over network and loss (gloo, one process on the CPU) with DLA-34, the zero-weight tie-in of the
    embedding head included; SyncBatchNorm conversion keeps the state_dict names of the model folder."""
    import torch.distributed as dist
    from motflow_ml.train import TrainingStep, plain_state
    cfg = {**defaults(), "backbone": "dla34", "reid_dim": 16, "head_conv": 32}
    synced = torch.nn.SyncBatchNorm.convert_sync_batchnorm(build_model(cfg))
    assert any(isinstance(m, torch.nn.SyncBatchNorm) for m in synced.modules())
    build_model(cfg).load_state_dict(plain_state(synced))  # strict: same names and shapes

    (seq_dir,) = synth(tmp_path, 1, 2, seed=32, width=256, height=144)
    batch = torch.utils.data.default_collate([MotDataset([load_sequence(seq_dir)], 128, 96, max_objs=8,
                                                         preprocessing=FAIRMOT)[i] for i in range(2)])
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'rendezvous'}", rank=0, world_size=1)
    try:
        torch.manual_seed(0)
        net = build_model(cfg)
        step = torch.nn.parallel.DistributedDataParallel(TrainingStep(net, TrackerLoss(8, 16), False, True))
        before = {k: v.clone() for k, v in net.state_dict().items()}
        opt = torch.optim.Adam(step.parameters(), lr=1e-3)
        for _ in range(2):  # DDP fails the second step when a trainable parameter got no gradient
            opt.zero_grad()
            loss, _ = step(batch)
            loss.backward()
            missing = [n for n, p in step.named_parameters() if p.requires_grad and p.grad is None]
            assert not missing, missing
            opt.step()
        # DLA's unused projections (kept for the published layout) are the only frozen tensors
        frozen = {n.split(".project.")[0] for n, p in net.named_parameters() if not p.requires_grad}
        assert frozen == {"base.level3", "base.level4"}
        assert not torch.equal(net.state_dict()["base.base_layer.0.weight"], before["base.base_layer.0.weight"])
        assert list(plain_state(step.module.net)) == list(before)  # saved without "module."
    finally:
        dist.destroy_process_group()


@contextlib.contextmanager
def serving(model_dir):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "motflow_ml.serve", "--host", "127.0.0.1", "--port", str(port),
                             "--model-dir", str(model_dir)], env=module_env("/nonexistent"), cwd=str(CONTAINERS),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if request(port, "GET", "/ping")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.2)
        else:
            pytest.fail("server did not become healthy")
        yield port
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0


@pytest.fixture(scope="module")
def fine_tuned(tmp_path_factory):
    """A published-layout FairMOT checkpoint (module. prefix, pre-1.6 serialisation, random weights) in
    the pretrained channel, fine-tuned for one step by the training job at 128x96."""
    root = make_opt_ml(tmp_path_factory.mktemp("ft-dla"), {**DLA_HP, "export": "both", "eval_tracking": "false",
                                                          "max_train_seconds": "0.001"}, validation=False)
    channel = root / "input" / "data" / "pretrained"
    channel.mkdir(parents=True)
    state = random_fairmot_state_dict(seed=8)
    save_fairmot_checkpoint(channel / "fairmot_dla34.pth", state, epoch=30)
    proc = run_module("motflow_ml.train", opt_ml=root)
    return root, proc, state


def test_a_fairmot_checkpoint_fine_tunes_for_one_step_into_a_dla34_model_folder(fine_tuned):
    root, proc, state = fine_tuned
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "input preprocessing: pad 127.5, RGB, x = (pixel / 255 - [0.0, 0.0, 0.0]) / [1.0, 1.0, 1.0] " \
           "(FairMOT's, for backbone dla34)" in out
    assert re.search(r"^pretrained: FairMOT checkpoint fairmot_dla34.pth \(epoch 30\) sha256 [0-9a-f]{64}; tensors "
                     r"loaded: backbone 234, neck 152, detection heads 12, embedding head 4; new: identity "
                     r"classifier$", out, re.M), out
    assert "1 iterations" in out
    assert "export onnx skipped: torchvision's deform_conv2d" in out
    model = root / "model"
    assert {p.name for p in model.iterdir()} == {"model.pth", "config.json", "model.ts", "model_card.json"}
    cfg = json.loads((model / "config.json").read_text())
    assert cfg["backbone"] == "dla34" and (cfg["input_width"], cfg["input_height"]) == (128, 96)
    assert preprocessing_settings(cfg) == FAIRMOT and cfg["pad_value"] == 127.5  # written, not defaulted
    card = json.loads((model / "model_card.json").read_text())
    assert card["architecture"]["preprocessing"] == FAIRMOT
    assert card["files"]["onnx_skipped"].startswith("torchvision's deform_conv2d")
    tuned = torch.load(str(model / "model.pth"), map_location="cpu")
    assert set(tuned) == set(state)
    changed = [k for k in state if tuned[k].is_floating_point() and not torch.equal(tuned[k], state[k])]
    assert "hm.2.bias" in changed and "base.base_layer.0.weight" in changed  # one Adam step moved them
    assert all(float((tuned[k] - state[k]).abs().max()) < 1e-2 for k in changed if not k.endswith(("running_mean",
                                                                                                  "running_var")))
    # the TorchScript export computes what the weights compute
    net = build_model(cfg)
    net.load_state_dict(tuned)
    net.eval()
    ts = torch.jit.load(str(model / "model.ts"), map_location="cpu")
    x = torch.rand(1, 3, 96, 128)
    with torch.no_grad():
        for a, b in zip(net(x), ts(x)):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)


def test_the_fine_tuned_dla34_model_serves_a_frame_and_tracks_a_video(fine_tuned, tmp_path):
    root, proc, _ = fine_tuned
    assert proc.returncode == 0, proc.stderr[-3000:]
    model = root / "model"
    (seq,) = synth(tmp_path / "input", 1, 4, seed=44, width=256, height=144, extra=["--mp4"])
    with serving(model) as port:
        status, ctype, body = post(port, (seq / "img1" / "000001.jpg").read_bytes(), "image/jpeg")
    assert status == 200 and ctype == "application/json", body
    res = json.loads(body)
    assert (res["width"], res["height"]) == (256, 144)
    assert res["detections"] and all(d["score"] > 0.4 and len(d["embedding"]) == 128 for d in res["detections"])

    shutil.rmtree(seq)  # the video only
    proc = run_module("motflow_ml.process", ["--model-dir", str(model), "--input", str(tmp_path / "input"),
                                             "--output", str(tmp_path / "out"), "--batch-size", "2"],
                      opt_ml=tmp_path / "optml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = json.loads((tmp_path / "out" / "run_summary.json").read_text())
    assert (run["inputs"], run["succeeded"], run["frames"]) == (1, 1, 4)
    lines = (tmp_path / "out" / seq.name / "tracks.txt").read_text().splitlines()
    assert lines and {int(line.split(",")[0]) for line in lines} >= {2, 4}


def test_a_warm_start_from_a_model_folder_keeps_its_preprocessing_and_tracking_settings(tmp_path, trained):
    src_root, src_proc = trained
    assert src_proc.returncode == 0
    root = make_opt_ml(tmp_path / "warm", {**{k: v for k, v in TINY_HP.items() if k not in (
        "backbone", "reid_dim", "neck_channels", "head_conv")}, "epochs": "1", "eval_tracking": "false",
        "export": "none", "max_train_seconds": "0.001"}, validation=False)
    production = root / "input" / "data" / "pretrained" / "production"
    shutil.copytree(src_root / "model", production)
    cfg = json.loads((production / "config.json").read_text())
    own = {"pad_value": 0.0, "channel_order": "bgr", "input_mean": [0.4, 0.5, 0.6], "input_std": [0.2, 0.3, 0.4]}
    cfg.update(own, min_box_area=50.0, emb_thresh=0.3)
    (production / "config.json").write_text(json.dumps(cfg))
    proc = run_module("motflow_ml.train", opt_ml=root)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "(the pretrained model's config.json)" in proc.stdout
    assert 'kept from the pretrained model\'s config.json: {"emb_thresh": 0.3, "min_box_area": 50.0}' in proc.stdout
    tuned = json.loads((root / "model" / "config.json").read_text())
    assert {k: tuned[k] for k in own} == own and tuned["min_box_area"] == 50.0 and tuned["emb_thresh"] == 0.3

    # A restart whose pretrained channel no longer says so would train on other inputs: refused.
    shutil.rmtree(production)
    (root / "input" / "config" / "hyperparameters.json").write_text(json.dumps(
        {**TINY_HP, "epochs": "2", "eval_tracking": "false", "export": "none"}))
    again = run_module("motflow_ml.train", opt_ml=root)
    assert again.returncode == 1
    reason = (root / "output" / "failure").read_text()
    assert "was trained with input preprocessing pad 0, BGR" in reason and "this job would use pad 114, RGB" in reason
