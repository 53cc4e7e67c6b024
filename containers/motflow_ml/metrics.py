"""Tracking metrics with the definitions of the retraining gate (functions/mot-metrics), which are those
of the reference tools, with the MOTChallenge rules of a benchmark. Two modes of CLEAR MOT and Identity
definitions, as in the gate and `motflow eval`:

- "trackeval" (the default): TrackEval 1.3.0's CLEAR and Identity, the MOTChallenge benchmark's
  official numbers;
- "py-motmetrics" (`--compat py-motmetrics`): py-motmetrics 1.4.0's accumulator.

HOTA is TrackEval's in both. tools/crosscheck checks this module against both tools, in both modes, on
generated scenes and the shared MOT data, value for value.

- Rows: ``frame, id, x, y, w, h, conf, class, visibility`` (MOTChallenge text; missing columns read as
  conf 1, class -1, visibility -1). An id used twice in one frame is an error, as in the tools.
- MOT15 rules: TrackEval (HOTA, and CLEAR/Identity in mode trackeval) drops ground truth whose conf
  truncates to 0; py-motmetrics drops rows with conf < -1 from both files (its loader).
- MOT16/17/20 rules (TrackEval's preprocessing, for every metric): per frame, result boxes are
  matched to all ground truth by maximum total IoU among pairs with IoU >= 0.5; those matched to a
  distractor class are removed; then only ground truth with int(conf) != 0 and class 1 is kept.
- CLEAR MOT, trackeval: only frames with both ground truth and results are matched; there, pairs with
  IoU >= 0.5 score their IoU plus 1000 if the object was matched to that box's id in the previous
  matched frame, and the maximum-score assignment gives the matches. A switch is a match to another id
  than the object's last match (however long ago). MT/PT/ML: tracked ratio > 0.8 / >= 0.2 / the rest;
  a fragmentation is each resumption of a tracked run after the first. Ratios divide by max(1, x).
- CLEAR MOT, py-motmetrics: distance 1 - IoU, a match needs IoU >= 0.5; an object keeps the hypothesis
  it was last matched to while that is present, free and close enough; the rest are matched by a
  minimum-cost assignment that first maximises the number of allowed pairs; a match to another
  hypothesis than the object's last one is a switch. MT at >= 0.8; undefined ratios are None.
- MOTA = (TP - FP - IDSW) / GT; ``motp`` is the mean distance 1 - IoU of the matches (in mode
  trackeval 1 - TrackEval's MOTP, so 1 without matches).
- Identity: IDTP is the maximum, over one-to-one id mappings, of the frames where mapped ids could match.
- HOTA: the mean over alpha = 0.05 .. 0.95 of sqrt(DetA * AssA), TrackEval's matching per frame.
"""
import math
import re

import numpy as np
from scipy.optimize import linear_sum_assignment

# The gate's metric names (py-motmetrics' MOTChallenge set, then TrackEval's HOTA family).
KEYS = ("idf1", "idp", "idr", "recall", "precision", "num_unique_objects", "mostly_tracked", "partially_tracked",
        "mostly_lost", "num_false_positives", "num_misses", "num_switches", "num_fragmentations", "mota", "motp",
        "hota", "deta", "assa", "loca")
BENCHMARKS = ("MOT15", "MOT16", "MOT17", "MOT20")
PEDESTRIAN = 1
MAX_CLASS = 13
EPS = np.finfo(float).eps
ALPHAS = 0.05 + 0.05 * np.arange(19)
MAX_DISTANCE = 0.5
MODES = ("trackeval", "py-motmetrics")
DEFAULT_MODE = "trackeval"
CONTINUITY_BONUS = 1000.0


def distractor_classes(benchmark):
    return (2, 6, 7, 8, 12) if benchmark == "MOT20" else (2, 7, 8, 12)


# ----------------------------------------------------------------------------------------------------
# Reading


