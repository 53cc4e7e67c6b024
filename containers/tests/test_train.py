import json
import re
import signal
import subprocess
import sys
import time

import torch

from conftest import TINY_HP, make_opt_ml, module_env, run_module, CONTAINERS

VAL_LINE = re.compile(r"^validation_loss=([-+0-9.eE]+)$", re.M)


def test_training_contract(trained):
    root, proc = trained
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    losses = [float(v) for v in VAL_LINE.findall(proc.stdout)]
    assert len(losses) == 2  # one per epoch
    model = root / "model"
    assert {"model.pth", "config.json", "model.ts", "model_card.json"} <= {p.name for p in model.iterdir()}
    card = json.loads((model / "model_card.json").read_text())
    assert card["metrics"]["epochs_completed"] == 2
    assert abs(card["metrics"]["validation_loss"] - losses[-1]) < 1e-5  # printed with 6 decimals
    assert card["hyperparameters"]["input_width"] == 160 and card["hyperparameters"]["backbone"] == "resnet18"
    tracking = card["metrics"]["tracking"]
    assert tracking["benchmark"] == "MOT17" and tracking["note"] is None  # the gate's rules
    assert tracking["definitions"] == "trackeval"  # the gate's (MOTChallenge evaluation's) definitions
    assert {"MOTA", "IDF1", "HOTA", "mota", "idf1", "hota", "num_switches"} <= set(tracking["overall"])
    assert tracking["overall"]["num_gt"] > 0
    assert (root / "checkpoints" / "checkpoint.pt").exists()
    assert not (root / "output" / "failure").exists()
    # the TorchScript export computes what the weights compute
    from motflow_ml.inference import Predictor
    pred = Predictor.load(model, device="cpu")
    ts = torch.jit.load(str(model / "model.ts"), map_location="cpu")
    x = torch.randn(1, 3, 96, 160)
    with torch.no_grad():
        for a, b in zip(pred.model(x), ts(x)):
            assert torch.allclose(a, b, atol=1e-4)


def test_bad_inputs_write_the_failure_file(tmp_path):
    empty = make_opt_ml(tmp_path / "empty", TINY_HP, train=False, validation=False)
    (empty / "input" / "data" / "train").mkdir(parents=True)
    proc = run_module("motflow_ml.train", opt_ml=empty)
    assert proc.returncode == 1
    assert "no MOTChallenge sequences" in (empty / "output" / "failure").read_text()

    bad_hp = make_opt_ml(tmp_path / "badhp", {**TINY_HP, "input_width": "100", "lr": "fast"}, validation=False)
    proc = run_module("motflow_ml.train", opt_ml=bad_hp)
    assert proc.returncode == 1
    reason = (bad_hp / "output" / "failure").read_text()
    assert "lr" in reason and "fast" in reason
    assert not (bad_hp / "model" / "model.pth").exists()


def test_killed_job_resumes_from_its_checkpoint(tmp_path):
    root = make_opt_ml(tmp_path / "spot", {**TINY_HP, "epochs": "3", "eval_tracking": "false"}, validation=False)
    ck = root / "checkpoints" / "checkpoint.pt"
    first = subprocess.Popen([sys.executable, "-m", "motflow_ml.train"], env=module_env(root), cwd=str(CONTAINERS),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 180
    while not ck.exists() and first.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)  # a spot interruption without warning
    first.communicate(timeout=30)
    from motflow_ml.model import load_file
    done = load_file(ck, trusted=True)["epoch"]
    assert 1 <= done <= 3
    second = run_module("motflow_ml.train", opt_ml=root)
    assert second.returncode == 0, second.stderr[-3000:]
    if done < 3:
        assert f"resumed from checkpoint: epoch {done} done, continuing at epoch {done + 1}" in second.stdout
    assert len(VAL_LINE.findall(second.stdout)) == 3 - done
    card = json.loads((root / "model" / "model_card.json").read_text())
    assert card["metrics"]["epochs_completed"] == 3
    assert [h["epoch"] for h in card["history"]] == [1, 2, 3]
