"""Moving-camera synthetic sequences (for measuring camera-motion compensation), in memory.

synth.py's walking figures are drawn on a world larger than the frame, and the frame is a window that
moves over it: a pan whose speed changes abruptly every few frames, plus a hand-held shake. Figures and
background move together with the window (synth.py's own shake moves the background alone), and the
ground truth is in the window's pixels. Detections derived from the ground truth (gt_detections) stand in
for a detector: misses that rise with occlusion, jittered boxes, scores that fall with occlusion, false
positives, and a noisy per-identity embedding. Everything is drawn from ``default_rng([seed, ...])``.
"""
from dataclasses import dataclass, field

import cv2
import numpy as np

from .synth import SPRITE_H, SPRITE_W, make_background, plan_figures


@dataclass
class MovingSequence:
    frames: list  # BGR uint8 frames, height x width
    gt: dict  # frame (1-based) -> [n, 6] id, x, y, w, h, visibility (window pixels)
    offsets: np.ndarray  # [frames, 2] the window's top-left corner in the world, integer pixels
    fps: float = 30.0
    meta: dict = field(default_factory=dict)


def camera_path(rng, frames, room_x, room_y, pan_speed, shake, segment=(8, 30)):
    """Integer window offsets in [0, room]: a pan at a random speed up to pan_speed px/frame (each axis),
    redrawn every segment[0]..segment[1] frames and turned back at the edges, plus AR(1) shake of
    `shake` px."""
    pos = np.array([room_x / 2.0, room_y / 2.0])
    vel = np.zeros(2)
    jitter = np.zeros(2)
    left = 0
    out = np.zeros((frames, 2), np.int64)
    room = np.array([room_x, room_y], np.float64)
    for f in range(frames):
        if left <= 0:
            vel = rng.uniform(-pan_speed, pan_speed, 2) * np.array([1.0, 0.35])  # pans are mostly sideways
            left = int(rng.integers(segment[0], segment[1] + 1))
        left -= 1
        pos += vel
        for k in range(2):  # turn back at the edges of the world
            if pos[k] < 0 or pos[k] > room[k]:
                vel[k] = -vel[k]
                pos[k] = np.clip(pos[k], 0, room[k])
        jitter = 0.6 * jitter + rng.normal(0, shake, 2)
        out[f] = np.clip(np.round(pos + jitter), 0, room).astype(np.int64)
    return out


