"""Whole-video tracking: frames in (video file or image sequence), detector + association, results out
(MOTChallenge lines, per-track summaries, optional annotated video). Used by serving, processing,
training's evaluation and the benchmark.

Decoding runs in a background thread so that it overlaps with the network and the association.
"""
import queue
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from .camera_motion import make_estimator
from .config import ASSOCIATION_KEYS
from .pixel_budget import TooManyPixels, check, mp4_frame_size
from .tracker import JdeTracker

VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".ts")


class VideoError(ValueError):
    """The input is not a decodable video."""


def open_video(path, max_pixels=0):
    """An opened capture and its frame rate. With max_pixels, a video whose frames (as the decoder
    reports them on opening, before any frame is read) are over that many pixels is refused; an MP4 / MOV
    is checked before opening too, from the sizes its movie header declares."""
    if max_pixels:
        declared = mp4_frame_size(path)
        if declared:
            check(*declared, max_pixels, "the video's frame")
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)  # FFmpeg first: GStreamer only adds noise here
    if not cap.isOpened():
        cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        # No file name in the message: it reaches users, and the server's file is a temporary one.
        raise VideoError("the file has no video stream that can be decoded (an audio-only or empty file, a damaged "
                         "file, or a codec FFmpeg does not read)")
    if max_pixels:
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if w * h > max_pixels:
            cap.release()
            raise TooManyPixels(w, h, max_pixels, "the video's frame")
    fps = cap.get(cv2.CAP_PROP_FPS)
    if not fps or not np.isfinite(fps) or fps <= 0 or fps > 1000:
        fps = 30.0
    return cap, float(fps)


def iter_video(path):
    cap, _ = open_video(path)
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            yield frame
    finally:
        cap.release()


def iter_video_segments(path, segments=4, depth=32):
    """Frames in order, decoded by `segments` threads each seeking to its own part of the file (OpenCV
    releases the GIL while decoding): one decoder thread cannot keep up with a GPU on 1080p video."""
    cap, _ = open_video(path)
    total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    cap.release()
    if segments <= 1 or total < segments * 16:
        yield from iter_video(path)
        return
    bounds = [round(total * i / segments) for i in range(segments + 1)]
    queues = [queue.Queue(maxsize=depth) for _ in range(segments)]
    end = object()
    stop = threading.Event()

    def work(k):
        q = queues[k]
        try:
            c, _ = open_video(path)
            if bounds[k]:
                c.set(cv2.CAP_PROP_POS_FRAMES, bounds[k])
            n = 0
            last = k == segments - 1
            while (last or n < bounds[k + 1] - bounds[k]) and not stop.is_set():
                ok, frame = c.read()
                if not ok:
                    break
                q.put(frame)
                n += 1
            c.release()
        except Exception as e:  # handed to the consumer
            q.put(e)
        q.put(end)

    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(segments)]
    for t in threads:
        t.start()
    try:
        for q in queues:
            while True:
                item = q.get()
                if item is end:
                    break
                if isinstance(item, Exception):
                    raise item
                yield item
    finally:
        stop.set()
        for q in queues:  # unblock producers waiting on a full queue
            while not q.empty():
                q.get_nowait()


def iter_images(paths):
    for p in paths:
        im = cv2.imread(str(p))
        if im is None:
            raise VideoError(f"{p}: not a readable image")
        yield im


def batched_prefetch(frames_iter, batch_size, depth=4):
    """Groups frames into same-sized batches, produced in a background thread."""
    q = queue.Queue(maxsize=depth)
    done = object()
    errors = []

    def work():
        try:
            batch = []
            for f in frames_iter:
                if batch and f.shape != batch[0].shape:
                    q.put(batch)
                    batch = []
                batch.append(f)
                if len(batch) == batch_size:
                    q.put(batch)
                    batch = []
            if batch:
                q.put(batch)
        except Exception as e:  # handed to the consumer
            errors.append(e)
        finally:
            q.put(done)

    t = threading.Thread(target=work, daemon=True)
    t.start()
    while True:
        item = q.get()
        if item is done:
            break
        yield item
    t.join()
    if errors:
        raise errors[0]


class TrackResult:
    def __init__(self, fps):
        self.fps = fps
        self.rows = []  # (frame, id, x, y, w, h, score)
        self.frames = 0
        self.width = self.height = 0
        self.seconds = 0.0

    def mot_text(self):
        return "".join(f"{f},{i},{x:.2f},{y:.2f},{w:.2f},{h:.2f},{s:.4f},-1,-1,-1\n"
                       for f, i, x, y, w, h, s in self.rows)

    def track_summaries(self):
        tracks = {}
        for f, i, x, y, w, h, s in self.rows:
            t = tracks.setdefault(i, {"id": i, "first_frame": f, "last_frame": f, "frames": 0, "score_sum": 0.0})
            t["first_frame"] = min(t["first_frame"], f)
            t["last_frame"] = max(t["last_frame"], f)
            t["frames"] += 1
            t["score_sum"] += s
        out = []
        for i in sorted(tracks):
            t = tracks.pop(i)
            t["mean_score"] = round(t.pop("score_sum") / t["frames"], 4)
            out.append(t)
        return out

    def summary(self):
        return {"frames": self.frames, "fps": self.fps, "width": self.width, "height": self.height,
                "tracks": self.track_summaries(), "boxes": len(self.rows),
                "processing_seconds": round(self.seconds, 3)}

    def as_gt_dict(self):
        out = {}
        for f, i, x, y, w, h, s in self.rows:
            out.setdefault(f, []).append([i, x, y, w, h])
        return {f: np.array(v) for f, v in out.items()}


