"""MOTChallenge sequences as training samples: letterboxing, augmentation and CenterNet targets."""
import configparser
import math
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from .config import MOTFLOW_PREPROCESSING, preprocessing_settings
from .model import STRIDE


@dataclass
class Sequence:
    name: str
    root: Path
    frames: list  # image paths, index 0 = frame 1
    fps: float
    width: int
    height: int
    boxes: dict = field(default_factory=dict)  # frame -> np.ndarray [n, 5] (track id, x, y, w, h)


def read_seqinfo(seq_dir: Path):
    ini = seq_dir / "seqinfo.ini"
    info = {}
    if ini.exists():
        cp = configparser.ConfigParser()
        cp.read_string(ini.read_text())
        if cp.has_section("Sequence"):
            info = dict(cp["Sequence"])
    return info


def read_gt(gt_file: Path, min_visibility=0.0):
    """frame -> [n,5] (id, x, y, w, h). Keeps rows that are marked active (col 7 != 0), of class 1 or
    unspecified (col 8 in {1, -1} or absent) and visible enough (col 9 or absent)."""
    out = {}
    if not gt_file.exists():
        return out
    for line_no, line in enumerate(gt_file.read_text().splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        p = line.split(",")
        if len(p) < 6:
            raise ValueError(f"{gt_file}:{line_no}: expected at least 6 comma-separated values")
        frame, tid = int(float(p[0])), int(float(p[1]))
        x, y, w, h = (float(v) for v in p[2:6])
        if len(p) > 6 and float(p[6]) == 0:
            continue
        if len(p) > 7 and int(float(p[7])) not in (1, -1):
            continue
        if len(p) > 8 and float(p[8]) < min_visibility:
            continue
        if w <= 1 or h <= 1:
            continue
        out.setdefault(frame, []).append((tid, x, y, w, h))
    return {f: np.array(v, np.float32) for f, v in out.items()}


def find_sequences(root: Path):
    """Sequence folders (holding img1/) under root, in name order."""
    if not root.exists():
        return []
    dirs = {p.parent for p in root.rglob("img1") if p.is_dir()}
    return sorted(dirs)


def load_sequence(seq_dir: Path, min_visibility=0.0, require_gt=True):
    info = read_seqinfo(seq_dir)
    img_dir = seq_dir / info.get("imdir", "img1")
    ext = info.get("imext", "")
    frames = sorted(p for p in img_dir.iterdir() if p.suffix.lower() in ((ext.lower(),) if ext else (".jpg", ".jpeg", ".png")))
    if not frames:
        raise ValueError(f"{seq_dir}: no frames in {img_dir.name}/")
    gt = read_gt(seq_dir / "gt" / "gt.txt", min_visibility)
    if require_gt and not (seq_dir / "gt" / "gt.txt").exists():
        raise ValueError(f"{seq_dir}: missing gt/gt.txt")
    if "imwidth" in info and "imheight" in info:
        w, h = int(info["imwidth"]), int(info["imheight"])
    else:
        im = cv2.imread(str(frames[0]))
        if im is None:
            raise ValueError(f"{frames[0]}: not a readable image")
        h, w = im.shape[:2]
    return Sequence(name=info.get("name", seq_dir.name), root=seq_dir, frames=frames,
                    fps=float(info.get("framerate", 30)), width=w, height=h, boxes=gt)


# ----------------------------------------------------------------------------------------------------
# Letterboxing


def letterbox_params(w0, h0, width, height):
    """Scale and padding that fit a w0 x h0 frame into width x height, centred."""
    scale = min(width / w0, height / h0)
    nw, nh = int(round(w0 * scale)), int(round(h0 * scale))
    return scale, (width - nw) // 2, (height - nh) // 2, nw, nh


def letterbox(img, width, height, pad_value=MOTFLOW_PREPROCESSING["pad_value"]):
    """The frame resized into width x height, centred on a pad_value border, as float32 0..255 (the
    border may be fractional: FairMOT's is 127.5, as the Predictor's device letterbox writes it)."""
    h0, w0 = img.shape[:2]
    scale, px, py, nw, nh = letterbox_params(w0, h0, width, height)
    out = np.full((height, width, 3), pad_value, np.float32)
    out[py:py + nh, px:px + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    return out, scale, px, py


def to_tensor(img_bgr_letterboxed, preprocessing=None):
    """A letterboxed BGR frame -> the network input [3, H, W]: channel order, x = (pixel / 255 - mean)
    / std, as preprocessing (config.preprocessing_settings' dict; None: motflow's own) says."""
    pre = preprocessing or preprocessing_settings({})
    x = img_bgr_letterboxed.astype(np.float32)
    if pre["channel_order"] == "rgb":
        x = x[:, :, ::-1]
    x = (x / 255.0 - np.array(pre["input_mean"], np.float32)) / np.array(pre["input_std"], np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))


# ----------------------------------------------------------------------------------------------------
# Targets


def gaussian_radius(h, w, min_overlap=0.7):
    """CenterNet's radius: the largest centre shift keeping IoU >= min_overlap (three cases, smallest)."""
    a1, b1, c1 = 1, h + w, w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1 ** 2 - 4 * a1 * c1)) / 2
    a2, b2, c2 = 4, 2 * (h + w), (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2 ** 2 - 4 * a2 * c2)) / 2
    a3, b3, c3 = 4 * min_overlap, -2 * min_overlap * (h + w), (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def draw_gaussian(hm, cx, cy, radius):
    d = 2 * radius + 1
    sigma = d / 6
    ys, xs = np.ogrid[-radius:radius + 1, -radius:radius + 1]
    g = np.exp(-(xs * xs + ys * ys) / (2 * sigma * sigma))
    h, w = hm.shape
    l, r = min(cx, radius), min(w - cx, radius + 1)
    t, b = min(cy, radius), min(h - cy, radius + 1)
    if r <= 0 or b <= 0 or l < 0 or t < 0:
        return
    region = hm[cy - t:cy + b, cx - l:cx + r]
    np.maximum(region, g[radius - t:radius + b, radius - l:radius + r], out=region)


def build_targets(boxes_xyxy, ids, out_w, out_h, max_objs):
    """boxes in input pixels -> heatmap [1,h,w], ltrb size [K,4], offset [K,2], flat index [K], mask [K],
    identity [K] (all in output-stride units)."""
    hm = np.zeros((out_h, out_w), np.float32)
    wh = np.zeros((max_objs, 4), np.float32)
    reg = np.zeros((max_objs, 2), np.float32)
    ind = np.zeros((max_objs,), np.int64)
    mask = np.zeros((max_objs,), np.float32)
    tid = np.full((max_objs,), -1, np.int64)
    k = 0
    for (x1, y1, x2, y2), ident in zip(boxes_xyxy / STRIDE, ids):
        if k >= max_objs:
            break
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        bx1, by1 = max(x1, 0.0), max(y1, 0.0)
        bx2, by2 = min(x2, out_w - 1e-3), min(y2, out_h - 1e-3)
        if bx2 - bx1 <= 0.5 or by2 - by1 <= 0.5:
            continue
        # The centre is that of the visible part of the box (clipped to the image), as the heads see it.
        cx, cy = (bx1 + bx2) / 2, (by1 + by2) / 2
        ci, cj = int(cx), int(cy)
        if not (0 <= ci < out_w and 0 <= cj < out_h):
            continue
        radius = max(0, int(gaussian_radius(math.ceil(by2 - by1), math.ceil(bx2 - bx1))))
        draw_gaussian(hm, ci, cj, radius)
        wh[k] = (cx - bx1, cy - by1, bx2 - cx, by2 - cy)
        reg[k] = (cx - ci, cy - cj)
        ind[k] = cj * out_w + ci
        mask[k] = 1
        tid[k] = ident
        k += 1
    return hm[None], wh, reg, ind, mask, tid


class MotDataset(Dataset):
    """Frames of MOTChallenge sequences with their targets; ids are mapped to 0..num_ids-1 over all
    sequences of the set (the identity classifier's classes). preprocessing: the network input's
    border value, channel order and mean / std (config.preprocessing_settings; None: motflow's own)."""

    def __init__(self, sequences, width, height, max_objs=256, augment=False, flip_prob=0.5, scale_jitter=0.0,
                 frame_stride=1, id_map=None, seed=0, preprocessing=None):
        self.width, self.height, self.max_objs = width, height, max_objs
        self.preprocessing = preprocessing_settings(preprocessing or {})
        self.augment, self.flip_prob, self.scale_jitter = augment, flip_prob, scale_jitter
        self.samples = []
        build_map = id_map is None
        self.id_map = {} if build_map else id_map
        for si, seq in enumerate(sequences):
            for fi, path in enumerate(seq.frames[::frame_stride]):
                frame = fi * frame_stride + 1
                boxes = seq.boxes.get(frame, np.zeros((0, 5), np.float32))
                ids = []
                for t in boxes[:, 0].astype(int):
                    key = (seq.name, int(t))
                    if build_map and key not in self.id_map:
                        self.id_map[key] = len(self.id_map)
                    ids.append(self.id_map.get(key, -1))
                self.samples.append((path, boxes[:, 1:5].copy(), np.array(ids, np.int64)))
        self.seed, self.epoch = seed, 0

    @property
    def num_ids(self):
        return len(self.id_map)

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        path, tlwh, ids = self.samples[i]
        img = cv2.imread(str(path))
        if img is None:
            raise ValueError(f"{path}: not a readable image")
        boxes = tlwh.copy()
        boxes[:, 2:] += boxes[:, :2]  # -> x1, y1, x2, y2
        if self.augment:
            # Per-item generator: deterministic per (seed, epoch, index), independent of worker scheduling.
            rng = np.random.default_rng([self.seed, self.epoch, i])
            if self.scale_jitter > 0:
                s = float(rng.uniform(1 - self.scale_jitter, 1 + self.scale_jitter))
                h0, w0 = img.shape[:2]
                cw, ch = w0 / s, h0 / s  # crop (s > 1) or pad (s < 1) around a random centre
                ox = float(rng.uniform(min(0, w0 - cw), max(0, w0 - cw)))
                oy = float(rng.uniform(min(0, h0 - ch), max(0, h0 - ch)))
                m = np.array([[s, 0, -ox * s], [0, s, -oy * s]], np.float32)
                img = cv2.warpAffine(img, m, (w0, h0), borderValue=(self.preprocessing["pad_value"],) * 3)
                boxes = boxes * s - np.array([ox * s, oy * s, ox * s, oy * s], np.float32)
            if rng.random() < self.flip_prob:
                img = img[:, ::-1]
                w0 = img.shape[1]
                boxes = np.stack([w0 - boxes[:, 2], boxes[:, 1], w0 - boxes[:, 0], boxes[:, 3]], 1) if len(boxes) else boxes
        lb, scale, px, py = letterbox(np.ascontiguousarray(img), self.width, self.height,
                                      self.preprocessing["pad_value"])
        boxes = boxes * scale + np.array([px, py, px, py], np.float32)
        hm, wh, reg, ind, mask, tid = build_targets(boxes, ids, self.width // STRIDE, self.height // STRIDE,
                                                    self.max_objs)
        return {"input": to_tensor(lb, self.preprocessing), "hm": torch.from_numpy(hm), "wh": torch.from_numpy(wh),
                "reg": torch.from_numpy(reg), "ind": torch.from_numpy(ind), "mask": torch.from_numpy(mask),
                "ids": torch.from_numpy(tid)}