def read_rows(text):
    """MOTChallenge text -> float64 array [n, 9]: frame, id, x, y, w, h, conf, class, visibility."""
    rows = []
    for line_no, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        p = [v for v in re.split(r"[,\s]+", line) if v]
        if len(p) < 6:
            raise ValueError(f"line {line_no}: expected at least 6 values, got {len(p)}")
        try:
            vals = [float(v) for v in p[:9]]
        except ValueError:
            raise ValueError(f"line {line_no}: not a number in {line!r}") from None
        vals += [1.0, -1.0, -1.0][len(vals) - 6:] if len(vals) < 9 else []
        rows.append(vals)
    return np.array(rows, np.float64).reshape(-1, 9)


def rows_from_boxes(boxes):
    """frame -> [n, 5] (id, x, y, w, h) -> rows with conf 1, class 1 (already-filtered pedestrians)."""
    out = [[f, *b[:5], 1.0, 1.0, 1.0] for f in sorted(boxes) for b in np.asarray(boxes[f], np.float64).reshape(-1, 5)]
    return np.array(out, np.float64).reshape(-1, 9)


def _check_unique_ids(rows, what):
    keys = rows[:, :2].astype(np.int64)
    if len(keys):
        uniq, counts = np.unique(keys, axis=0, return_counts=True)
        if (counts > 1).any():
            f, i = uniq[counts > 1][0]
            raise ValueError(f"{what}: id {i} appears twice in frame {f}")


# ----------------------------------------------------------------------------------------------------
# IoU in each tool's floating-point form (a match at exactly IoU 0.5 depends on the last bit)


def _iou_motmetrics(a, b):
    """py-motmetrics' boxiou on x, y, w, h: corners, sizes recomputed from them and clamped at 0."""
    a_min, a_max = a[:, None, :2], a[:, None, :2] + a[:, None, 2:]
    b_min, b_max = b[None, :, :2], b[None, :, :2] + b[None, :, 2:]
    inter = np.prod(np.maximum(np.minimum(a_max, b_max) - np.maximum(a_min, b_min), 0), axis=-1)
    a_vol = np.prod(np.maximum(a_max - a_min, 0), axis=-1)
    b_vol = np.prod(np.maximum(b_max - b_min, 0), axis=-1)
    union = a_vol + b_vol - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(inter == 0, 0.0, inter / np.where(union == 0, 1.0, union))


def _iou_trackeval(a, b):
    """TrackEval's box IoU (xywh): degenerate boxes and unions <= eps give 0."""
    a = np.concatenate([a[:, :2], a[:, :2] + a[:, 2:]], 1)
    b = np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], 1)
    lo = np.maximum(a[:, None, :2], b[None, :, :2])
    hi = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.maximum(hi - lo, 0), axis=2)
    area1 = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area2 = np.prod(b[:, 2:] - b[:, :2], axis=1)
    union = area1[:, None] + area2[None, :] - inter
    inter[area1 <= EPS, :] = 0
    inter[:, area2 <= EPS] = 0
    inter[union <= EPS] = 0
    union[union <= EPS] = 1
    return inter / union


def _frames(rows):
    """frame -> row indices in file order."""
    out = {}
    for k, f in enumerate(rows[:, 0].astype(np.int64).tolist()):
        out.setdefault(f, []).append(k)
    return out


# ----------------------------------------------------------------------------------------------------
# Benchmark rules