def association_settings(cfg, tracker_kw=None):
    """JdeTracker keyword arguments from a model's config.json (keys it lacks keep the tracker's
    defaults), updated with the caller's tracker_kw."""
    kw = {k: float(cfg[k]) for k in ASSOCIATION_KEYS if cfg.get(k) is not None}
    kw.update(tracker_kw or {})
    return kw


def output_filter(cfg):
    """The results filter a model's config.json asks for (FairMOT's evaluation writes only tracks with
    w * h > min_box_area and w / h <= max_aspect_ratio), or None (every confirmed track is written)."""
    min_area, max_aspect = cfg.get("min_box_area"), cfg.get("max_aspect_ratio")
    if min_area is None and max_aspect is None:
        return None
    min_area = float(min_area) if min_area is not None else None
    max_aspect = float(max_aspect) if max_aspect is not None else None

    def keep(track):
        w, h = track.tlwh[2], track.tlwh[3]
        if min_area is not None and not w * h > min_area:
            return False
        return max_aspect is None or (h > 0 and w / h <= max_aspect)
    return keep


def camera_motion_setting(cfg, camera_motion=None):
    """The camera-motion compensation a run uses: the caller's (a job argument, a server setting; a mode
    name or an estimator object), else the model config's `camera_motion`, else none (camera_motion.MODES)."""
    return camera_motion if camera_motion is not None else cfg.get("camera_motion")


def track_frames(predictor, frames_iter, fps=30.0, batch_size=8, tracker_kw=None, max_frames=0, on_frame=None,
                 max_pixels=0, camera_motion=None):
    """Runs detection + association over frames; returns a TrackResult. on_frame(frame, tracks) is
    called per frame (used for the annotated video). Association settings and the results filter come
    from the model's config (association_settings, output_filter), camera-motion compensation from
    camera_motion_setting. With max_pixels, a frame over that many pixels stops the run with TooManyPixels
    (a stream may change its size after the first frame)."""
    tracker = JdeTracker(fps=fps, det_thresh=predictor.conf_thres,
                         track_buffer=int(predictor.cfg.get("track_buffer", 30)),
                         **association_settings(predictor.cfg, tracker_kw))
    cmc = camera_motion_setting(predictor.cfg, camera_motion)
    if not hasattr(cmc, "estimate"):
        cmc = make_estimator(cmc)
    keep = output_filter(predictor.cfg)
    res = TrackResult(fps)
    t0 = time.perf_counter()

    def limited():
        for n, f in enumerate(frames_iter):
            if max_frames and n >= max_frames:
                break
            if max_pixels and f.shape[0] * f.shape[1] > max_pixels:
                raise TooManyPixels(f.shape[1], f.shape[0], max_pixels, f"frame {n + 1}")
            yield f

    for batch in batched_prefetch(limited(), batch_size):
        res.height, res.width = batch[0].shape[:2]
        for frame, det in zip(batch, predictor.detect(batch)):
            if cmc is not None:  # the tracks follow the camera into this frame's pixels before association
                tracker.apply_camera_motion(cmc.estimate(frame, det.tlbr))
            tracks = tracker.update(det.tlbr, det.scores, det.embeddings)
            if keep is not None:
                tracks = [t for t in tracks if keep(t)]
            res.frames += 1
            for t in tracks:
                x, y, w, h = t.tlwh
                res.rows.append((res.frames, t.track_id, float(x), float(y), float(w), float(h), t.score))
            if on_frame is not None:
                on_frame(frame, tracks)
    res.seconds = time.perf_counter() - t0
    return res


def _colour(track_id):
    rng = np.random.default_rng(track_id)
    return tuple(int(v) for v in rng.integers(64, 256, 3))


class AnnotatedWriter:
    """Draws boxes and ids onto frames and writes an MP4."""

    def __init__(self, path, fps):
        self.path, self.fps, self.writer = Path(path), fps, None

    def __call__(self, frame, tracks):
        if self.writer is None:
            h, w = frame.shape[:2]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
        img = frame.copy()
        for t in tracks:
            x1, y1, x2, y2 = (int(round(v)) for v in t.tlbr)
            c = _colour(t.track_id)
            cv2.rectangle(img, (x1, y1), (x2, y2), c, 2)
            cv2.putText(img, str(t.track_id), (x1, max(12, y1 - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, c, 1)
        self.writer.write(img)

    def close(self):
        if self.writer is not None:
            self.writer.release()


def track_video(predictor, path, batch_size=8, annotated=None, max_frames=0, tracker_kw=None, decode_threads=1,
                max_pixels=0, camera_motion=None):
    cap, fps = open_video(path, max_pixels)
    cap.release()
    writer = AnnotatedWriter(annotated, fps) if annotated else None
    frames = iter_video_segments(path, decode_threads) if decode_threads > 1 else iter_video(path)
    try:
        res = track_frames(predictor, frames, fps=fps, batch_size=batch_size, tracker_kw=tracker_kw,
                           max_frames=max_frames, on_frame=writer, max_pixels=max_pixels,
                           camera_motion=camera_motion)
    finally:
        if writer:
            writer.close()
    if res.frames == 0:
        raise VideoError("the video has no decodable frames (an empty or damaged video stream)")
    return res


def track_sequence(predictor, seq, batch_size=8, max_frames=0, annotated=None, tracker_kw=None, camera_motion=None):
    """A MOTChallenge image sequence (data.Sequence)."""
    writer = AnnotatedWriter(annotated, seq.fps) if annotated else None
    try:
        return track_frames(predictor, iter_images(seq.frames), fps=seq.fps, batch_size=batch_size,
                            max_frames=max_frames, tracker_kw=tracker_kw, on_frame=writer,
                            camera_motion=camera_motion)
    finally:
        if writer:
            writer.close()
