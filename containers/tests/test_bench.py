import json
import re
import subprocess
import sys

import torch

from conftest import CONTAINERS


def test_gpu_bench_smoke_mode_runs_every_part_on_cpu(tmp_path):
    proc = subprocess.run([sys.executable, str(CONTAINERS / "bench" / "gpu_bench.py"), "--smoke", "--workdir",
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "(a) RESULT" in out and "MOTA=" in out and "IDF1=" in out
    assert out.count("(b) RESULT") >= 3 and "frames/s end to end" in out
    assert "(c) RESULT serving" in out
    # (d): FairMOT's DLA-34 imported from random weights, end to end, in a table beside FairMOT's figure
    assert "(d) RESULT fp32 batch 1:" in out and "(d) RESULT fp16 batch 3" in out
    table = out[out.index("(d) TABLE"):]
    assert re.search(r"^    fp32 batch 1 +\d+\.\d +~30 \(FairMOT", table, re.M), table
    assert "fp32 batch 1 + torch.compile" in table
    if not hasattr(torch, "compile"):
        assert "skipped: torch.compile needs torch >= 2.0" in table
    tracked = re.search(r"\(d\) RESULT fp32 batch 1: .* \(([\d.]+) track boxes/frame, (\d+) tracks\)", out)
    assert float(tracked.group(1)) > 0 and int(tracked.group(2)) > 0  # the association had work to do
    cfg = json.loads((tmp_path / "fairmot-model" / "config.json").read_text())
    assert cfg["backbone"] == "dla34" and cfg["pad_value"] == 127.5


def test_gpu_bench_time_cap_skips_what_it_cannot_start(tmp_path):
    proc = subprocess.run([sys.executable, str(CONTAINERS / "bench" / "gpu_bench.py"), "--smoke", "--workdir",
                           str(tmp_path), "--skip", "a,b,c", "--max-seconds", "0.001"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "(d) skipped: --max-seconds reached" in proc.stdout and "(d) RESULT" not in proc.stdout