def prepare(gt, hyp, benchmark):
    """(gt, hyp) for CLEAR/Identity and (gt, hyp) for HOTA under the benchmark's rules."""
    if benchmark not in BENCHMARKS:
        raise ValueError(f"benchmark must be one of {BENCHMARKS}, not {benchmark!r}")
    _check_unique_ids(gt, "ground truth")
    _check_unique_ids(hyp, "result")
    if benchmark == "MOT15":
        return ((gt[gt[:, 6] >= -1], hyp[hyp[:, 6] >= -1]),
                (gt[np.trunc(gt[:, 6]) != 0], hyp))
    cls = gt[:, 7]
    bad = (cls != np.round(cls)) | (cls < 1) | (cls > MAX_CLASS)
    if bad.any():
        raise ValueError(f"ground-truth class {cls[bad][0]:g} is not a MOTChallenge class (1..{MAX_CLASS}); "
                         "ground truth without classes is scored with benchmark MOT15")
    if (np.trunc(hyp[:, 7]) > PEDESTRIAN).any():
        raise ValueError(f"a result row has class {hyp[np.trunc(hyp[:, 7]) > PEDESTRIAN][0, 7]:g}: only pedestrians "
                         f"(class 1 or -1) are scored in {benchmark}")
    removed = np.zeros(len(hyp), bool)
    distractors = np.isin(cls.astype(np.int64), distractor_classes(benchmark))
    hyp_frames = _frames(hyp)
    for f, gi in _frames(gt).items():
        hj = hyp_frames.get(f)
        if not hj:
            continue
        gi, hj = np.array(gi), np.array(hj)
        score = _iou_trackeval(gt[gi, 2:6], hyp[hj, 2:6])
        score[score < 0.5 - EPS] = 0
        if not (score[distractors[gi]] > 0).any():
            continue  # nothing can be removed
        r, c = linear_sum_assignment(-score)
        ok = score[r, c] > EPS
        r, c = r[ok], c[ok]
        removed[hj[c[distractors[gi[r]]]]] = True
    kept_gt = gt[(np.trunc(gt[:, 6]) != 0) & (cls == PEDESTRIAN)]
    kept_hyp = hyp[~removed]
    return (kept_gt, kept_hyp), (kept_gt, kept_hyp)


# ----------------------------------------------------------------------------------------------------
# CLEAR MOT and Identity (py-motmetrics' accumulator)


def _with_expensive_edges(cost):
    valid = np.isfinite(cost)
    if valid.all():
        return cost.copy()
    large = 2 * min(cost.shape) * (np.abs(cost[valid]).max() + 1) + 1
    return np.where(valid, cost, large)


