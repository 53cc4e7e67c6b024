"""Metrics computed by the reference tools themselves, for comparison with motflow's Java code.

HOTA comes from TrackEval 1.3.0. CLEAR MOT and Identity come from TrackEval's CLEAR and Identity
(mode "trackeval", motflow's default: the MOTChallenge evaluation) or from py-motmetrics 1.4.0
(mode "py-motmetrics", motflow's --compat py-motmetrics). TrackEval scores every metric on its
preprocessed data; its MOTP (mean IoU) is reported as motflow's motp, the mean distance 1 - MOTP.
py-motmetrics is driven as follows:
- MOT15: py-motmetrics exactly as its own MOTChallenge test does (``io.loadtxt`` of both files,
  ``utils.compare_to_groundtruth`` with IoU distance 0.5); TrackEval with BENCHMARK=MOT15.
- MOT16/17/20: TrackEval's ``MotChallenge2DBox`` reads and preprocesses the files (distractor
  removal, non-target ground truth dropped); its HOTA runs on that data, and the same preprocessed
  frames are fed to py-motmetrics' ``MOTAccumulator`` (boxes shifted by -1 as ``io.loadtxt`` does).
"""
import os
import tempfile

import numpy as np

# py-motmetrics 1.4.0 calls np.asfarray, which numpy 2 removed; TrackEval 1.3.0 needs numpy >= 2.
# Restore the old function (same meaning: a float array, float64 unless already floating).
if not hasattr(np, "asfarray"):
    def _asfarray(a, dtype=np.float64):
        arr = np.asarray(a)
        return arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(dtype)
    np.asfarray = _asfarray

import motmetrics as mm  # noqa: E402
import trackeval  # noqa: E402

MM_KEYS = ["idf1", "idp", "idr", "recall", "precision", "num_unique_objects", "mostly_tracked",
           "partially_tracked", "mostly_lost", "num_false_positives", "num_misses", "num_switches",
           "num_fragmentations", "mota", "motp"]
INT_KEYS = {"num_unique_objects", "mostly_tracked", "partially_tracked", "mostly_lost",
            "num_false_positives", "num_misses", "num_switches", "num_fragmentations"}


def _max_frame(path):
    with open(path) as f:
        frames = [int(float(line.replace(",", " ").split()[0])) for line in f if line.strip()]
    return max(frames) if frames else 1


def _trackeval_sequences(pairs, benchmark, workdir):
    """Preprocessed TrackEval data per sequence: {name: data}."""
    gt_root = os.path.join(workdir, "gt")
    trk_root = os.path.join(workdir, "trackers")
    seq_info = {}
    for gt, result, name in pairs:
        os.makedirs(os.path.join(gt_root, name), exist_ok=True)
        os.makedirs(os.path.join(trk_root, "T", "data"), exist_ok=True)
        os.symlink(os.path.abspath(gt), os.path.join(gt_root, name, "gt.txt"))
        os.symlink(os.path.abspath(result), os.path.join(trk_root, "T", "data", name + ".txt"))
        seq_info[name] = max(_max_frame(gt), _max_frame(result))
    dataset = trackeval.datasets.MotChallenge2DBox({
        "GT_FOLDER": gt_root, "TRACKERS_FOLDER": trk_root, "TRACKERS_TO_EVAL": ["T"],
        "BENCHMARK": benchmark, "SKIP_SPLIT_FOL": True, "SEQ_INFO": seq_info,
        "GT_LOC_FORMAT": "{gt_folder}/{seq}/gt.txt", "PRINT_CONFIG": False,
    })
    out = {}
    for _, _, name in pairs:
        raw = dataset.get_raw_seq_data("T", name)
        out[name] = dataset.get_preprocessed_seq_data(raw, "pedestrian")
    return out


