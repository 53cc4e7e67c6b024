"""The inference server's pixel budget and error bodies, over real HTTP: pixel bombs are refused from
their headers (413) without the server's memory growing, undecodable bodies are 400s, and every error
is {"error": code, "message": text}."""
import json
import threading

import cv2
import numpy as np
import pytest

from bombs import frame, jpeg_declaring, png_bomb
from conftest import module_env
from test_serve import post, request, start_server


def peak_rss_mb(pid):
    """The process's peak resident memory (VmHWM), MiB."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def server(serving_model_dir):
    """The server as SageMaker starts it, with the default budget (8K)."""
    env = module_env("/nonexistent")
    env.pop("MOTFLOW_MAX_PIXELS", None)
    env.pop("OPENCV_IO_MAX_IMAGE_PIXELS", None)
    port, proc = start_server(serving_model_dir, env)
    yield port, proc
    proc.terminate()
    assert proc.wait(timeout=20) == 0


def error_of(status, ctype, payload):
    assert ctype == "application/json"
    err = json.loads(payload)
    assert set(err) == {"error", "message"}, err
    return err


def test_a_png_bomb_is_413_and_costs_no_memory(server):
    port, proc = server
    bomb = png_bomb(20000, 20000)
    assert len(bomb) < 500_000  # far under any byte limit
    before = peak_rss_mb(proc.pid)
    status, ctype, payload = post(port, bomb, "image/png")
    err = error_of(status, ctype, payload)
    assert status == 413 and err["error"] == "too_many_pixels"
    assert "20000x20000" in err["message"] and "33,177,600" in err["message"]
    # Decoding it would take 1.2 GB (BGR) at least; the header check allocates nothing of that size.
    assert peak_rss_mb(proc.pid) - before < 100
    assert request(port, "GET", "/ping")[0] == 200


def test_a_jpeg_declaring_a_huge_frame_is_413(server):
    port, _ = server
    status, ctype, payload = post(port, jpeg_declaring(30000, 20000), "image/jpeg")
    err = error_of(status, ctype, payload)
    assert status == 413 and err["error"] == "too_many_pixels" and "30000x20000" in err["message"]


def test_a_frame_of_the_budget_is_served(server):
    port, _ = server
    status, _, payload = post(port, frame(3840, 2160), "image/jpeg")
    assert status == 200, payload
    assert (json.loads(payload)["width"], json.loads(payload)["height"]) == (3840, 2160)


@pytest.mark.parametrize("body,ctype", [
    (b"II*\0" + b"\0" * 64, "image/png"),  # TIFF: OpenCV would decode it, its size is unchecked
    (b"P6\n20000 20000\n255\n" + b"\0" * 64, "image/jpeg"),
    (jpeg_declaring(64, 48)[:40], "image/jpeg"),  # a valid header, no image data
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "image/png"),
], ids=["tiff", "ppm", "jpeg-header-only", "png-no-ihdr"])
def test_undecodable_images_are_400(server, body, ctype):
    port, _ = server
    status, rtype, payload = post(port, body, ctype)
    err = error_of(status, rtype, payload)
    assert status == 400 and err["error"] == "undecodable_image", err


def test_error_codes(server):
    port, _ = server
    cases = [
        (request(port, "GET", "/nope"), 404, "not_found"),
        (post(port, b"{}", "application/json"), 415, "unsupported_media_type"),
        (post(port, b"\xff\xd8", "image/jpeg", "image/png"), 406, "not_acceptable"),
        (post(port, b"", "image/jpeg"), 400, "empty_body"),
        (post(port, b"\0\0\0\x18ftypmp42 truncated", "video/mp4"), 400, "undecodable_video"),
    ]
    for (status, ctype, payload), want_status, want_code in cases:
        err = error_of(status, ctype, payload)
        assert (status, err["error"]) == (want_status, want_code), err


def test_video_over_the_budget_is_413_and_undecodable_video_names_no_file(serving_model_dir, tmp_path):
    from motflow_ml.serve import make_server
    srv, _ = make_server("127.0.0.1", 0, str(serving_model_dir), load_async=False, max_pixels=64 * 64)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        port = srv.server_address[1]
        path = tmp_path / "v.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (128, 96))
        for i in range(3):
            writer.write(np.full((96, 128, 3), 50 * i, np.uint8))
        writer.release()
        status, ctype, payload = post(port, path.read_bytes(), "video/mp4")
        err = error_of(status, ctype, payload)
        assert status == 413 and err["error"] == "too_many_pixels" and "128x96" in err["message"]
        status, ctype, payload = post(port, b"\0\0\0\x18ftypmp42" + b"\0" * 100, "video/mp4")
        err = error_of(status, ctype, payload)
        assert status == 400 and "body-" not in err["message"] and "/tmp" not in err["message"], err
        status, _, payload = post(port, frame(64, 64), "image/jpeg")
        assert status == 200, payload
    finally:
        srv.shutdown()
        srv.server_close()