def render(seed, frames=120, width=640, height=360, margin=0.35, ids=16, pan_speed=12.0, shake=3.0, noise=4.0,
           min_h=None, max_h=None):
    """A moving-camera sequence: a world (1 + 2 * margin) times the window's size, the window moving over
    it (pan_speed = 0 and shake = 0: a static camera)."""
    rng = np.random.default_rng([seed, 77])
    W, H = int(round(width * (1 + 2 * margin))), int(round(height * (1 + 2 * margin)))
    min_h = height * 0.12 if min_h is None else min_h
    max_h = height * 0.40 if max_h is None else max_h
    bg = make_background(rng, H, W)
    figs = plan_figures(rng, ids, frames, W, H, min_h, max_h)
    offsets = camera_path(rng, frames, W - width, H - height, pan_speed, shake)
    out_frames, gt = [], {}
    for f in range(1, frames + 1):
        ox, oy = offsets[f - 1]
        canvas = bg[oy:oy + height, ox:ox + width].copy()
        owner = np.zeros((height, width), np.int32)
        placed = []
        for fig in figs:
            if not fig.start <= f <= fig.end:
                continue
            t = f - fig.start
            foot_y = fig.y0 + fig.vy * t
            cx = fig.x0 + fig.vx * t + fig.wobble * np.sin(0.05 * t + fig.phase)
            fh = fig.height * (0.85 + 0.3 * (foot_y / H))
            fw = fh * SPRITE_W / SPRITE_H
            # world -> window coordinates
            placed.append((foot_y, fig, cx - fw / 2 - ox, foot_y - fh - oy, fw, fh, (t // 6) % 2))
        placed.sort(key=lambda p: p[0])
        for _, fig, x, y, fw, fh, phase in placed:
            iw, ih = max(2, int(round(fw))), max(2, int(round(fh)))
            ix, iy = int(round(x)), int(round(y))
            x1, y1, x2, y2 = max(ix, 0), max(iy, 0), min(ix + iw, width), min(iy + ih, height)
            if x2 <= x1 or y2 <= y1:
                continue
            rgb, mask = fig.sprites[phase]
            rgb = cv2.resize(rgb, (iw, ih), interpolation=cv2.INTER_LINEAR)
            mask = cv2.resize(mask.astype(np.uint8), (iw, ih), interpolation=cv2.INTER_NEAREST).astype(bool)
            m = mask[y1 - iy:y2 - iy, x1 - ix:x2 - ix]
            canvas[y1:y2, x1:x2][m] = rgb[y1 - iy:y2 - iy, x1 - ix:x2 - ix][m]
            owner[y1:y2, x1:x2][m] = fig.track_id
        counts = np.bincount(owner.ravel(), minlength=ids + 1)
        rows = []
        for _, fig, x, y, fw, fh, phase in placed:
            vis = float(min(1.0, counts[fig.track_id] / max(fig.sprites[phase][1].mean() * fw * fh, 1.0)))
            if vis > 0.0:
                rows.append([fig.track_id, x, y, fw, fh, vis])
        gt[f] = np.array(rows, np.float64).reshape(-1, 6)
        canvas = canvas + rng.normal(0, noise, size=canvas.shape).astype(np.float32)
        out_frames.append(np.ascontiguousarray(np.clip(canvas, 0, 255).astype(np.uint8)[:, :, ::-1]))
    return MovingSequence(out_frames, gt, offsets, meta={"seed": seed, "width": width, "height": height,
                                                         "pan_speed": pan_speed, "shake": shake, "ids": ids})


@dataclass
class Detections:
    """What inference.Predictor.detect gives per frame (the fields the pipeline reads)."""
    tlbr: np.ndarray
    scores: np.ndarray
    embeddings: np.ndarray


def gt_detections(gt, seed, width, height, min_vis=0.25, miss=0.05, jitter=0.04, fp_rate=0.5, emb_dim=32,
                  emb_noise=0.6):
    """Per frame (1-based, in order) Detections derived from ground truth: a box less visible than
    min_vis is missed, a visible one with probability miss + 0.5 * (1 - visibility); positions and sizes
    jittered by `jitter` x height; scores 0.45 + 0.5 x visibility + noise; fp_rate false positives per
    frame on average (scores 0.3-0.6); embeddings a per-identity unit vector plus Gaussian noise of
    emb_noise per unit length (cosine similarity of one person's two views about 1 / (1 + emb_noise^2))."""
    rng = np.random.default_rng([seed, 78])
    protos = {}
    out = []
    for f in range(1, max(gt) + 1):
        rows = gt.get(f, np.zeros((0, 6)))
        boxes, scores, embs = [], [], []
        for tid, x, y, w, h, vis in rows:
            if vis < min_vis or rng.random() < miss + 0.5 * (1 - vis):
                continue
            s = jitter * h
            cx, cy = x + w / 2 + rng.normal(0, s), y + h / 2 + rng.normal(0, s)
            w2, h2 = w * np.exp(rng.normal(0, jitter)), h * np.exp(rng.normal(0, jitter))
            box = np.array([cx - w2 / 2, cy - h2 / 2, cx + w2 / 2, cy + h2 / 2])
            box[0::2] = np.clip(box[0::2], 0, width)
            box[1::2] = np.clip(box[1::2], 0, height)
            if box[2] - box[0] < 2 or box[3] - box[1] < 2:
                continue
            if tid not in protos:
                protos[tid] = rng.normal(0, 1, emb_dim) / np.sqrt(emb_dim)
            boxes.append(box)
            scores.append(float(np.clip(0.45 + 0.5 * vis + rng.normal(0, 0.05), 0.0, 1.0)))
            p = protos[tid] / np.linalg.norm(protos[tid])
            embs.append(p + rng.normal(0, emb_noise / np.sqrt(emb_dim), emb_dim))
        for _ in range(rng.poisson(fp_rate)):
            h = rng.uniform(0.1, 0.35) * height
            w = h * rng.uniform(0.3, 0.5)
            x, y = rng.uniform(0, width - w), rng.uniform(0, height - h)
            boxes.append(np.array([x, y, x + w, y + h]))
            scores.append(float(rng.uniform(0.3, 0.6)))
            embs.append(rng.normal(0, 1, emb_dim))
        e = np.array(embs, np.float64).reshape(-1, emb_dim)
        e = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
        out.append(Detections(np.array(boxes, np.float64).reshape(-1, 4), np.array(scores, np.float64), e))
    return out


class ReplayPredictor:
    """Stands in for inference.Predictor in pipeline.track_frames: hands out precomputed per-frame
    Detections in order, whatever the frames are (the frames still feed the camera-motion estimate)."""

    def __init__(self, detections, conf_thres=0.4, cfg=None):
        self._dets = list(detections)
        self._next = 0
        self.conf_thres = conf_thres
        self.cfg = dict(cfg or {})

    def detect(self, frames):
        out = self._dets[self._next:self._next + len(frames)]
        if len(out) != len(frames):
            raise ValueError("more frames than detections")
        self._next += len(frames)
        return out


def gt_boxes(gt):
    """frame -> [n, 5] id, x, y, w, h (metrics.evaluate's form) from render's ground truth."""
    return {f: rows[:, :5] for f, rows in gt.items() if len(rows)}
