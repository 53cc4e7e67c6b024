"""Importing a FairMOT checkpoint (python -m motflow_ml.import_fairmot) and running the imported model
through serving and processing unchanged. The checkpoints are made here in the published layout from
the network's own key list with random weights."""
import hashlib
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from conftest import CONTAINERS, module_env, run_module, synth
from fairmot_checkpoint import random_fairmot_state_dict, save_fairmot_checkpoint
from test_serve import free_port, post, request
from motflow_ml.config import preprocessing_settings
from motflow_ml.import_fairmot import main as import_main
from motflow_ml.inference import Predictor
from motflow_ml.model import load_model
from motflow_ml.pipeline import association_settings, output_filter

# The contract's input is 1088x608; the serving and tracking tests run the same network at 128x96
# (multiples of 32) because one 1088x608 forward takes tens of seconds on the test machine's CPU.
SMALL_INPUT = {"input_width": 128, "input_height": 96}


@pytest.fixture(scope="module")
def fairmot_state():
    return random_fairmot_state_dict(seed=4)


@pytest.fixture(scope="module")
def imported(fairmot_state, tmp_path_factory):
    """A published-layout checkpoint (module. prefix, pre-1.6 serialisation) imported with the CLI."""
    d = tmp_path_factory.mktemp("fairmot")
    ckpt = save_fairmot_checkpoint(d / "fairmot_dla34.pth", fairmot_state, epoch=30)
    proc = run_module("motflow_ml.import_fairmot", [str(ckpt), "--out", str(d / "model")])
    assert proc.returncode == 0, proc.stderr
    assert "402 tensors" in proc.stdout
    return ckpt, d / "model"


@pytest.fixture(scope="module")
def small_model_dir(imported, tmp_path_factory):
    _, model_dir = imported
    d = tmp_path_factory.mktemp("small")
    (d / "model.pth").write_bytes((model_dir / "model.pth").read_bytes())
    cfg = json.loads((model_dir / "config.json").read_text())
    cfg.update(SMALL_INPUT)
    (d / "config.json").write_text(json.dumps(cfg))
    return d


def test_import_writes_a_model_folder_with_fairmot_settings(imported, fairmot_state):
    ckpt, model_dir = imported
    assert {p.name for p in model_dir.iterdir()} == {"model.pth", "config.json", "model_card.json"}
    cfg = json.loads((model_dir / "config.json").read_text())
    assert {k: cfg[k] for k in ("backbone", "reid_dim", "head_conv", "input_width", "input_height", "conf_thres",
                                "top_k", "track_buffer")} == {
        "backbone": "dla34", "reid_dim": 128, "head_conv": 256, "input_width": 1088, "input_height": 608,
        "conf_thres": 0.4, "top_k": 500, "track_buffer": 30}
    assert preprocessing_settings(cfg) == {"pad_value": 127.5, "channel_order": "rgb",
                                           "input_mean": [0.0, 0.0, 0.0], "input_std": [1.0, 1.0, 1.0]}
    assert association_settings(cfg) == {"momentum": 0.9, "motion_lambda": 0.98, "emb_thresh": 0.4,
                                         "iou_thresh": 0.5, "unconfirmed_thresh": 0.7, "duplicate_thresh": 0.15}
    card = json.loads((model_dir / "model_card.json").read_text())
    assert card["source"]["sha256"] == hashlib.sha256(ckpt.read_bytes()).hexdigest()
    assert card["source"]["epoch"] == 30
    assert card["state_dict"] == {"keys": 402, "values": 19_856_350, "dropped_keys": []}

    saved = torch.load(str(model_dir / "model.pth"), map_location="cpu")
    assert set(saved) == set(fairmot_state)  # no "module." prefix left
    net = load_model(model_dir)
    assert not net.training
    for k, v in net.state_dict().items():
        assert torch.equal(v, fairmot_state[k]), k


def test_load_model_gives_the_raw_head_maps_of_the_checkpoint(imported, fairmot_state):
    _, model_dir = imported
    from motflow_ml.dla import DLASeg
    ref = DLASeg()
    ref.load_state_dict(fairmot_state)
    ref.eval()
    x = torch.rand(1, 3, 64, 128)
    with torch.no_grad():
        got = load_model(model_dir)(x)
        want = ref(x)
    assert [t.shape[1] for t in got] == [1, 4, 2, 128]
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w)