def clear_counts(gt, hyp):
    # py-motmetrics' loader moves boxes by -1 (Matlab convention); the IoU's last bits depend on it.
    gt_boxes = gt[:, 2:6] - np.array([1.0, 1.0, 0, 0])
    hyp_boxes = hyp[:, 2:6] - np.array([1.0, 1.0, 0, 0])
    gt_ids, hyp_ids = gt[:, 1].astype(np.int64), hyp[:, 1].astype(np.int64)
    gt_frames, hyp_frames = _frames(gt), _frames(hyp)
    last_hyp = {}
    seen, tracked, ever_tracked, miss_since = {}, {}, set(), set()
    pair_frames = {}
    matches = switches = misses = fps = frags = 0
    dist_sum = 0.0
    for f in sorted(set(gt_frames) | set(hyp_frames)):
        gi, hj = gt_frames.get(f, []), hyp_frames.get(f, [])
        no, nh = len(gi), len(hj)
        o_ids, h_ids = gt_ids[gi], hyp_ids[hj]
        row_taken, col_taken = np.zeros(no, bool), np.zeros(nh, bool)
        if no and nh:
            dist = 1 - _iou_motmetrics(gt_boxes[gi], hyp_boxes[hj])
            dist[~(dist <= MAX_DISTANCE)] = np.nan
            for i, j in zip(*np.nonzero(~np.isnan(dist))):
                key = (int(o_ids[i]), int(h_ids[j]))
                pair_frames[key] = pair_frames.get(key, 0) + 1
            # 1. keep earlier pairings that are still possible
            col_of = {int(h): j for j, h in enumerate(h_ids)}
            for i, o in enumerate(o_ids.tolist()):
                j = col_of.get(last_hyp.get(o, None))
                if j is None or col_taken[j] or np.isnan(dist[i, j]):
                    continue
                row_taken[i] = col_taken[j] = True
                matches += 1
                dist_sum += dist[i, j]
            # 2. minimum-cost assignment of the rest on the frame's matrix, taken rows/columns forbidden
            dist[row_taken, :] = np.nan
            dist[:, col_taken] = np.nan
            if (~np.isnan(dist)).any():
                rows, cols = linear_sum_assignment(_with_expensive_edges(dist))
                for i, j in zip(rows.tolist(), cols.tolist()):
                    if np.isnan(dist[i, j]):
                        continue
                    o, h = int(o_ids[i]), int(h_ids[j])
                    if o in last_hyp and last_hyp[o] != h:
                        switches += 1
                    else:
                        matches += 1
                    dist_sum += dist[i, j]
                    last_hyp[o] = h
                    row_taken[i] = col_taken[j] = True
        # 3. misses, false positives, per-object track state
        for i, o in enumerate(o_ids.tolist()):
            seen[o] = seen.get(o, 0) + 1
            if row_taken[i]:
                tracked[o] = tracked.get(o, 0) + 1
                if o in ever_tracked and o in miss_since:
                    frags += 1
                ever_tracked.add(o)
                miss_since.discard(o)
            else:
                misses += 1
                if o in ever_tracked:
                    miss_since.add(o)
        fps += int((~col_taken).sum())
    ratios = [tracked.get(o, 0) / n for o, n in seen.items()]
    idtp = _identity_true_positives(pair_frames)
    return {"num_objects": len(gt), "num_predictions": len(hyp), "matches": matches, "switches": switches,
            "false_positives": fps, "misses": misses, "fragmentations": frags, "unique_objects": len(seen),
            "mostly_tracked": sum(r >= 0.8 for r in ratios), "partially_tracked": sum(0.2 <= r < 0.8 for r in ratios),
            "mostly_lost": sum(r < 0.2 for r in ratios), "distance_sum": dist_sum,
            "idtp": idtp, "idfp": len(hyp) - idtp, "idfn": len(gt) - idtp, "mode": "py-motmetrics"}


# ----------------------------------------------------------------------------------------------------
# CLEAR MOT and Identity (TrackEval's, the MOTChallenge evaluation)


def trackeval_clear_counts(gt, hyp):
    gt_ids, hyp_ids = gt[:, 1].astype(np.int64), hyp[:, 1].astype(np.int64)
    gt_frames, hyp_frames = _frames(gt), _frames(hyp)
    last_hyp, last_step = {}, {}  # the object's last match; its match in the previous matched frame
    present, tracked, runs, pair_frames = {}, {}, {}, {}
    tp = fn = fp = switches = 0
    iou_sum = 0.0
    for f in sorted(set(gt_frames) | set(hyp_frames)):
        gi, hj = gt_frames.get(f, []), hyp_frames.get(f, [])
        if not gi:
            fp += len(hj)
            continue
        o_ids, h_ids = gt_ids[gi].tolist(), hyp_ids[hj].tolist()
        for o in o_ids:
            present[o] = present.get(o, 0) + 1
        if not hj:
            fn += len(gi)  # a frame without results leaves every object's continuity as it was
            continue
        sim = _iou_trackeval(gt[gi, 2:6], hyp[hj, 2:6])
        for i, j in zip(*np.nonzero(sim >= MAX_DISTANCE)):
            key = (o_ids[i], h_ids[j])
            pair_frames[key] = pair_frames.get(key, 0) + 1
        kept = np.array([[last_step.get(o) == h for h in h_ids] for o in o_ids], bool)
        score = CONTINUITY_BONUS * kept + sim
        score[sim < MAX_DISTANCE - EPS] = 0
        rows, cols = linear_sum_assignment(-score)
        ok = score[rows, cols] > EPS
        step = {}
        for i, j in zip(rows[ok].tolist(), cols[ok].tolist()):
            o, h = o_ids[i], h_ids[j]
            if o in last_hyp and last_hyp[o] != h:
                switches += 1
            if o not in last_step:
                runs[o] = runs.get(o, 0) + 1
            last_hyp[o] = step[o] = h
            tracked[o] = tracked.get(o, 0) + 1
            iou_sum += sim[i, j]
        last_step = step
        tp += len(step)
        fn += len(gi) - len(step)
        fp += len(hj) - len(step)
    ratios = [tracked.get(o, 0) / n for o, n in present.items()]
    idtp = _identity_true_positives(pair_frames)
    return {"num_objects": len(gt), "num_predictions": len(hyp), "matches": tp - switches, "switches": switches,
            "false_positives": fp, "misses": fn, "fragmentations": sum(n - 1 for n in runs.values()),
            "unique_objects": len(present), "mostly_tracked": sum(r > 0.8 for r in ratios),
            "partially_tracked": sum(0.2 <= r <= 0.8 for r in ratios), "mostly_lost": sum(r < 0.2 for r in ratios),
            "iou_sum": iou_sum, "distance_sum": tp - iou_sum,
            "idtp": idtp, "idfp": len(hyp) - idtp, "idfn": len(gt) - idtp, "mode": "trackeval"}


