"""Synthetic MOTChallenge sequences: textured walking figures on a textured background.

Each identity gets its own colours and pattern (so re-ID can be learnt), a size, a speed and a
path; figures enter and leave through the frame edges or appear in place, pass in front of each
other (depth = foot position, so occlusion is consistent) and the camera shakes, flickers and is
noisy. Ground truth is written with the visibility ratio of every box. Everything is drawn from
``numpy.random.default_rng(seed, seq index)``, so a seed gives the same bytes every time.

    python -m motflow_ml.synth --out DIR --seqs 2 --frames 150 --seed 7 [--width 640 --height 360]
        [--mp4]   also writes DIR/<seq>.mp4 of every sequence
"""
import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

SPRITE_H, SPRITE_W = 160, 64


@dataclass
class Figure:
    track_id: int
    sprites: list  # two walking phases, each (rgb uint8 HxWx3, mask bool HxW)
    height: float  # pixels at the nominal depth
    start: int  # first frame (1-based) it exists
    end: int  # last frame it exists
    x0: float  # centre x at start
    y0: float  # foot y at start
    vx: float
    vy: float
    wobble: float  # amplitude of a slow sideways sway, px
    phase: float


def _pattern(rng, h, w):
    """An identity texture: two or three colours in stripes, checks or blobs."""
    colours = rng.integers(20, 236, size=(3, 3)).astype(np.float32)
    kind = rng.integers(0, 3)
    yy, xx = np.mgrid[0:h, 0:w]
    if kind == 0:
        period = rng.integers(6, 20)
        idx = ((yy // period) % 2).astype(np.int64)
    elif kind == 1:
        period = rng.integers(8, 18)
        idx = (((yy // period) + (xx // period)) % 2).astype(np.int64)
    else:
        period = rng.integers(5, 14)
        idx = (((xx + yy) // period) % 3).astype(np.int64)
    return colours[idx]


def make_sprites(rng):
    """A figure: head, patterned torso, legs in two walking phases; returns [(rgb, mask)] * 2."""
    torso = _pattern(rng, SPRITE_H, SPRITE_W)
    legs_colour = rng.integers(10, 200, size=3).astype(np.float32)
    skin = np.array([rng.integers(90, 230), rng.integers(70, 190), rng.integers(50, 170)], np.float32)
    out = []
    for phase in range(2):
        rgb = np.zeros((SPRITE_H, SPRITE_W, 3), np.float32)
        mask = np.zeros((SPRITE_H, SPRITE_W), np.uint8)
        cx = SPRITE_W // 2
        cv2.circle(mask, (cx, 14), 12, 1, -1)
        head = mask.astype(bool).copy()
        cv2.rectangle(mask, (cx - 22, 28), (cx + 22, 95), 1, -1)
        body = mask.astype(bool) & ~head
        legs = np.zeros_like(mask)
        spread = 6 if phase == 0 else 14
        cv2.line(legs, (cx - 8, 95), (cx - 8 - spread // 2, SPRITE_H - 2), 1, 12)
        cv2.line(legs, (cx + 8, 95), (cx + 8 + spread // 2, SPRITE_H - 2), 1, 12)
        legs = legs.astype(bool) & ~body & ~head
        rgb[head] = skin
        rgb[body] = torso[body]
        rgb[legs] = legs_colour
        mask = head | body | legs
        out.append((rgb, mask))
    return out


def make_background(rng, h, w):
    low = rng.uniform(40, 200, size=(max(2, h // 40), max(2, w // 40), 3)).astype(np.float32)
    bg = cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC)
    grad = np.linspace(0.75, 1.15, h, dtype=np.float32)[:, None, None]
    bg = bg * grad
    for _ in range(int(rng.integers(4, 10))):  # static clutter: boxes that are not targets
        x1, y1 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x2, y2 = x1 + int(rng.integers(10, w // 4)), y1 + int(rng.integers(10, h // 5))
        cv2.rectangle(bg, (x1, y1), (x2, y2), [float(v) for v in rng.uniform(30, 220, 3)], -1)
    bg += rng.normal(0, 6, size=bg.shape).astype(np.float32)
    return bg


def plan_figures(rng, n_ids, frames, w, h, min_h, max_h):
    figs = []
    for i in range(n_ids):
        height = float(rng.uniform(min_h, max_h))
        length = int(rng.integers(min(frames, max(10, frames // 4)), frames + 1))
        start = int(rng.integers(1, max(2, frames - length + 2)))
        end = min(frames, start + length - 1)
        speed = float(rng.uniform(0.3, 3.5)) * height / 100.0
        mode = rng.choice(3, p=[0.25, 0.25, 0.5])
        foot_y = float(rng.uniform(h * 0.3 + height * 0.6, h * 1.05))
        if mode == 0:  # walks in from the left edge
            x0, vx = -0.15 * height, abs(speed)
        elif mode == 1:  # walks in from the right edge
            x0, vx = w + 0.15 * height, -abs(speed)
        else:  # already in the scene
            x0, vx = float(rng.uniform(0.1 * w, 0.9 * w)), float(rng.choice([-1, 1])) * speed
        vy = float(rng.uniform(-0.3, 0.3)) * height / 100.0
        figs.append(Figure(track_id=i + 1, sprites=make_sprites(rng), height=height, start=start, end=end,
                           x0=x0, y0=foot_y, vx=vx, vy=vy, wobble=float(rng.uniform(0, 4)),
                           phase=float(rng.uniform(0, 6.28))))
    return figs


def render_sequence(out_dir: Path, name: str, seed: int, seq_index: int, frames: int, width: int, height: int,
                    ids: int, fps: int = 30, min_h: float = 40, max_h: float = 150, noise: float = 6.0,
                    jpeg_quality: int = 92):
    """Writes one sequence in MOTChallenge layout and returns its folder."""
    rng = np.random.default_rng([seed, seq_index])
    seq_dir = out_dir / name
    img_dir = seq_dir / "img1"
    (seq_dir / "gt").mkdir(parents=True, exist_ok=True)
    img_dir.mkdir(parents=True, exist_ok=True)
    bg = make_background(rng, height + 16, width + 16)  # margin for camera shake
    figs = plan_figures(rng, ids, frames, width, height, min_h, max_h)
    gt_lines = []
    shake = np.zeros(2)
    for f in range(1, frames + 1):
        shake = 0.8 * shake + rng.normal(0, 1.2, 2)
        sx, sy = int(np.clip(8 + shake[0], 0, 16)), int(np.clip(8 + shake[1], 0, 16))
        canvas = bg[sy:sy + height, sx:sx + width].copy()
        owner = np.zeros((height, width), np.int32)  # which id is visible at each pixel
        placed = []
        for fig in figs:
            if not fig.start <= f <= fig.end:
                continue
            t = f - fig.start
            foot_y = fig.y0 + fig.vy * t
            cx = fig.x0 + fig.vx * t + fig.wobble * np.sin(0.05 * t + fig.phase)
            scale = 0.85 + 0.3 * (foot_y / height)  # nearer (lower) figures look taller
            fh = fig.height * scale
            fw = fh * SPRITE_W / SPRITE_H
            placed.append((foot_y, fig, cx - fw / 2, foot_y - fh, fw, fh, (t // 6) % 2))
        placed.sort(key=lambda p: p[0])  # far to near: nearer figures are drawn last and occlude
        for _, fig, x, y, fw, fh, phase in placed:
            iw, ih = max(2, int(round(fw))), max(2, int(round(fh)))
            rgb, mask = fig.sprites[phase]
            rgb = cv2.resize(rgb, (iw, ih), interpolation=cv2.INTER_LINEAR)
            mask = cv2.resize(mask.astype(np.uint8), (iw, ih), interpolation=cv2.INTER_NEAREST).astype(bool)
            ix, iy = int(round(x)), int(round(y))
            x1, y1, x2, y2 = max(ix, 0), max(iy, 0), min(ix + iw, width), min(iy + ih, height)
            if x2 <= x1 or y2 <= y1:
                continue
            m = mask[y1 - iy:y2 - iy, x1 - ix:x2 - ix]
            canvas[y1:y2, x1:x2][m] = rgb[y1 - iy:y2 - iy, x1 - ix:x2 - ix][m]
            owner[y1:y2, x1:x2][m] = fig.track_id
        counts = np.bincount(owner.ravel(), minlength=ids + 1)
        for _, fig, x, y, fw, fh, phase in placed:
            total = fig.sprites[phase][1].mean() * fw * fh
            vis = float(min(1.0, counts[fig.track_id] / max(total, 1.0)))
            if vis <= 0.0:
                continue  # entirely out of frame or hidden: not annotated
            gt_lines.append(f"{f},{fig.track_id},{x:.2f},{y:.2f},{fw:.2f},{fh:.2f},1,1,{vis:.3f}")
        flicker = 1.0 + 0.04 * np.sin(f * 0.21 + seq_index)
        canvas = canvas * flicker + rng.normal(0, noise, size=canvas.shape).astype(np.float32)
        frame = np.clip(canvas, 0, 255).astype(np.uint8)
        ok, buf = cv2.imencode(".jpg", frame[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        (img_dir / f"{f:06d}.jpg").write_bytes(buf.tobytes())
    (seq_dir / "gt" / "gt.txt").write_text("\n".join(gt_lines) + "\n")
    (seq_dir / "seqinfo.ini").write_text(
        "[Sequence]\n"
        f"name={name}\nimDir=img1\nframeRate={fps}\nseqLength={frames}\n"
        f"imWidth={width}\nimHeight={height}\nimExt=.jpg\n")
    return seq_dir


def write_mp4(seq_dir: Path, out_file: Path, fps: int = 30):
    """Encodes a sequence's frames as MP4 (MPEG-4 part 2 through OpenCV: no external binary)."""
    frames = sorted((seq_dir / "img1").glob("*.jpg"))
    if not frames:
        raise ValueError(f"no frames in {seq_dir}")
    first = cv2.imread(str(frames[0]))
    h, w = first.shape[:2]
    out_file.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(out_file), cv2.VideoWriter_fourcc(*"mp4v"), float(fps), (w, h))
    if not writer.isOpened():
        raise RuntimeError("OpenCV cannot write MP4 here")
    try:
        for p in frames:
            writer.write(cv2.imread(str(p)))
    finally:
        writer.release()
    return out_file


def generate(out: Path, seqs: int, frames: int, seed: int, width: int = 640, height: int = 360, ids: int = 8,
             fps: int = 30, min_h: float = 40, max_h: float = 150, noise: float = 6.0, mp4: bool = False,
             prefix: str = "SYN"):
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(seqs):
        name = f"{prefix}-{seed:04d}-{i + 1:02d}"
        seq_dir = render_sequence(out, name, seed, i, frames, width, height, ids, fps, min_h, max_h, noise)
        if mp4:
            write_mp4(seq_dir, out / f"{name}.mp4", fps)
        made.append(seq_dir)
    return made


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m motflow_ml.synth", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--seqs", type=int, default=2)
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=360)
    ap.add_argument("--ids", type=int, default=8, help="identities per sequence")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--min-height", type=float, default=None, help="smallest figure height, px")
    ap.add_argument("--max-height", type=float, default=None, help="largest figure height, px")
    ap.add_argument("--noise", type=float, default=6.0, help="sensor noise sigma (0-255 scale)")
    ap.add_argument("--mp4", action="store_true", help="also write <out>/<seq>.mp4")
    ap.add_argument("--prefix", default="SYN")
    a = ap.parse_args(argv)
    if a.seqs < 1 or a.frames < 1 or a.width < 32 or a.height < 32 or a.ids < 0:
        ap.error("need seqs >= 1, frames >= 1, width/height >= 32, ids >= 0")
    min_h = a.min_height if a.min_height is not None else max(12.0, a.height * 0.11)
    max_h = a.max_height if a.max_height is not None else max(min_h + 1, a.height * 0.42)
    made = generate(a.out, a.seqs, a.frames, a.seed, a.width, a.height, a.ids, a.fps, min_h, max_h, a.noise,
                    a.mp4, a.prefix)
    print(json.dumps({"sequences": [str(p) for p in made]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
