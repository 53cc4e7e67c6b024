"""From frames to detections: letterbox on the device, run the network, decode heatmap peaks.

Decoding: sigmoid heatmap, 3x3 max-pool NMS (a pixel survives if it is its neighbourhood's maximum),
top-K peaks, box = peak + offset -/+ (left, top, right, bottom) times the stride, mapped back through
the letterbox to the original frame; the embedding is read at the peak and L2-normalised. This is
FairMOT's decoding too (its size map is used as the network gives it, without a ReLU).
Preprocessing (border value, channel order, mean / std) follows the model's config.json
(config.preprocessing_settings); a model folder without those keys gets motflow's training values.
"""
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .config import preprocessing_settings
from .data import letterbox_params
from .model import STRIDE, load_model, read_model_config


@dataclass
class Detections:
    """One frame's detections in original-frame pixels."""
    tlbr: np.ndarray  # [n, 4] x1, y1, x2, y2
    scores: np.ndarray  # [n]
    embeddings: np.ndarray  # [n, D], unit length

    def __len__(self):
        return len(self.scores)

    def tlwh(self):
        out = self.tlbr.copy()
        out[:, 2:] -= out[:, :2]
        return out

    def to_json(self, with_embeddings=True, digits=2):
        items = []
        for i in range(len(self)):
            x1, y1, x2, y2 = (round(float(v), digits) for v in self.tlbr[i])
            d = {"box": [x1, y1, round(x2 - x1, digits), round(y2 - y1, digits)], "tlbr": [x1, y1, x2, y2],
                 "score": round(float(self.scores[i]), 4)}
            if with_embeddings:
                d["embedding"] = [round(float(v), 5) for v in self.embeddings[i]]
            items.append(d)
        return items


def decode_peaks(hm_logits, wh, reg, emb, top_k=500):
    """Batched decoding in network-input pixels. Returns per image (tlbr [K,4], scores [K], emb [K,D]),
    sorted by score (all K peaks; thresholding is the caller's)."""
    heat = torch.sigmoid(hm_logits.float())
    hmax = F.max_pool2d(heat, 3, stride=1, padding=1)
    heat = heat * (hmax == heat).float()
    b, _, h, w = heat.shape
    k = min(top_k, h * w)
    scores, inds = torch.topk(heat.reshape(b, -1), k)
    ys = torch.div(inds, w, rounding_mode="floor").float()
    xs = (inds % w).float()

    def at(t):
        c = t.shape[1]
        return t.reshape(b, c, -1).gather(2, inds.unsqueeze(1).expand(-1, c, -1)).permute(0, 2, 1).float()

    off, ltrb, e = at(reg), at(wh), at(emb)
    cx, cy = xs + off[..., 0], ys + off[..., 1]
    boxes = torch.stack([cx - ltrb[..., 0], cy - ltrb[..., 1], cx + ltrb[..., 2], cy + ltrb[..., 3]], -1) * STRIDE
    e = F.normalize(e, dim=-1)
    return boxes, scores, e


class Predictor:
    """Loads a trained model (weights + config.json from a model dir) and detects objects in BGR frames."""

    def __init__(self, model, cfg, device=None, half=False, channels_last=False, compile=False):
        self.cfg = cfg
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.half = bool(half and self.device.type == "cuda")
        self.model = model.to(self.device).eval()
        if self.half:
            self.model = self.model.half()
        if channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.channels_last = channels_last
        if compile:  # torch >= 2.0; the first batches of each shape pay for compilation
            self.model = torch.compile(self.model)
        self.width, self.height = int(cfg["input_width"]), int(cfg["input_height"])
        self.conf_thres = float(cfg["conf_thres"])
        self.top_k = int(cfg["top_k"])
        pre = preprocessing_settings(cfg)
        self.pad_value = pre["pad_value"]
        self.to_rgb = pre["channel_order"] == "rgb"  # frames arrive as BGR (OpenCV)
        self.mean = torch.tensor(pre["input_mean"], device=self.device).view(1, 3, 1, 1) * 255
        self.std = torch.tensor(pre["input_std"], device=self.device).view(1, 3, 1, 1) * 255

    @classmethod
    def load(cls, model_dir, device=None, half=False, overrides=None, **kw):
        cfg = read_model_config(model_dir)
        cfg.update(overrides or {})
        return cls(load_model(model_dir, cfg), cfg, device=device, half=half, **kw)

    def preprocess(self, frames):
        """List of same-sized HxWx3 uint8 BGR frames -> letterboxed, normalised [B,3,H,W] on the device,
        and the letterbox (scale, pad x, pad y). Resizing happens on the device: a 1080p frame goes over
        the bus once as bytes."""
        h0, w0 = frames[0].shape[:2]
        scale, px, py, nw, nh = letterbox_params(w0, h0, self.width, self.height)
        raw = torch.from_numpy(np.stack(frames)).to(self.device, non_blocking=True)
        x = raw.permute(0, 3, 1, 2).float()
        if self.to_rgb:
            x = x.flip(1)
        if (nh, nw) != (h0, w0):
            x = F.interpolate(x, size=(nh, nw), mode="bilinear", align_corners=False,
                              antialias=scale < 1) if _HAS_ANTIALIAS else F.interpolate(
                x, size=(nh, nw), mode="bilinear", align_corners=False)
        canvas = torch.full((len(frames), 3, self.height, self.width), self.pad_value, device=self.device)
        canvas[:, :, py:py + nh, px:px + nw] = x
        canvas = (canvas - self.mean) / self.std
        if self.half:
            canvas = canvas.half()
        if self.channels_last:
            canvas = canvas.contiguous(memory_format=torch.channels_last)
        return canvas, (scale, px, py, w0, h0)

    @torch.no_grad()
    def forward(self, batch):
        return self.model(batch)

    def postprocess(self, outputs, lb, conf_thres=None):
        scale, px, py, w0, h0 = lb
        thr = self.conf_thres if conf_thres is None else conf_thres
        boxes, scores, emb = decode_peaks(*outputs, top_k=self.top_k)
        boxes[..., 0::2] = ((boxes[..., 0::2] - px) / scale).clamp(0, w0)
        boxes[..., 1::2] = ((boxes[..., 1::2] - py) / scale).clamp(0, h0)
        boxes, scores, emb = boxes.cpu().numpy(), scores.cpu().numpy(), emb.cpu().numpy()
        out = []
        for i in range(len(scores)):
            # Degenerate boxes (a side under one pixel) carry no position for the tracker's Kalman filter.
            keep = (scores[i] > thr) & (boxes[i][:, 2] - boxes[i][:, 0] >= 1) & (boxes[i][:, 3] - boxes[i][:, 1] >= 1)
            out.append(Detections(boxes[i][keep], scores[i][keep], emb[i][keep]))
        return out

    def detect(self, frames, conf_thres=None):
        """Detections for a list of same-sized BGR frames."""
        if not frames:
            return []
        batch, lb = self.preprocess(frames)
        return self.postprocess(self.forward(batch), lb, conf_thres)


def _antialias_supported():
    try:
        F.interpolate(torch.zeros(1, 1, 4, 4), size=(2, 2), mode="bilinear", align_corners=False, antialias=True)
        return True
    except TypeError:
        return False


_HAS_ANTIALIAS = _antialias_supported()