def _identity_true_positives(pair_frames):
    if not pair_frames:
        return 0
    g = {o: k for k, o in enumerate(sorted({o for o, _ in pair_frames}))}
    h = {x: k for k, x in enumerate(sorted({x for _, x in pair_frames}))}
    gain = np.zeros((len(g), len(h)))
    for (o, x), n in pair_frames.items():
        gain[g[o], h[x]] = n
    r, c = linear_sum_assignment(-gain)  # the optimum's value is unique, whatever the ties
    return int(gain[r, c].sum())


# ----------------------------------------------------------------------------------------------------
# HOTA (TrackEval)


def hota_counts(gt, hyp):
    na = len(ALPHAS)
    res = {"tp": np.zeros(na), "fn": np.zeros(na), "fp": np.zeros(na), "assa": np.zeros(na), "loca": np.zeros(na)}
    if len(gt) == 0 or len(hyp) == 0:
        res["fn"][:], res["fp"][:], res["loca"][:] = len(gt), len(hyp), 1.0
        return res
    g_ids = np.unique(gt[:, 1].astype(np.int64), return_inverse=True)[1].reshape(-1)
    h_ids = np.unique(hyp[:, 1].astype(np.int64), return_inverse=True)[1].reshape(-1)
    ng, nh = g_ids.max() + 1, h_ids.max() + 1
    gt_frames, hyp_frames = _frames(gt), _frames(hyp)
    frames = sorted(set(gt_frames) | set(hyp_frames))
    potential = np.zeros((ng, nh))
    g_count, h_count = np.bincount(g_ids, minlength=ng)[:, None], np.bincount(h_ids, minlength=nh)[None, :]
    sims = {}
    for f in frames:
        gi, hj = gt_frames.get(f, []), hyp_frames.get(f, [])
        if not gi or not hj:
            continue
        sim = _iou_trackeval(gt[gi, 2:6], hyp[hj, 2:6])
        sims[f] = sim
        denom = sim.sum(0)[None, :] + sim.sum(1)[:, None] - sim
        ratio = np.zeros_like(sim)
        mask = denom > 0 + EPS
        ratio[mask] = sim[mask] / denom[mask]
        potential[g_ids[gi][:, None], h_ids[hj][None, :]] += ratio
    alignment = potential / (g_count + h_count - potential)
    match_counts = np.zeros((na, ng, nh))
    for f in frames:
        gi, hj = gt_frames.get(f, []), hyp_frames.get(f, [])
        if not gi:
            res["fp"] += len(hj)
            continue
        if not hj:
            res["fn"] += len(gi)
            continue
        sim = sims[f]
        gt_t, hyp_t = g_ids[gi], h_ids[hj]
        r, c = linear_sum_assignment(-(alignment[gt_t[:, None], hyp_t[None, :]] * sim))
        for a, alpha in enumerate(ALPHAS):
            ok = sim[r, c] >= alpha - EPS
            ra, ca = r[ok], c[ok]
            res["tp"][a] += len(ra)
            res["fn"][a] += len(gi) - len(ra)
            res["fp"][a] += len(hj) - len(ra)
            if len(ra):
                res["loca"][a] += sim[ra, ca].sum()
                match_counts[a][gt_t[ra], hyp_t[ca]] += 1
    for a in range(na):
        m = match_counts[a]
        res["assa"][a] = np.sum(m * (m / np.maximum(1, g_count + h_count - m))) / max(1, res["tp"][a])
    res["loca"] = np.maximum(1e-10, res["loca"]) / np.maximum(1e-10, res["tp"])
    return res