def test_a_bare_state_dict_without_prefix_imports(fairmot_state, tmp_path):
    ckpt = save_fairmot_checkpoint(tmp_path / "bare.pth", fairmot_state, prefix="", wrapped=False, legacy=False)
    assert import_main([str(ckpt), "--out", str(tmp_path / "m")]) == 0
    card = json.loads((tmp_path / "m" / "model_card.json").read_text())
    assert card["source"]["epoch"] is None and card["state_dict"]["keys"] == 402
    # An existing model is only replaced on request.
    assert import_main([str(ckpt), "--out", str(tmp_path / "m")]) == 1
    assert import_main([str(ckpt), "--out", str(tmp_path / "m"), "--force"]) == 0


def test_dlas_imagenet_classifier_is_dropped_and_reported_but_nothing_else(fairmot_state, tmp_path, capsys):
    with_fc = {**fairmot_state, "base.fc.weight": torch.zeros(1000, 512, 1, 1), "base.fc.bias": torch.zeros(1000)}
    assert import_main([str(save_fairmot_checkpoint(tmp_path / "fc.pth", with_fc)), "--out", str(tmp_path / "m")]) == 0
    assert "base.fc.weight" in capsys.readouterr().out
    card = json.loads((tmp_path / "m" / "model_card.json").read_text())
    assert card["state_dict"]["dropped_keys"] == ["base.fc.weight", "base.fc.bias"]
    odd = {**fairmot_state, "base.fc.weight": torch.zeros(1000, 256, 1, 1), "base.fc.bias": torch.zeros(1000)}
    assert import_main([str(save_fairmot_checkpoint(tmp_path / "odd.pth", odd)), "--out", str(tmp_path / "n")]) == 1
    assert "unexpected: base.fc.weight" in capsys.readouterr().err


def test_missing_renamed_and_misshaped_keys_are_all_named(fairmot_state, tmp_path):
    state = dict(fairmot_state)
    del state["base.level2.root.bn.running_var"]
    state["dla_up.ida_1.node_2.conv.offset_weight"] = state.pop("dla_up.ida_1.node_2.conv.weight")
    state["id.2.weight"] = torch.zeros(64, 256, 1, 1)
    ckpt = save_fairmot_checkpoint(tmp_path / "bad.pth", state)
    proc = run_module("motflow_ml.import_fairmot", [str(ckpt), "--out", str(tmp_path / "m")])
    assert proc.returncode == 1
    err = proc.stderr
    assert "missing: base.level2.root.bn.running_var" in err
    assert "missing: dla_up.ida_1.node_2.conv.weight" in err
    assert "unexpected: dla_up.ida_1.node_2.conv.offset_weight" in err
    assert "mis-shaped: id.2.weight is (64, 256, 1, 1), expected (128, 256, 1, 1)" in err
    assert "--reid-dim 64" in err  # a hint when the re-ID size is the only difference there
    assert "Traceback" not in err
    assert not (tmp_path / "m" / "model.pth").exists()


