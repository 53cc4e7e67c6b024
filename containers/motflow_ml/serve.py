"""SageMaker inference server: ``python -m motflow_ml.serve`` (the image's ``serve`` command).

  GET  /ping          200 once the model from /opt/ml/model is loaded (503 while loading or if it failed)
  POST /invocations   image/jpeg | image/png -> JSON detections of that frame (boxes, scores, embeddings);
                      video/mp4 (the asynchronous endpoint's whole object) -> the tracking result:
                        Accept application/json (default): {"mot": MOTChallenge lines, "tracks": [...], ...}
                        Accept text/csv or text/plain: the MOTChallenge lines only
Every error is JSON {"error": code, "message": text}. Bad input gets a 4xx: empty body (400), undecodable
image or video (400), unsupported content type (415), unacceptable Accept (406), body over the byte limit
or a frame over the pixel budget (413, read from the header before decoding), no Content-Length (411).

Options: --host (0.0.0.0) --port ($SAGEMAKER_BIND_TO_PORT or 8080) --model-dir ($MOTFLOW_OPT_ML/model);
env MOTFLOW_MAX_BODY_BYTES (1 GiB, the asynchronous endpoint's largest input), MOTFLOW_MAX_PIXELS (pixels
per image or video frame, 33,177,600 = 8K), MOTFLOW_HALF=1 (fp16 on
GPU), MOTFLOW_BATCH_SIZE (video frames per forward pass, 8), MOTFLOW_DECODE_THREADS (threads decoding
parts of a video in parallel, 1), MOTFLOW_CAMERA_MOTION (none | sparse_flow: camera-motion compensation of
video tracking; default the model config's camera_motion. Images are single frames: the stream's tracker
is the Java core's, which has no camera-motion compensation).
"""
import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

from . import paths, pixel_budget
from .camera_motion import make_estimator

IMAGE_TYPES = ("image/jpeg", "image/jpg", "image/png")
DRAIN_LIMIT = 64 << 20
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/x-msvideo", "video/webm", "video/x-matroska")


