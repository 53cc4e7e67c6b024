"""The appearance table (docs/tracking.md, "With appearance"): the JDE policy (re-ID embeddings + motion)
against motflow's appearance-free policy on sequences whose detections carry synthetic embeddings.

Sets: the seven MOT17 training sequences of mot17-lift and MOT20-01 (../shared/testdata), with detections
derived from their ground truth, seeded (the same on every run):

- boxes: the noise model of tools/tracking-eval (occlusion-dependent misses that come in runs, scores that
  fall with visibility, box jitter, false positives that are shifted copies of people, mostly low-scored);
- embeddings (128-d, unit length): every person has a prototype on the unit sphere that shares a common
  part with everyone's (different people are not orthogonal: cosine about ``rho``) and drifts slowly over
  time (pose, lighting); a detection's embedding is its person's current prototype mixed with the most
  overlapping other person's (in proportion to how hidden it is) plus noise that grows as visibility
  falls; a false positive gets a random embedding of the same family. ``--levels`` names the
  informativeness levels (noise at full visibility: strong 0.35, medium 0.6, weak 0.9, none: every
  detection random).

Scored with containers/motflow_ml/metrics.py (TrackEval's HOTA, CLEAR and Identity, the MOTChallenge
rules of each benchmark). Prints HOTA / MOTA / IDF1 / IDSW per set and level, and per level the mean and
the worst set of each tracker. Run it with tools/appearance-eval/run.sh (about 7 minutes for the default
trackers and levels on one core; several times that on a busy machine).
"""
import argparse
import pathlib
import sys
import time
import zlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "containers"))

from motflow_ml import metrics  # noqa: E402
from motflow_ml.tracker import ByteTracker, JdeTracker  # noqa: E402

MOT17 = ("MOT17-02", "MOT17-04", "MOT17-05", "MOT17-09", "MOT17-10", "MOT17-11", "MOT17-13")
DIM = 128
# name -> (noise norm at full visibility, cosine between different people's prototypes)
LEVELS = {"strong": (0.35, 0.3), "medium": (0.6, 0.3), "weak": (0.9, 0.3), "none": (None, 0.3)}
PERSON_CLASSES = (1, 2, 7)


def seed_of(*parts):
    return zlib.crc32("/".join(parts).encode())


# ----------------------------------------------------------------------------------------------------
# Sets


def read_seqinfo(path):
    info = {}
    for line in path.read_text().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            info[k.strip()] = v.strip()
    return info


def load_sets(data, only=None):
    sets = []
    for seq in MOT17:
        d = data / "mot17-lift" / "gt" / seq
        info = read_seqinfo(d / "seqinfo.ini")
        gt = metrics.read_rows((d / "gt.txt").read_text())
        sets.append((seq, gt, "MOT17", float(info.get("frameRate", 30)), int(info["seqLength"])))
    gt20 = metrics.read_rows((data / "mot20-01" / "gt.txt").read_text())
    # MOT20-01 is 25 fps (its seqinfo.ini is not in the shared data)
    sets.append(("MOT20-01", gt20, "MOT20", 25.0, int(gt20[:, 0].max())))
    if only:
        sets = [s for s in sets if s[0] in only]
    return sets


# ----------------------------------------------------------------------------------------------------
# Detections