class RunsCodeWhenUnpickled:
    """What a malicious checkpoint carries: unpickling it would call os.system."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("legacy", [False, True])
def test_a_checkpoint_that_would_run_code_is_refused(fairmot_state, tmp_path, legacy):
    marker = tmp_path / "code-ran"
    ckpt = tmp_path / "evil.pth"
    torch.save({"epoch": 1, "state_dict": fairmot_state, "extra": RunsCodeWhenUnpickled(marker)}, str(ckpt),
               _use_new_zipfile_serialization=not legacy)
    proc = run_module("motflow_ml.import_fairmot", [str(ckpt), "--out", str(tmp_path / "m")])
    assert proc.returncode == 1
    assert "refusing to load it" in proc.stderr and "Traceback" not in proc.stderr
    assert not marker.exists()
    assert not (tmp_path / "m").exists()


def test_not_a_checkpoint_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"certainly not a checkpoint")
    assert import_main([str(junk), "--out", str(tmp_path / "m")]) == 1
    assert import_main([str(tmp_path / "absent.pth"), "--out", str(tmp_path / "m")]) == 1


def test_preprocessing_follows_the_config_and_defaults_to_motflows_own(small_model_dir):
    frame = np.zeros((48, 128, 3), np.uint8)  # letterboxed into 128x96: 24 rows of border above and below
    frame[:] = (10, 20, 30)  # BGR
    net = torch.nn.Identity()
    fair = Predictor(net, {**json.loads((small_model_dir / "config.json").read_text())}, device="cpu")
    x, _ = fair.preprocess([frame])
    assert torch.allclose(x[0, :, 0, 0], torch.full((3,), 127.5 / 255))
    assert torch.allclose(x[0, :, 48, 64], torch.tensor([30, 20, 10]) / 255.0)  # RGB, no mean / std
    own = Predictor(net, {"input_width": 128, "input_height": 96, "conf_thres": 0.4, "top_k": 10}, device="cpu")
    x, _ = own.preprocess([frame])
    assert torch.allclose(x[0, :, 0, 0], torch.full((3,), (114 / 255 - 0.45) / 0.25))
    assert torch.allclose(x[0, :, 48, 64], (torch.tensor([30, 20, 10]) / 255.0 - 0.45) / 0.25)


def test_output_filter_is_fairmots_and_absent_by_default():
    class T:
        def __init__(self, w, h):
            self.tlwh = np.array([0.0, 0.0, w, h])
    keep = output_filter({"min_box_area": 100.0, "max_aspect_ratio": 1.6})
    assert keep(T(10, 20)) and not keep(T(5, 20)) and not keep(T(40, 20))
    assert output_filter({}) is None


def test_serve_answers_a_jpeg_with_the_imported_model(small_model_dir, tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "motflow_ml.serve", "--host", "127.0.0.1", "--port", str(port),
                             "--model-dir", str(small_model_dir)], env=module_env("/nonexistent"),
                            cwd=str(CONTAINERS), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
        (seq,) = synth(tmp_path, 1, 1, seed=41, width=256, height=144)
        status, ctype, body = post(port, (seq / "img1" / "000001.jpg").read_bytes(), "image/jpeg")
        assert status == 200 and ctype == "application/json", body
        res = json.loads(body)
        assert (res["width"], res["height"]) == (256, 144)
        dets = res["detections"]
        assert dets and all(d["score"] > 0.4 for d in dets)
        assert all(abs(np.linalg.norm(d["embedding"]) - 1) < 1e-3 and len(d["embedding"]) == 128 for d in dets)
        assert all(0 <= d["tlbr"][0] < d["tlbr"][2] <= 256 and 0 <= d["tlbr"][1] < d["tlbr"][3] <= 144 for d in dets)
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0


def test_process_tracks_a_video_and_a_sequence_with_the_imported_model(small_model_dir, tmp_path):
    root = tmp_path / "optml"
    (seq,) = synth(root / "processing" / "input", 1, 6, seed=42, width=256, height=144, extra=["--mp4"])
    proc = run_module("motflow_ml.process", ["--model-dir", str(small_model_dir), "--batch-size", "3"], opt_ml=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = root / "processing" / "output"
    run = json.loads((out / "run_summary.json").read_text())
    assert (run["inputs"], run["succeeded"], run["frames"]) == (2, 2, 12)
    lines = (out / seq.name / "tracks.txt").read_text().splitlines()
    assert lines and {int(line.split(",")[0]) for line in lines} >= {2, 6}
    for line in lines:  # FairMOT's results filter: area > 100, w / h <= 1.6
        w, h = float(line.split(",")[4]), float(line.split(",")[5])
        assert w * h > 100 and w / h <= 1.6
    assert "metrics" in run  # the sequence has ground truth: evaluation ran


def test_evaluate_scores_sequences_with_the_imported_model(small_model_dir, tmp_path):
    synth(tmp_path / "validation", 1, 5, seed=43, width=256, height=144)
    proc = run_module("motflow_ml.evaluate", ["--model", str(small_model_dir), "--sequences",
                                              str(tmp_path / "validation"), "--out", str(tmp_path / "results")],
                      opt_ml=tmp_path / "optml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (result,) = (tmp_path / "results").glob("*.txt")
    assert result.read_text().strip()
    assert json.loads((tmp_path / "results" / "run_summary.json").read_text())["succeeded"] == 1