class HttpError(Exception):
    """An answer other than 200: the status, a stable snake_case code for clients, a message for people."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code = status, code


class ModelHolder:
    """Loads the model in the background so that the server answers /ping (503) while it loads."""

    def __init__(self, model_dir, half=False):
        self.model_dir, self.half = model_dir, half
        self.predictor = None
        self.error = None
        self.lock = threading.Lock()  # one inference at a time: one accelerator
        self.loaded_at = None

    def load(self):
        try:
            from .inference import Predictor
            t0 = time.time()
            predictor = Predictor.load(self.model_dir, half=self.half)
            make_estimator(predictor.cfg.get("camera_motion"))  # a bad config.json value fails here, not per video
            self.predictor = predictor
            # One warm-up pass, so that the first request does not pay for lazy initialisation.
            self.predictor.detect([np.zeros((64, 64, 3), np.uint8)])
            self.loaded_at = time.time()
            print(f"model loaded from {self.model_dir} in {time.time() - t0:.2f}s "
                  f"(device {self.predictor.device}, half {self.predictor.half})", flush=True)
        except Exception as e:
            self.error = f"{type(e).__name__}: {e}"
            print(f"model loading failed: {self.error}", file=sys.stderr, flush=True)


def _media_type(header):
    return (header or "").split(";")[0].strip().lower()


def _accepts(accept, offered):
    """The first of `offered` that the Accept header allows (None if none)."""
    if not accept:
        return offered[0]
    ranges = [_media_type(a) for a in accept.split(",")]
    for o in offered:
        major = o.split("/")[0]
        if any(r in (o, "*/*", major + "/*") for r in ranges):
            return o
    return None


class Handler(BaseHTTPRequestHandler):
    server_version = "motflow-serve/1"
    protocol_version = "HTTP/1.1"
    holder: ModelHolder = None
    max_body = 1 << 30
    batch_size = 8
    decode_threads = 1
    max_pixels = pixel_budget.DEFAULT_MAX_PIXELS

    def log_message(self, fmt, *args):  # one line per request on stderr, as the default, but shorter
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def _send(self, status, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj, separators=(",", ":")))

    def do_GET(self):
        if self.path.split("?")[0] != "/ping":
            return self._json(404, {"error": "not_found", "message": f"no such path: {self.path}"})
        h = self.holder
        if h.predictor is not None:
            return self._json(200, {"status": "ok"})
        if h.error:
            return self._json(503, {"status": "failed", "error": "model_load_failed", "message": h.error})
        return self._json(503, {"status": "loading", "error": "model_loading", "message": "the model is loading"})

    def do_POST(self):
        try:
            if self.path.split("?")[0] != "/invocations":
                raise HttpError(404, "not_found", f"no such path: {self.path}")
            body = self._read_body()
            status, payload, ctype = self._invoke(body)
            self._send(status, payload, ctype)
        except HttpError as e:
            self._json(e.status, {"error": e.code, "message": str(e)})
        except Exception as e:  # never let a request take the server down
            traceback.print_exc()
            self._json(500, {"error": "internal_error", "message": f"internal error: {type(e).__name__}: {e}"})

    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            raise HttpError(411, "length_required", "Content-Length is required")
        try:
            n = int(length)
        except ValueError:
            self.close_connection = True
            raise HttpError(400, "bad_content_length", "bad Content-Length") from None
        if n > self.max_body:
            # Read (and drop) a moderate excess so that the client gets the answer instead of a reset
            # connection; a huge one is cut off. Either way the connection is not reused.
            self.close_connection = True
            if n - self.max_body <= DRAIN_LIMIT:
                left = n
                while left > 0:
                    chunk = self.rfile.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    left -= len(chunk)
            raise HttpError(413, "body_too_large", f"body of {n} bytes is over the limit of {self.max_body} bytes")
        if n <= 0:
            raise HttpError(400, "empty_body", "empty body")
        data = self.rfile.read(n)
        if len(data) != n:
            self.close_connection = True
            raise HttpError(400, "truncated_body", "body shorter than Content-Length")
        return data

    def _invoke(self, body):
        ctype = _media_type(self.headers.get("Content-Type"))
        accept = self.headers.get("Accept")
        h = self.holder
        if h.predictor is None:
            raise HttpError(503, "model_not_loaded", "model not loaded" + (f": {h.error}" if h.error else " yet"))
        if ctype in IMAGE_TYPES:
            if _accepts(accept, ["application/json"]) is None:
                raise HttpError(406, "not_acceptable", "images are answered with application/json")
            img = self._decode_image(body, ctype)
            with h.lock:
                det = h.predictor.detect([img])[0]
            return 200, json.dumps({"width": img.shape[1], "height": img.shape[0],
                                    "detections": det.to_json()}, separators=(",", ":")), "application/json"
        if ctype in VIDEO_TYPES:
            out_type = _accepts(accept, ["application/json", "text/csv", "text/plain"])
            if out_type is None:
                raise HttpError(406, "not_acceptable", "videos are answered with application/json, text/csv or text/plain")
            return self._track_video(body, out_type)
        raise HttpError(415, "unsupported_media_type", f"unsupported content type {ctype or '(none)'}; use image/jpeg, image/png or video/mp4")

    def _decode_image(self, body, ctype):
        # The header first: a frame over the budget is refused before a decoder allocates its pixels.
        try:
            fmt, width, height = pixel_budget.image_size(body)
        except pixel_budget.NotAnImage as e:
            raise HttpError(400, "undecodable_image", f"body is not a decodable {ctype} image: {e}") from None
        try:
            pixel_budget.check(width, height, self.max_pixels, f"the {fmt} image")
        except pixel_budget.TooManyPixels as e:
            raise HttpError(413, "too_many_pixels", str(e)) from None
        try:
            img = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
        except cv2.error as e:  # e.g. OpenCV's own pixel limit, when a header lied to the reader above
            raise HttpError(400, "undecodable_image", f"body is not a decodable {ctype} image: "
                            f"{str(e).strip().splitlines()[-1]}") from None
        if img is None:
            raise HttpError(400, "undecodable_image", f"body is not a decodable {ctype} image "
                            f"({fmt} header of {width}x{height}, undecodable data)")
        return img

    def _track_video(self, body, out_type):
        from .pipeline import VideoError, track_video
        # The name says nothing about the request: error messages go back to the caller.
        with tempfile.NamedTemporaryFile(prefix="body-", suffix=".mp4") as f:
            f.write(body)
            f.flush()
            try:
                with self.holder.lock:
                    res = track_video(self.holder.predictor, f.name, batch_size=self.batch_size,
                                      decode_threads=self.decode_threads, max_pixels=self.max_pixels,
                                      camera_motion=self.camera_motion)
            except pixel_budget.TooManyPixels as e:
                raise HttpError(413, "too_many_pixels", str(e)) from None
            except VideoError as e:
                raise HttpError(400, "undecodable_video", str(e)) from None
        if out_type == "application/json":
            return 200, json.dumps({**res.summary(), "mot": res.mot_text()}, separators=(",", ":")), out_type
        return 200, res.mot_text(), out_type


def camera_motion_env():
    """MOTFLOW_CAMERA_MOTION (none | sparse_flow), or None: the model config's camera_motion decides.
    An unknown mode stops the server at start rather than at the first video."""
    value = os.environ.get("MOTFLOW_CAMERA_MOTION", "").strip() or None
    make_estimator(value)
    return value


def make_server(host, port, model_dir, half=False, max_body=None, batch_size=None, load_async=True, max_pixels=None):
    holder = ModelHolder(model_dir, half=half)
    handler = type("BoundHandler", (Handler,), {
        "holder": holder,
        "max_body": int(max_body if max_body is not None else os.environ.get("MOTFLOW_MAX_BODY_BYTES", 1 << 30)),
        "batch_size": int(batch_size or os.environ.get("MOTFLOW_BATCH_SIZE", 8)),
        "decode_threads": int(os.environ.get("MOTFLOW_DECODE_THREADS", 1)),
        "max_pixels": int(max_pixels) if max_pixels is not None else pixel_budget.max_pixels(),
        # videos only: an image request is one frame, its tracker is the caller's (the Java core)
        "camera_motion": camera_motion_env(),
    })
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    if load_async:
        threading.Thread(target=holder.load, daemon=True).start()
    else:
        holder.load()
    return server, holder


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m motflow_ml.serve", description="SageMaker inference server")
    ap.add_argument("--host", default=os.environ.get("MOTFLOW_HOST", "0.0.0.0"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("SAGEMAKER_BIND_TO_PORT", 8080)))
    ap.add_argument("--model-dir", default=str(paths.model_dir()))
    ap.add_argument("--half", action="store_true", default=os.environ.get("MOTFLOW_HALF") == "1")
    a = ap.parse_args(argv)
    budget = pixel_budget.max_pixels()
    # OpenCV's own decoder limit (1 Gpx by default) as a second line behind the header check: it is
    # read on the first decode, so it is set before any.
    os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(budget))
    server, _ = make_server(a.host, a.port, a.model_dir, half=a.half, max_pixels=budget)

    def stop(*_):  # SageMaker stops containers with SIGTERM
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(f"listening on {a.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