def _accumulator_from_trackeval(data):
    acc = mm.MOTAccumulator()
    shift = np.array([1.0, 1.0, 0.0, 0.0])  # io.loadtxt's Matlab-convention shift of X, Y
    for t in range(data["num_timesteps"]):
        gt_ids, trk_ids = data["gt_ids"][t], data["tracker_ids"][t]
        if len(gt_ids) == 0 and len(trk_ids) == 0:
            continue  # compare_to_groundtruth only visits frames present in either file
        dists = np.empty((0, 0))
        if len(gt_ids) > 0 and len(trk_ids) > 0:
            dists = mm.distances.iou_matrix(data["gt_dets"][t] - shift, data["tracker_dets"][t] - shift,
                                            max_iou=0.5)
        acc.update(gt_ids, trk_ids, dists, frameid=t + 1)
    return acc


def _hota_summary(res):
    return {"hota": float(np.mean(res["HOTA"])), "deta": float(np.mean(res["DetA"])),
            "assa": float(np.mean(res["AssA"])), "loca": float(np.mean(res["LocA"]))}


def _clean(value, key):
    if key in INT_KEYS:
        return int(value)
    v = float(value)
    return None if not np.isfinite(v) else v


MODES = ("trackeval", "py-motmetrics")


def _trackeval_clear_summary(clear, ident):
    return {"idf1": float(ident["IDF1"]), "idp": float(ident["IDP"]), "idr": float(ident["IDR"]),
            "recall": float(clear["CLR_Re"]), "precision": float(clear["CLR_Pr"]),
            "num_unique_objects": int(clear["MT"] + clear["PT"] + clear["ML"]),
            "mostly_tracked": int(clear["MT"]), "partially_tracked": int(clear["PT"]),
            "mostly_lost": int(clear["ML"]), "num_false_positives": int(clear["CLR_FP"]),
            "num_misses": int(clear["CLR_FN"]), "num_switches": int(clear["IDSW"]),
            "num_fragmentations": int(clear["Frag"]), "mota": float(clear["MOTA"]),
            "motp": 1.0 - float(clear["MOTP"])}


def _evaluate_trackeval(names, te_data):
    clear = trackeval.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False})
    ident = trackeval.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})
    hota = trackeval.metrics.HOTA()
    res = {name: (clear.eval_sequence(te_data[name]), ident.eval_sequence(te_data[name]),
                  hota.eval_sequence(te_data[name])) for name in names}
    out = {}
    for name in names:
        c, i, h = res[name]
        out[name] = dict(_trackeval_clear_summary(c, i), **_hota_summary(h))
    c = clear.combine_sequences({n: r[0] for n, r in res.items()})
    i = ident.combine_sequences({n: r[1] for n, r in res.items()})
    h = hota.combine_sequences({n: r[2] for n, r in res.items()})
    out["overall"] = dict(_trackeval_clear_summary(c, i), **_hota_summary(h))
    return out


def evaluate(pairs, benchmark="MOT15", mode="py-motmetrics"):
    """pairs: [(gt_path, result_path, name)]; mode: "trackeval" or "py-motmetrics" (CLEAR MOT and
    Identity definitions). Returns {name: metrics, ..., "overall": metrics}."""
    if mode not in MODES:
        raise ValueError(mode)
    names = [name for _, _, name in pairs]
    with tempfile.TemporaryDirectory() as workdir:
        te_data = _trackeval_sequences(pairs, benchmark, workdir)
    if mode == "trackeval":
        return _evaluate_trackeval(names, te_data)
    if benchmark == "MOT15":
        accs = []
        for gt, result, _ in pairs:
            gt_df = mm.io.loadtxt(gt, fmt="mot15-2D")
            res_df = mm.io.loadtxt(result, fmt="mot15-2D")
            accs.append(mm.utils.compare_to_groundtruth(gt_df, res_df, "iou", distth=0.5))
    else:
        accs = [_accumulator_from_trackeval(te_data[name]) for name in names]
    summary = mm.metrics.create().compute_many(accs, metrics=MM_KEYS, names=names, generate_overall=True)

    hota = trackeval.metrics.HOTA()
    hota_res = {name: hota.eval_sequence(te_data[name]) for name in names}
    combined = hota.combine_sequences(hota_res)

    out = {}
    for row_name, key in [(n, n) for n in names] + [("OVERALL", "overall")]:
        row = summary.loc[row_name]
        metrics = {k: _clean(row[k], k) for k in MM_KEYS}
        metrics.update(_hota_summary(combined if key == "overall" else hota_res[key]))
        out[key] = metrics
    return out