def iou_xywh(a, b):
    ax2, ay2 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx2, by2 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.clip(np.minimum(ax2[:, None], bx2[None]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    ih = np.clip(np.minimum(ay2[:, None], by2[None]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = iw * ih
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)


def unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def generate(name, gt, frames):
    """Boxes derived from ground truth (seeded by the set's name): per frame a list of detections
    (x, y, w, h, score, person id or 0 for a false positive, effective visibility). The embeddings are
    drawn separately (embed), so every level sees the same boxes."""
    rng = np.random.default_rng(seed_of(name, "boxes"))
    people = gt[np.isin(gt[:, 7].astype(int), PERSON_CLASSES) & (gt[:, 0] <= frames)]
    by_frame = {f: people[people[:, 0] == f] for f in range(1, frames + 1)}
    disturbance = {}
    out = []
    for f in range(1, frames + 1):
        rows = by_frame[f]
        rows = rows[np.argsort(rows[:, 1], kind="stable")]  # a fixed order, so the draws are reproducible
        dets = []
        for r in rows:
            pid = int(r[1])
            z = disturbance.get(pid)
            z = rng.standard_normal() if z is None else z
            z = 0.9 * z + np.sqrt(1 - 0.81) * rng.standard_normal()
            disturbance[pid] = z
            vis = float(np.clip(r[8] + 0.15 * z, 0, 1))
            p_detect = 0.95 if vis >= 0.7 else 0.1 + 0.85 * vis / 0.7
            if rng.random() >= p_detect:
                continue
            score = float(np.clip(0.35 + 0.6 * vis + 0.08 * rng.standard_normal(), 0.02, 0.99))
            x, y, w0, h0 = r[2:6]
            w = w0 * np.exp(0.05 * rng.standard_normal())
            h = h0 * np.exp(0.04 * rng.standard_normal())
            cx = x + w0 / 2 + 0.04 * w0 * rng.standard_normal()
            cy = y + h0 / 2 + 0.03 * h0 * rng.standard_normal()
            dets.append((cx - w / 2, cy - h / 2, w, h, score, pid, vis))
        for _ in range(rng.poisson(0.5 + 0.03 * len(rows)) if len(rows) else 0):
            r = rows[rng.integers(len(rows))]
            w = r[4] * np.exp(0.3 * rng.standard_normal())
            h = r[5] * np.exp(0.3 * rng.standard_normal())
            x = r[2] + r[4] * 1.5 * rng.standard_normal()
            y = r[3] + r[5] * 0.4 * rng.standard_normal()
            score = 0.5 + 0.4 * rng.random() if rng.random() < 0.1 else 0.05 + 0.5 * rng.random()
            dets.append((x, y, w, h, score, 0, 0.0))
        dets = [d for d in dets if d[4] >= 0.1 and d[2] > 1 and d[3] > 1]
        out.append(np.array(dets, np.float64).reshape(-1, 7))
    return out


def embed(name, level, dets):
    """One unit embedding per detection (see the module docstring); seeded by set and level."""
    noise, rho = LEVELS[level]
    rng = np.random.default_rng(seed_of(name, "embeddings", level))
    common = unit(rng.standard_normal(DIM))
    protos, drift = {}, {}

    def family(n):
        # unit vectors whose pairwise cosine is about rho: a shared part plus an individual one
        return unit(np.sqrt(rho) * common + np.sqrt(1 - rho) * unit(rng.standard_normal((n, DIM))))

    out = []
    for d in dets:
        e = family(len(d)) if len(d) else np.zeros((0, DIM))
        if noise is None:
            out.append(e)
            continue
        real = np.nonzero(d[:, 5] > 0)[0]
        cur = {}
        for i in real:
            pid = int(d[i, 5])
            if pid not in protos:
                protos[pid] = family(1)[0]
                drift[pid] = np.zeros(DIM)
            # slow appearance change: AR(1) with a time constant of about 50 frames
            drift[pid] = 0.98 * drift[pid] + np.sqrt(1 - 0.98 ** 2) * rng.standard_normal(DIM) / np.sqrt(DIM)
            cur[i] = unit(protos[pid] + 0.35 * drift[pid])
        if len(real):
            ious = iou_xywh(d[real, :4], d[real, :4])
            np.fill_diagonal(ious, 0)
        for k, i in enumerate(real):
            vis = d[i, 6]
            v = cur[i].copy()
            if len(real) > 1 and ious[k].max() > 0:
                # an occluded crop shows part of the person in front
                v = (1 - 0.5 * (1 - vis)) * v + 0.5 * (1 - vis) * cur[real[int(np.argmax(ious[k]))]]
            eta = noise * (1 + 1.5 * (1 - vis))
            e[i] = unit(unit(v) + eta * rng.standard_normal(DIM) / np.sqrt(DIM))
        out.append(e)
    return out


# ----------------------------------------------------------------------------------------------------
# Tracking and scoring

# name -> (uses embeddings, factory(fps))
TRACKERS = {
    "bytetrack": (False, lambda fps: ByteTracker(fps=fps)),
    # the appearance-free default before the width state (Kalman filter on the aspect ratio)
    "bytetrack-aspect": (False, lambda fps: ByteTracker(fps=fps, width_state=False)),
    "jde-fairmot": (True, lambda fps: JdeTracker(fps=fps, track_buffer=30, max_lost_seconds=None,
                                                  reid_after_seconds=None, report_missed_frame=False)),
    # motflow's JDE settings before the missed-frame report
    "jde-no-report": (True, lambda fps: JdeTracker(fps=fps, report_missed_frame=False)),
    "jde": (True, lambda fps: JdeTracker(fps=fps)),
}


def add_variant(spec):
    """name=key:value,key:value  -> a JdeTracker with those keyword arguments (numbers, or none)."""
    name, _, args = spec.partition("=")
    kw = {}
    for part in filter(None, args.split(",")):
        k, _, v = part.partition(":")
        kw[k] = None if v == "none" else float(v)
    TRACKERS[name] = (True, lambda fps, kw=kw: JdeTracker(fps=fps, **kw))


def track(tracker, dets, embs):
    rows = []
    for f, d in enumerate(dets, 1):
        tlbr = np.c_[d[:, 0], d[:, 1], d[:, 0] + d[:, 2], d[:, 1] + d[:, 3]] if len(d) else np.zeros((0, 4))
        out = tracker.update(tlbr, d[:, 4], embs[f - 1] if embs is not None else np.zeros((len(d), DIM)))
        for t in out:
            x, y, w, h = t.tlwh
            rows.append((f, t.track_id, x, y, w, h, 1.0, -1.0, -1.0))
    return np.array(rows, np.float64).reshape(-1, 9)


def score(gt, hyp, benchmark):
    s = metrics.evaluate_rows(gt, hyp, benchmark)
    return {"HOTA": 100 * s["hota"], "MOTA": 100 * s["mota"], "IDF1": 100 * s["idf1"], "IDSW": s["num_switches"]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "testdata"))
    ap.add_argument("--sets", help="comma-separated set names (default: all 8)")
    ap.add_argument("--levels", default="strong,medium,weak,none", help="informativeness levels")
    ap.add_argument("--trackers", default="bytetrack,jde-fairmot,jde", help="trackers to compare")
    ap.add_argument("--variant", action="append", default=[],
                    help="an extra JdeTracker, name=key:value,... (e.g. mem4=max_lost_seconds:4); "
                         "list it in --trackers")
    a = ap.parse_args(argv)
    for v in a.variant:
        add_variant(v)
    names = a.trackers.split(",")
    levels = a.levels.split(",")
    for n in names:
        if n not in TRACKERS:
            ap.error(f"unknown tracker {n}; known: {', '.join(TRACKERS)}")
    for lv in levels:
        if lv not in LEVELS:
            ap.error(f"unknown level {lv}; known: {', '.join(LEVELS)}")
    sets = load_sets(pathlib.Path(a.data), a.sets.split(",") if a.sets else None)
    results = {}  # (level, tracker) -> [per-set scores]
    t0 = time.perf_counter()
    for name, gt, bench, fps, frames in sets:
        dets = generate(name, gt, frames)
        plain = {}
        for lv in levels:
            embs = embed(name, lv, dets)
            for n in names:
                uses_emb, make = TRACKERS[n]
                if not uses_emb and n in plain:
                    s = plain[n]  # appearance-free: the same boxes give the same result at every level
                else:
                    s = score(gt, track(make(fps), dets, embs if uses_emb else None), bench)
                    if not uses_emb:
                        plain[n] = s
                results.setdefault((lv, n), []).append((name, s))
                print(f"{name:9} {lv:7} {n:14} HOTA {s['HOTA']:6.2f}  MOTA {s['MOTA']:6.2f}  IDF1 {s['IDF1']:6.2f}"
                      f"  IDSW {s['IDSW']:5d}", flush=True)
    print(f"\n{len(sets)} sets, {time.perf_counter() - t0:.0f} s\n")
    print("| level | tracker | mean HOTA | mean MOTA | mean IDF1 | mean IDSW | worst HOTA | worst MOTA | worst IDF1 |"
          " HOTA vs bytetrack (mean / worst set) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for lv in levels:
        base = results.get((lv, "bytetrack"))
        for n in names:
            per = results[(lv, n)]
            m = {k: np.mean([s[k] for _, s in per]) for k in ("HOTA", "MOTA", "IDF1", "IDSW")}
            w = {k: min(s[k] for _, s in per) for k in ("HOTA", "MOTA", "IDF1")}
            gain = ""
            if base and n != "bytetrack":
                d = [s["HOTA"] - b["HOTA"] for (_, s), (_, b) in zip(per, base)]
                gain = f"{np.mean(d):+.2f} / {min(d):+.2f}"
            print(f"| {lv} | {n} | {m['HOTA']:.2f} | {m['MOTA']:.2f} | {m['IDF1']:.2f} | {m['IDSW']:.0f} | "
                  f"{w['HOTA']:.2f} | {w['MOTA']:.2f} | {w['IDF1']:.2f} | {gain} |")


if __name__ == "__main__":
    main()
