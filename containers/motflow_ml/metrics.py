"""CLEAR MOT (MOTA, MOTP) and identity (IDF1) metrics at IoU >= 0.5, for evaluation in processing
jobs and the training model card. Definitions as in the MOTChallenge papers:

- per frame, ground truth is matched to hypotheses by IoU >= 0.5; correspondences of the previous
  frame are kept when still valid, the rest are matched by Hungarian assignment on IoU;
- an identity switch is a ground-truth object matched to another hypothesis id than last time;
- MOTA = 1 - (FN + FP + IDSW) / GT;
- IDF1 = 2 IDTP / (GT + hypotheses), with identities matched one-to-one over the whole sequence to
  maximise the number of frames where both are present and overlap at IoU >= 0.5.
"""
import numpy as np

from .tracker import iou_matrix, linear_assignment


def _tlbr(tlwh):
    a = np.asarray(tlwh, np.float64).reshape(-1, 4).copy()
    a[:, 2:] += a[:, :2]
    return a


def evaluate(gt, hyp, iou_thresh=0.5):
    """gt and hyp: frame -> [n,5] arrays (id, x, y, w, h). Returns a dict of counts and metrics."""
    frames = sorted(set(gt) | set(hyp))
    num_gt = sum(len(gt.get(f, ())) for f in frames)
    num_hyp = sum(len(hyp.get(f, ())) for f in frames)
    tp = fp = fn = idsw = 0
    iou_sum = 0.0
    last_match = {}  # gt id -> hyp id of its latest match
    pair_counts = {}  # (gt id, hyp id) -> frames overlapping (for IDF1)
    gt_ids, hyp_ids = set(), set()
    for f in frames:
        g = np.asarray(gt.get(f, np.zeros((0, 5))), np.float64).reshape(-1, 5)
        h = np.asarray(hyp.get(f, np.zeros((0, 5))), np.float64).reshape(-1, 5)
        gid, hid = g[:, 0].astype(int), h[:, 0].astype(int)
        gt_ids.update(gid.tolist())
        hyp_ids.update(hid.tolist())
        iou = iou_matrix(_tlbr(g[:, 1:]), _tlbr(h[:, 1:]))
        for i, j in zip(*np.nonzero(iou >= iou_thresh)):
            key = (gid[i], hid[j])
            pair_counts[key] = pair_counts.get(key, 0) + 1
        # CLEAR MOT: keep last frame's correspondences where still valid
        matched_g, matched_h, pairs = set(), set(), []
        h_index = {v: j for j, v in enumerate(hid)}
        for i, g_id in enumerate(gid):
            j = h_index.get(last_match.get(g_id, None))
            if j is not None and j not in matched_h and iou[i, j] >= iou_thresh:
                matched_g.add(i)
                matched_h.add(j)
                pairs.append((i, j))
        rest_g = [i for i in range(len(gid)) if i not in matched_g]
        rest_h = [j for j in range(len(hid)) if j not in matched_h]
        if rest_g and rest_h:
            cost = 1.0 - iou[np.ix_(rest_g, rest_h)]
            m, _, _ = linear_assignment(cost, 1.0 - iou_thresh + 1e-9)
            for a, b in m:
                pairs.append((rest_g[a], rest_h[b]))
        for i, j in pairs:
            g_id, h_id = gid[i], hid[j]
            if g_id in last_match and last_match[g_id] != h_id:
                idsw += 1
            last_match[g_id] = h_id
            iou_sum += iou[i, j]
        tp += len(pairs)
        fp += len(hid) - len(pairs)
        fn += len(gid) - len(pairs)
    # IDF1: one-to-one identity matching maximising overlapping frames
    g_list, h_list = sorted(gt_ids), sorted(hyp_ids)
    idtp = 0
    if g_list and h_list:
        gi = {v: i for i, v in enumerate(g_list)}
        hi = {v: j for j, v in enumerate(h_list)}
        gain = np.zeros((len(g_list), len(h_list)))
        for (a, b), c in pair_counts.items():
            gain[gi[a], hi[b]] = c
        big = gain.max() + 1
        m, _, _ = linear_assignment(big - gain, big - 0.5)
        idtp = int(sum(gain[a, b] for a, b in m))
    mota = 1.0 - (fn + fp + idsw) / num_gt if num_gt else 0.0
    idf1 = 2.0 * idtp / (num_gt + num_hyp) if (num_gt + num_hyp) else 0.0
    return {"MOTA": mota, "IDF1": idf1, "MOTP": (iou_sum / tp) if tp else 0.0, "num_gt": num_gt,
            "num_hyp": num_hyp, "TP": tp, "FP": fp, "FN": fn, "IDSW": idsw, "IDTP": idtp,
            "gt_ids": len(g_list), "hyp_ids": len(h_list),
            "precision": tp / num_hyp if num_hyp else 0.0, "recall": tp / num_gt if num_gt else 0.0}


def parse_mot(text):
    """MOTChallenge lines -> frame -> [n,5] (id, x, y, w, h)."""
    out = {}
    for line in text.splitlines():
        p = line.strip().split(",")
        if len(p) < 6:
            continue
        out.setdefault(int(float(p[0])), []).append([float(v) for v in p[1:6]])
    return {f: np.array(v) for f, v in out.items()}


def combine(per_seq):
    """Sums the counts of several sequences and recomputes the ratios (as MOTChallenge's 'overall')."""
    keys = ("num_gt", "num_hyp", "TP", "FP", "FN", "IDSW", "IDTP")
    tot = {k: sum(m[k] for m in per_seq) for k in keys}
    n = tot["num_gt"]
    tot["MOTA"] = 1.0 - (tot["FN"] + tot["FP"] + tot["IDSW"]) / n if n else 0.0
    tot["IDF1"] = 2.0 * tot["IDTP"] / (n + tot["num_hyp"]) if (n + tot["num_hyp"]) else 0.0
    return tot