# ----------------------------------------------------------------------------------------------------
# Scores


def _ratio(a, b):
    return a / b if b else None


def _hota_metrics(h):
    deta = h["tp"] / np.maximum(1, h["tp"] + h["fn"] + h["fp"])
    return {"hota": float(np.mean(np.sqrt(deta * h["assa"]))), "deta": float(np.mean(deta)),
            "assa": float(np.mean(h["assa"])), "loca": float(np.mean(h["loca"]))}


def _trackeval_metrics(c, h):
    tp, fp, fn, sw = c["matches"] + c["switches"], c["false_positives"], c["misses"], c["switches"]
    idtp, idfp, idfn = c["idtp"], c["idfp"], c["idfn"]
    return {
        "idf1": idtp / max(1.0, idtp + 0.5 * idfp + 0.5 * idfn), "idp": idtp / max(1.0, idtp + idfp),
        "idr": idtp / max(1.0, idtp + idfn), "recall": tp / max(1.0, tp + fn), "precision": tp / max(1.0, tp + fp),
        "num_unique_objects": c["unique_objects"], "mostly_tracked": c["mostly_tracked"],
        "partially_tracked": c["partially_tracked"], "mostly_lost": c["mostly_lost"],
        "num_false_positives": fp, "num_misses": fn, "num_switches": sw,
        "num_fragmentations": c["fragmentations"], "mota": (tp - fp - sw) / max(1.0, tp + fn),
        "motp": 1.0 - c["iou_sum"] / max(1.0, tp), **_hota_metrics(h),
    }


def _metrics(c, h):
    if c["mode"] == "trackeval":
        return _trackeval_metrics(c, h)
    det = c["matches"] + c["switches"]
    return {
        "idf1": _ratio(2.0 * c["idtp"], c["num_objects"] + c["num_predictions"]),
        "idp": _ratio(c["idtp"], c["idtp"] + c["idfp"]), "idr": _ratio(c["idtp"], c["idtp"] + c["idfn"]),
        "recall": _ratio(det, c["num_objects"]), "precision": _ratio(det, c["false_positives"] + det),
        "num_unique_objects": c["unique_objects"], "mostly_tracked": c["mostly_tracked"],
        "partially_tracked": c["partially_tracked"], "mostly_lost": c["mostly_lost"],
        "num_false_positives": c["false_positives"], "num_misses": c["misses"], "num_switches": c["switches"],
        "num_fragmentations": c["fragmentations"],
        "mota": (1.0 - (c["misses"] + c["switches"] + c["false_positives"]) / c["num_objects"]
                 if c["num_objects"] else None),
        "motp": _ratio(c["distance_sum"], det), **_hota_metrics(h),
    }


class Scores(dict):
    """The gate's metrics of one sequence (or several combined) as a dict; ``clear`` and ``hota`` keep
    the counts that combining sequences needs."""

    def __init__(self, clear, hota):
        super().__init__(_metrics(clear, hota))
        self.clear, self.hota = clear, hota


