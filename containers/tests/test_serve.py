"""The inference server over real HTTP, started as SageMaker starts it (a process listening on a port)."""
import http.client
import json
import socket
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest

from conftest import CONTAINERS, module_env, synth

MAX_BODY = 3_000_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model_dir, env):
    """Starts motflow_ml.serve on a free port as SageMaker does and waits for /ping; (port, process)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "motflow_ml.serve", "--host", "127.0.0.1", "--port", str(port),
                             "--model-dir", str(model_dir)], env=env, cwd=str(CONTAINERS),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if request(port, "GET", "/ping")[0] == 200:
                return port, proc
        except OSError:
            pass
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.2)
    proc.kill()
    pytest.fail("server did not become healthy: " + proc.stdout.read())


@pytest.fixture(scope="module")
def server(serving_model_dir, tmp_path_factory):
    port, proc = start_server(serving_model_dir, module_env("/nonexistent", MOTFLOW_MAX_BODY_BYTES=MAX_BODY))
    data = tmp_path_factory.mktemp("media")
    (seq,) = synth(data, 1, 12, seed=21, width=256, height=144, extra=["--mp4"])
    yield port, seq, data / f"{seq.name}.mp4"
    proc.terminate()  # SIGTERM: SageMaker's stop
    assert proc.wait(timeout=20) == 0


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type"), resp.read()
    finally:
        conn.close()


def post(port, body, ctype, accept=None):
    h = {"Content-Type": ctype}
    if accept:
        h["Accept"] = accept
    return request(port, "POST", "/invocations", body, h)


def test_ping(server):
    status, ctype, body = request(server[0], "GET", "/ping")
    assert status == 200 and json.loads(body) == {"status": "ok"}


def test_jpeg_and_png_give_detections(server):
    port, seq, _ = server
    jpeg = (seq / "img1" / "000001.jpg").read_bytes()
    status, ctype, body = post(port, jpeg, "image/jpeg", "application/json")
    assert status == 200 and ctype == "application/json"
    res = json.loads(body)
    assert (res["width"], res["height"]) == (256, 144)
    dets = res["detections"]
    assert 1 <= len(dets) <= 12  # top_k of the test model; threshold 0
    for d in dets:
        x, y, w, h = d["box"]
        assert 0 <= x <= 256 and 0 <= y <= 144 and w >= 0 and h >= 0
        assert 0.0 <= d["score"] <= 1.0
        assert len(d["embedding"]) == 32
        assert abs(np.linalg.norm(d["embedding"]) - 1.0) < 1e-3
    scores = [d["score"] for d in dets]
    assert scores == sorted(scores, reverse=True)
    # the PNG of the same decoded pixels gives the same answer
    ok, png = cv2.imencode(".png", cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR))
    status, _, body = post(port, png.tobytes(), "image/png")
    assert status == 200 and json.loads(body)["detections"] == dets


def test_mp4_gives_tracks_as_json_and_as_mot_text(server):
    port, _, mp4 = server
    status, ctype, body = post(port, mp4.read_bytes(), "video/mp4", "application/json")
    assert status == 200 and ctype == "application/json"
    res = json.loads(body)
    assert res["frames"] == 12 and (res["width"], res["height"]) == (256, 144)
    lines = res["mot"].splitlines()
    assert lines, "a zero threshold must yield tracks"
    per_id = {}
    for line in lines:
        p = line.split(",")
        assert len(p) == 10 and p[7:] == ["-1", "-1", "-1"]
        assert 1 <= int(p[0]) <= 12
        per_id.setdefault(int(p[1]), []).append(int(p[0]))
    assert min(per_id) == 1
    summaries = {t["id"]: t for t in res["tracks"]}
    assert set(summaries) == set(per_id)
    for tid, frames in per_id.items():
        t = summaries[tid]
        assert (t["first_frame"], t["last_frame"], t["frames"]) == (min(frames), max(frames), len(frames))
        assert 0 <= t["mean_score"] <= 1
    status, ctype, text = post(port, mp4.read_bytes(), "video/mp4", "text/csv")
    assert status == 200 and ctype == "text/csv" and text.decode() == res["mot"]


@pytest.mark.parametrize("body,ctype,accept,status", [
    (b"", "image/jpeg", None, 400),
    (b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg", None, 400),
    (b"\x89PNG broken", "image/png", None, 400),
    (b"\x00\x00\x00\x18ftypmp42 truncated", "video/mp4", None, 400),
    (b"GIF89a", "image/gif", None, 415),
    (b"{}", "application/json", None, 415),
    (b"x" * (MAX_BODY + 1), "video/mp4", None, 413),
    (b"\xff\xd8", "image/jpeg", "image/png", 406),
], ids=["empty", "corrupt-jpeg", "corrupt-png", "corrupt-mp4", "gif", "json", "too-large", "not-acceptable"])
def test_bad_input_is_a_4xx_json_error(server, body, ctype, accept, status):
    port = server[0]
    got, rtype, payload = post(port, body, ctype, accept)
    assert got == status and rtype == "application/json"
    err = json.loads(payload)
    assert set(err) == {"error", "message"} and err["error"].islower() and err["message"]
    assert request(port, "GET", "/ping")[0] == 200  # still serving


def test_unknown_path_is_404(server):
    assert request(server[0], "GET", "/nope")[0] == 404
    assert request(server[0], "POST", "/nope", b"x", {"Content-Type": "image/png"})[0] == 404


def test_ping_is_503_without_a_model(tmp_path):
    from motflow_ml.serve import make_server
    import threading
    srv, holder = make_server("127.0.0.1", 0, str(tmp_path / "missing"), load_async=False)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        status, _, body = request(srv.server_address[1], "GET", "/ping")
        err = json.loads(body)
        assert status == 503 and err["error"] == "model_load_failed" and "model.pth" in err["message"]
        status, _, body = post(srv.server_address[1], b"\xff\xd8", "image/jpeg")
        assert status == 503
    finally:
        srv.shutdown()
        srv.server_close()
