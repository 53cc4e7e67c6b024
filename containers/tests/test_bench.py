import subprocess
import sys

from conftest import CONTAINERS


def test_gpu_bench_smoke_mode_runs_every_part_on_cpu(tmp_path):
    proc = subprocess.run([sys.executable, str(CONTAINERS / "bench" / "gpu_bench.py"), "--smoke", "--workdir",
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "(a) RESULT" in out and "MOTA=" in out and "IDF1=" in out
    assert out.count("(b) RESULT") >= 3 and "frames/s end to end" in out
    assert "(c) RESULT serving" in out
