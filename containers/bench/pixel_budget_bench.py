"""Peak memory of the model server for a 1080p frame, a 4K frame, an 8K frame and a pixel bomb; prints
its figures (nothing is asserted; the tests assert the behaviour).

Starts `python -m motflow_ml.serve` as SageMaker does, on a freshly initialised model of the production
shape (config defaults: resnet34, 1088x608 input; speed and memory do not depend on the weights), and
reads the server process's peak resident memory (VmHWM in /proc) after each request, in order:
    idle (model loaded and warmed up) -> 20000x20000 PNG bomb (about 390 KB, refused from its header:
    413) -> 1920x1080 JPEG -> 3840x2160 JPEG -> 7680x4320 JPEG (the budget)
then, since the peak is a high-water mark, once more with a fresh server per frame size (idle, then
that one frame): each frame's own peak.
--unguarded also starts a second server with the budget lifted (MOTFLOW_MAX_PIXELS and OpenCV's limit
set to 10^10) and sends it the bomb: what the budget saves (several GB; off by default).

    containers/.venv/bin/python containers/bench/pixel_budget_bench.py [--workdir DIR] [--unguarded]
"""
import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CONTAINERS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CONTAINERS))
sys.path.insert(0, str(CONTAINERS / "tests"))

from bombs import frame, png_bomb  # noqa: E402


def make_model(out):
    import torch
    from motflow_ml.config import defaults
    from motflow_ml.model import build_model
    out.mkdir(parents=True, exist_ok=True)
    cfg = {k: v for k, v in defaults().items() if isinstance(v, (int, float, str, bool, list))}
    torch.manual_seed(0)
    torch.save(build_model(cfg).state_dict(), str(out / "model.pth"))
    (out / "config.json").write_text(json.dumps(cfg))
    return cfg


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, model_dir, env_extra):
        import os
        self.port = free_port()
        env = dict(os.environ, PYTHONPATH=str(CONTAINERS), MOTFLOW_OPT_ML="/nonexistent", **env_extra)
        self.proc = subprocess.Popen([sys.executable, "-m", "motflow_ml.serve", "--host", "127.0.0.1", "--port",
                                      str(self.port), "--model-dir", str(model_dir)], env=env, cwd=str(CONTAINERS),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t0 = time.time()
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ping", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() - t0 > 300:
                raise SystemExit("the server did not come up")
            time.sleep(0.1)

    def invoke(self, body, ctype):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/invocations", data=body,
                                     headers={"Content-Type": ctype, "Accept": "application/json"})
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=900) as r:
                status, payload = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, payload = e.code, e.read()
        except OSError as e:  # e.g. the server was killed for memory
            status, payload = 0, str(e).encode()
        return status, payload, time.perf_counter() - t

    def peak(self):
        return peak_rss_mb(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--unguarded", action="store_true")
    a = ap.parse_args(argv)
    work = a.workdir or Path(tempfile.mkdtemp(prefix="pixel-budget-"))
    cfg = make_model(work / "model")
    print(f"model: {cfg['backbone']} {cfg['input_width']}x{cfg['input_height']} (random weights), CPU", flush=True)
    # The bomb first: the peak is a high-water mark, so it shows the bomb's own cost only before the frames.
    bomb = ("20000x20000 PNG bomb", png_bomb(20000, 20000), "image/png")
    requests = [bomb,
                ("1920x1080 JPEG", frame(1920, 1080), "image/jpeg"),
                ("3840x2160 JPEG", frame(3840, 2160), "image/jpeg"),
                ("7680x4320 JPEG", frame(7680, 4320), "image/jpeg")]
    srv = Server(work / "model", {})
    try:
        print(f"RESULT idle (loaded, warmed up): peak RSS {srv.peak():.0f} MiB", flush=True)
        for name, body, ctype in requests:
            status, payload, dt = srv.invoke(body, ctype)
            note = "" if status == 200 else " " + payload.decode(errors="replace")[:160]
            print(f"RESULT {name} ({len(body) / 1024:.0f} KiB): HTTP {status} in {dt * 1000:.0f} ms; "
                  f"peak RSS {srv.peak():.0f} MiB{note}", flush=True)
    finally:
        srv.stop()
    for name, body, ctype in requests[1:]:
        srv = Server(work / "model", {})
        try:
            idle = srv.peak()
            status, _, dt = srv.invoke(body, ctype)
            print(f"RESULT fresh server, {name} alone: HTTP {status}; peak RSS {srv.peak():.0f} MiB "
                  f"(idle {idle:.0f} MiB)", flush=True)
        finally:
            srv.stop()
    if a.unguarded:
        srv = Server(work / "model", {"MOTFLOW_MAX_PIXELS": str(10 ** 10), "OPENCV_IO_MAX_IMAGE_PIXELS": str(10 ** 10)})
        try:
            before = srv.peak()
            status, payload, dt = srv.invoke(bomb[1], "image/png")
            print(f"RESULT unguarded server (budget lifted): idle peak RSS {before:.0f} MiB; bomb: HTTP {status} "
                  f"in {dt:.1f} s; peak RSS {srv.peak():.0f} MiB", flush=True)
        finally:
            srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
