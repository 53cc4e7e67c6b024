"""Random but reproducible tracking scenes: ground truth and a flawed tracker's output.

The tracker output has the usual failure modes: missed boxes, localisation noise (some matches fall
below IoU 0.5), false positives, identity swaps between two tracks, and fragments (a track resumes
under a new id after a gap). With ``ties=True`` every coordinate is snapped to a 4-pixel grid and
some result boxes are repeated under another id, so that many assignments tie exactly: then only a
solver that breaks ties as scipy's does gives the reference tools' numbers.
"""
import random

DISTRACTORS = [2, 7, 8, 12]
OTHER_CLASSES = [3, 4, 5, 9, 10, 11, 13]


def _fmt(v):
    return repr(round(v, 4))


def _grid(v):
    return str(int(round(v / 4.0)) * 4)


def make_scene(rng, benchmark="MOT15", ties=False):
    """Returns (gt_lines, result_lines) as lists of MOTChallenge text lines."""
    fmt = _grid if ties else _fmt
    n_frames = rng.randint(15, 60)
    n_tracks = rng.randint(2, 12)
    width, height = 1280.0, 720.0
    tracks = []
    for tid in range(1, n_tracks + 1):
        start = rng.randint(1, n_frames)
        end = rng.randint(start, n_frames)
        w = rng.uniform(25, 120)
        h = w * rng.uniform(1.5, 3.0)
        x, y = rng.uniform(0, width - w), rng.uniform(0, height - h)
        vx, vy = rng.uniform(-6, 6), rng.uniform(-3, 3)
        cls, conf = 1, 1
        if benchmark != "MOT15":
            r = rng.random()
            if r < 0.15:
                cls = rng.choice(DISTRACTORS + ([6] if benchmark == "MOT20" else []))
            elif r < 0.25:
                cls = rng.choice(OTHER_CLASSES)
            if rng.random() < 0.1:
                conf = 0
        boxes = {}
        for f in range(start, end + 1):
            t = f - start
            boxes[f] = (x + vx * t + rng.gauss(0, 1), y + vy * t + rng.gauss(0, 0.5), w, h)
        tracks.append((tid, cls, conf, boxes))

    gt_lines = []
    for tid, cls, conf, boxes in tracks:
        for f, (bx, by, bw, bh) in boxes.items():
            if benchmark == "MOT15":
                gt_lines.append("%d,%d,%s,%s,%s,%s,1,-1,-1,-1" % (f, tid, fmt(bx), fmt(by), fmt(bw), fmt(bh)))
            else:
                vis = round(rng.uniform(0, 1), 3)
                gt_lines.append("%d,%d,%s,%s,%s,%s,%d,%d,%s" % (f, tid, fmt(bx), fmt(by), fmt(bw), fmt(bh),
                                                               conf, cls, vis))
    rng.shuffle(gt_lines)  # file order must not matter beyond the tools' own tie rules

    # Tracker: per track an id that may change (fragment) or be exchanged with another (swap).
    next_id = 100
    track_ids = {}
    for tid, _, _, _ in tracks:
        track_ids[tid] = next_id
        next_id += 1
    p_miss = rng.uniform(0.0, 0.3)
    noise = rng.uniform(0.02, 0.25)
    swaps = {rng.randint(1, n_frames): rng.sample([t[0] for t in tracks], 2)
             for _ in range(rng.randint(0, 3)) if len(tracks) >= 2}
    res = {}
    for f in range(1, n_frames + 1):
        if f in swaps:
            a, b = swaps[f]
            track_ids[a], track_ids[b] = track_ids[b], track_ids[a]
        rows = []
        for tid, _, _, boxes in tracks:
            if f not in boxes:
                continue
            if rng.random() < p_miss:
                if rng.random() < 0.3:  # lost: resumes under a new id
                    track_ids[tid] = next_id
                    next_id += 1
                continue
            bx, by, bw, bh = boxes[f]
            rows.append((track_ids[tid], bx + rng.gauss(0, noise * bw), by + rng.gauss(0, noise * bh),
                         bw * rng.uniform(0.85, 1.15), bh * rng.uniform(0.85, 1.15)))
        for _ in range(rng.randint(0, 2)):
            if rng.random() < 0.5:
                w = rng.uniform(25, 120)
                rows.append((next_id + 1000 + rng.randint(0, 50), rng.uniform(0, width - w),
                             rng.uniform(0, height - 2 * w), w, 2 * w))
        if ties:
            for k in range(len(rows)):
                if rng.random() < 0.15:  # the same box twice under different ids
                    rows.append((next_id + 2000 + k,) + rows[k][1:])
        used = set()
        for hid, bx, by, bw, bh in rows:
            if hid in used:
                continue
            used.add(hid)
            res.setdefault(f, []).append("%d,%d,%s,%s,%s,%s,%s,-1,-1,-1" % (
                f, hid, fmt(bx), fmt(by), fmt(bw), fmt(bh), _fmt(rng.uniform(0.3, 1))))
    result_lines = [line for f in sorted(res) for line in res[f]]
    return gt_lines, result_lines


def with_file_oddities(rng, gt_lines, result_lines, benchmark):
    """The same scene written the way real files vary: MOT15 ground truth with some conf-0 rows
    (py-motmetrics scores them, TrackEval's HOTA drops them), result rows with conf < -1 (dropped by
    py-motmetrics' loader only), ids written as floats, result rows out of frame order."""
    if benchmark == "MOT15":
        gt_lines = [l.replace(",1,-1,-1,-1", ",0,-1,-1,-1") if rng.random() < 0.1 else l for l in gt_lines]
    out = []
    for line in result_lines:
        f = line.split(",")
        if rng.random() < 0.1:
            f[6] = "-3"
        if rng.random() < 0.3:
            f[1] += ".0"
        out.append(",".join(f))
    rng.shuffle(out)
    return gt_lines, out
