"""Training over several processes: the launcher's plan from the SageMaker environment, and a real
2-process run (torchrun, gloo on the CPU) that must give the single-process model format."""
import json
import re

import torch

from conftest import TINY_HP, make_opt_ml, run_module
from motflow_ml import launch

EPOCH_LINE = re.compile(r"^epoch (\d+)/\d+: train_loss=([-+0-9.eE]+)", re.M)
VAL_LINE = re.compile(r"^validation_loss=([-+0-9.eE]+)$", re.M)


def plan(monkeypatch, tmp_path, env, resourceconfig=None):
    for k in ("SM_HOSTS", "SM_CURRENT_HOST", "SM_NUM_GPUS", "MOTFLOW_NPROC_PER_NODE", "MOTFLOW_MASTER_PORT",
              "NCCL_SOCKET_IFNAME", "GLOO_SOCKET_IFNAME"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("MOTFLOW_OPT_ML", str(tmp_path))
    if resourceconfig is not None:
        (tmp_path / "input" / "config").mkdir(parents=True, exist_ok=True)
        (tmp_path / "input" / "config" / "resourceconfig.json").write_text(json.dumps(resourceconfig))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return launch.command(["--x"])


def test_one_gpu_on_one_host_runs_plain_python(monkeypatch, tmp_path):
    cmd, env = plan(monkeypatch, tmp_path, {"SM_NUM_GPUS": "1"},
                    {"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0"})
    assert cmd[1:] == ["-m", "motflow_ml.train", "--x"] and env == {}


def test_every_gpu_of_one_host_runs_torchrun_standalone(monkeypatch, tmp_path):
    cmd, _ = plan(monkeypatch, tmp_path, {"SM_NUM_GPUS": "8"}, {"current_host": "algo-1", "hosts": ["algo-1"]})
    assert cmd[1:4] == ["-m", "motflow_ml.torchrun", "--nproc_per_node=8"]
    assert "--standalone" in cmd and cmd[-3:] == ["-m", "motflow_ml.train", "--x"]


def test_several_hosts_from_resourceconfig(monkeypatch, tmp_path):
    cmd, env = plan(monkeypatch, tmp_path, {"SM_NUM_GPUS": "4"},
                    {"current_host": "algo-2", "hosts": ["algo-2", "algo-1", "algo-3"],
                     "network_interface_name": "eth1"})
    assert {"--nproc_per_node=4", "--nnodes=3", "--node_rank=1", "--master_addr=algo-1",
            "--master_port=29500"} <= set(cmd)
    assert "--standalone" not in cmd
    assert env == {"NCCL_SOCKET_IFNAME": "eth1", "GLOO_SOCKET_IFNAME": "eth1"}


def test_sm_environment_wins_over_resourceconfig(monkeypatch, tmp_path):
    cmd, _ = plan(monkeypatch, tmp_path, {"SM_HOSTS": '["algo-1","algo-2"]', "SM_CURRENT_HOST": "algo-1",
                                          "SM_NUM_GPUS": "1", "MOTFLOW_MASTER_PORT": "7777"},
                  {"current_host": "algo-9", "hosts": ["algo-9"]})
    assert {"--nproc_per_node=1", "--nnodes=2", "--node_rank=0", "--master_addr=algo-1",
            "--master_port=7777"} <= set(cmd)


def test_a_host_outside_the_job_fails_the_launch_with_a_reason(tmp_path):
    (tmp_path / "input" / "config").mkdir(parents=True)
    (tmp_path / "input" / "config" / "resourceconfig.json").write_text(
        json.dumps({"current_host": "algo-3", "hosts": ["algo-1", "algo-2"]}))
    proc = run_module("motflow_ml.launch", opt_ml=tmp_path, SM_NUM_GPUS="1")
    assert proc.returncode == 1
    assert "'algo-3' is not among the job's hosts" in (tmp_path / "output" / "failure").read_text()


def test_two_processes_with_gloo_give_the_single_process_model_format(tmp_path, trained):
    root = make_opt_ml(tmp_path / "ddp", {**TINY_HP, "epochs": "3"})
    # The image's train command, with two processes on this CPU-only host.
    proc = run_module("motflow_ml.launch", opt_ml=root, timeout=400, MOTFLOW_NPROC_PER_NODE="2")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-4000:]
    assert "motflow_ml.torchrun --nproc_per_node=2 --standalone" in proc.stdout
    assert "distributed: 2 processes (2 per host), backend gloo" in proc.stdout
    epochs = [(int(e), float(v)) for e, v in EPOCH_LINE.findall(proc.stdout)]
    assert [e for e, _ in epochs] == [1, 2, 3]  # each line once: only rank 0 logs
    assert len(VAL_LINE.findall(proc.stdout)) == 3
    assert epochs[-1][1] < epochs[0][1], epochs  # the mean training loss over an epoch went down

    single_root, single = trained
    assert single.returncode == 0
    ddp_model, single_model = root / "model", single_root / "model"
    assert {p.name for p in ddp_model.iterdir()} == {p.name for p in single_model.iterdir()}
    assert json.loads((ddp_model / "config.json").read_text()) == json.loads((single_model / "config.json").read_text())
    a = torch.load(str(ddp_model / "model.pth"), map_location="cpu")
    b = torch.load(str(single_model / "model.pth"), map_location="cpu")
    assert list(a) == list(b) and all(a[k].shape == b[k].shape for k in a)  # no "module." prefix
    card = json.loads((ddp_model / "model_card.json").read_text())
    assert card["distributed"]["processes"] == 2 and card["distributed"]["global_batch_size"] == 8
    assert card["metrics"]["epochs_completed"] == 3 and card["metrics"]["tracking"]["overall"]
    assert not (root / "output" / "failure").exists()
    from motflow_ml.model import load_file
    ck = load_file(root / "checkpoints" / "checkpoint.pt", trusted=True)  # our own file: plain objects too
    assert ck["epoch"] == 3 and not any(k.startswith("module.") for k in ck["model"])