def evaluate_rows(gt, hyp, benchmark="MOT17", mode=DEFAULT_MODE):
    """Scores of one sequence: gt and hyp are read_rows arrays; mode "trackeval" (the MOTChallenge
    evaluation, default) or "py-motmetrics"."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    (cg, ch), (hg, hh) = prepare(np.asarray(gt, np.float64).reshape(-1, 9),
                                 np.asarray(hyp, np.float64).reshape(-1, 9), benchmark)
    # TrackEval scores CLEAR and Identity on the same rows as HOTA
    clear = trackeval_clear_counts(hg, hh) if mode == "trackeval" else clear_counts(cg, ch)
    return Scores(clear, hota_counts(hg, hh))


def combine_scores(parts):
    """Several sequences as one, as py-motmetrics' and TrackEval's overall rows."""
    if not parts:
        raise ValueError("nothing to combine")
    mode = parts[0].clear["mode"]
    if any(p.clear["mode"] != mode for p in parts):
        raise ValueError("cannot combine scores of different modes")
    clear = {k: sum(p.clear[k] for p in parts) for k in parts[0].clear if k != "mode"}
    clear["mode"] = mode
    tp = sum(p.hota["tp"] for p in parts)
    hota = {"tp": tp, "fn": sum(p.hota["fn"] for p in parts), "fp": sum(p.hota["fp"] for p in parts),
            "assa": sum(p.hota["assa"] * p.hota["tp"] for p in parts) / np.maximum(1.0, tp),
            "loca": np.maximum(1e-10, sum(p.hota["loca"] * p.hota["tp"] for p in parts)) / np.maximum(1e-10, tp)}
    return Scores(clear, hota)


# ----------------------------------------------------------------------------------------------------
# The processing job's form: frame -> [n, 5] (id, x, y, w, h) dicts, MOTChallenge's upper-case names


def with_summary_names(scores):
    """The gate's metrics plus the summary names the processing job and model card have always shown."""
    c = scores.clear
    det = c["matches"] + c["switches"]
    out = Scores(c, scores.hota)
    motp = scores["motp"]
    out.update({"MOTA": scores["mota"] if scores["mota"] is not None else 0.0,
                "IDF1": scores["idf1"] if scores["idf1"] is not None else 0.0,
                "HOTA": scores["hota"],
                "MOTP": 1.0 - motp if motp is not None else 0.0,  # mean IoU of the matches
                "num_gt": c["num_objects"], "num_hyp": c["num_predictions"], "TP": det,
                "FP": c["false_positives"], "FN": c["misses"], "IDSW": c["switches"], "IDTP": c["idtp"],
                "gt_ids": c["unique_objects"]})
    out["precision"] = scores["precision"] if scores["precision"] is not None else 0.0
    out["recall"] = scores["recall"] if scores["recall"] is not None else 0.0
    return out


def evaluate(gt, hyp, benchmark="MOT15", mode=DEFAULT_MODE):
    """gt and hyp: frame -> [n,5] (id, x, y, w, h), ground truth already filtered to the boxes to score
    (hence MOT15 rules: nothing more is removed). The gate's metrics plus MOTA, IDF1, HOTA, MOTP (mean
    IoU of the matches), FP, FN, IDSW, TP, IDTP, num_gt, num_hyp."""
    return with_summary_names(evaluate_rows(rows_from_boxes(gt), rows_from_boxes(hyp), benchmark, mode))


def combine(per_seq):
    return with_summary_names(combine_scores(list(per_seq)))


def parse_mot(text):
    """MOTChallenge lines -> frame -> [n,5] (id, x, y, w, h)."""
    rows = read_rows(text)
    return {int(f): rows[rows[:, 0] == f][:, 1:6] for f in np.unique(rows[:, 0])}


def clean(scores):
    """JSON-safe: None for undefined or non-finite values."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in scores.items()}
