"""motflow's appearance-free tracking next to the open-source trackers, on the same detections.

Input: a folder written by ``tools/tracking-eval/run.sh --write-sets DIR`` (``./motflow bench-trackers``
makes it): ``DIR/sets.tsv``, per set a MOTChallenge folder (``det/det.txt`` with scores, ``gt/gt.txt``,
``seqinfo.ini``), motflow's result per variant (``DIR/<set>/<variant>.txt``) and motflow's update time
(``DIR/timings.tsv``: wall and thread CPU nanoseconds of a warm, second pass).

Runs SORT, ByteTrack, OC-SORT, BoT-SORT (no ReID, no camera motion compensation) and C-BIoU from the
pip ``trackers`` library on every set, each with its defaults ("<peer>") and with motflow's thresholds
where its constructor has the same knob ("<peer>@motflow"), timing each ``update`` call (CPU time). Every result,
motflow's included, is scored by TrackEval's Python package (HOTA, CLEAR, Identity) with its
``MotChallenge2DBox`` rules for the set's benchmark (MOT17/MOT20: non-target ground truth dropped and
predictions matching distractors removed; MOT15: every row counts).

    benchmarks/trackers/.venv/bin/python benchmarks/trackers/bench_trackers.py DIR [--sets a,b]
        [--peers sort,bytetrack,ocsort,botsort,cbiou] [--no-peers] [--json FILE]
"""
import argparse
import configparser
import json
import math
import os
import sys
import tempfile
import time
import warnings

import numpy as np

# The metrics only need TrackEval; the peers need the `trackers` library (imported when used).
import trackeval

PEERS = ("sort", "bytetrack", "ocsort", "botsort", "cbiou")
MOTFLOW_DEFAULT = "motflow-default"

# motflow's ByteTrack thresholds (TrackerConfig.byteTrack()): high/low split 0.5, new tracks at >= 0.6,
# first-stage IoU >= 0.2 (distance 0.8), low-score stage IoU >= 0.5, unconfirmed stage IoU >= 0.3,
# lost tracks kept 30 frames at 30 fps, a track confirmed by its second match.
MOTFLOW_KNOBS = {
    "lost_track_buffer": 30,
    "high_conf_det_threshold": 0.5,
    "track_activation_threshold": 0.6,
    "minimum_iou_threshold": 0.2,
    "minimum_iou_threshold_first_assoc": 0.2,
    "minimum_iou_threshold_second_assoc": 0.5,
    "minimum_iou_threshold_unconfirmed_assoc": 0.3,
    "minimum_consecutive_frames": 2,
}


def peer_class(peer):
    import trackers
    return {"sort": trackers.SORTTracker, "bytetrack": trackers.ByteTrackTracker,
            "ocsort": trackers.OCSORTTracker, "botsort": trackers.BoTSORTTracker,
            "cbiou": trackers.CBIoUTracker}[peer]


def peer_kwargs(peer, frame_rate, motflow_thresholds):
    """Constructor arguments: the frame rate always (a property of the video), motflow's thresholds
    only for the knobs this peer's constructor has."""
    import inspect
    params = inspect.signature(peer_class(peer).__init__).parameters
    kwargs = {"frame_rate": frame_rate}
    if peer == "botsort":
        kwargs["enable_cmc"] = False  # no frames here: boxes and scores only
    if motflow_thresholds:
        kwargs.update({k: v for k, v in MOTFLOW_KNOBS.items() if k in params})
    return kwargs


def read_sets(sets_dir):
    """sets.tsv as a list of dicts: set, benchmark, frame_rate, frames, variants."""
    rows = []
    with open(os.path.join(sets_dir, "sets.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                row = dict(zip(header, line.rstrip("\n").split("\t")))
                row["frame_rate"] = float(row["frame_rate"])
                row["frames"] = int(row["frames"])
                row["variants"] = [v for v in row["variants"].split(",") if v]
                rows.append(row)
    return rows


def read_timings(sets_dir):
    """{(variant, set): (frames, seconds)} from motflow's timings.tsv (absent: empty).

    The seconds are the thread CPU time of ``Tracker.update`` (column cpu_nanos, measured on a second,
    warm pass over the set) where the file has it, else the wall time (nanos)."""
    out = {}
    path = os.path.join(sets_dir, "timings.tsv")
    if os.path.exists(path):
        with open(path) as f:
            f.readline()
            for line in f:
                if line.strip():
                    variant, name, frames, nanos, *cpu = line.rstrip("\n").split("\t")
                    used = int(cpu[0]) if cpu and int(cpu[0]) >= 0 else int(nanos)
                    out[(variant, name)] = (int(frames), used / 1e9)
    return out


def load_detections(path, frames):
    """Per frame (1..frames) an (N, 5) array x1, y1, x2, y2, score."""
    rows = np.loadtxt(path, delimiter=",", ndmin=2) if os.path.getsize(path) > 0 else np.zeros((0, 7))
    per_frame = [np.zeros((0, 5)) for _ in range(frames + 1)]
    for f in np.unique(rows[:, 0]).astype(int):
        if 1 <= f <= frames:
            r = rows[rows[:, 0] == f]
            per_frame[f] = np.column_stack([r[:, 2], r[:, 3], r[:, 2] + r[:, 4], r[:, 3] + r[:, 5], r[:, 6]])
    return per_frame


def run_peer(peer, kwargs, per_frame, out_path):
    """Runs one peer over every frame, writes its MOT result file; returns (frames, CPU seconds in update).

    CPU time (``time.process_time``, all of this process's threads) rather than wall time, so that other
    processes on the same cores count less; one pass, as CPython has no JIT to warm up."""
    import supervision as sv
    tracker = peer_class(peer)(**kwargs)
    # Built before timing: the detections object is the input format, not the tracker's work.
    inputs = [sv.Detections(xyxy=d[:, :4].astype(np.float32), confidence=d[:, 4].astype(np.float32),
                            class_id=np.zeros(len(d), dtype=int)) if len(d) else sv.Detections.empty()
              for d in per_frame[1:]]
    seconds = 0.0
    lines = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for frame, dets in enumerate(inputs, start=1):
            t0 = time.process_time()
            res = tracker.update(dets)
            seconds += time.process_time() - t0
            for (x1, y1, x2, y2), tid in zip(res.xyxy, res.tracker_id):
                if tid >= 0:  # -1: a detection without a (confirmed) track
                    lines.append(f"{frame},{int(tid) + 1},{x1:.2f},{y1:.2f},{x2 - x1:.2f},{y2 - y1:.2f},1,-1,-1,-1\n")
    with open(out_path, "w") as f:
        f.writelines(lines)
    return len(inputs), seconds


def score(entries, workdir):
    """TrackEval's HOTA, CLEAR and Identity for every (set, tracker).

    entries: list of dicts with set, benchmark, seq_dir (a MOTChallenge folder with gt/gt.txt and
    seqinfo.ini), results {tracker: path}. Returns {(set, tracker): metrics dict}.
    """
    out = {}
    by_benchmark = {}
    for e in entries:
        by_benchmark.setdefault(e["benchmark"], []).append(e)
    clear = trackeval.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False})
    ident = trackeval.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})
    hota = trackeval.metrics.HOTA()
    for benchmark, group in by_benchmark.items():
        root = os.path.join(workdir, benchmark)
        gt_root = os.path.join(root, "gt")
        trk_root = os.path.join(root, "trackers")
        seq_info = {}
        names = set()
        for e in group:
            os.makedirs(gt_root, exist_ok=True)
            os.symlink(os.path.abspath(e["seq_dir"]), os.path.join(gt_root, e["set"]))
            seq_info[e["set"]] = _seq_length(e["seq_dir"])
            for name, path in e["results"].items():
                os.makedirs(os.path.join(trk_root, name, "data"), exist_ok=True)
                os.symlink(os.path.abspath(path), os.path.join(trk_root, name, "data", e["set"] + ".txt"))
                names.add(name)
        dataset = trackeval.datasets.MotChallenge2DBox({
            "GT_FOLDER": gt_root, "TRACKERS_FOLDER": trk_root, "TRACKERS_TO_EVAL": sorted(names),
            "BENCHMARK": benchmark, "SKIP_SPLIT_FOL": True, "SEQ_INFO": seq_info,
            "GT_LOC_FORMAT": "{gt_folder}/{seq}/gt/gt.txt", "PRINT_CONFIG": False,
        })
        for e in group:
            for name in e["results"]:
                data = dataset.get_preprocessed_seq_data(dataset.get_raw_seq_data(name, e["set"]), "pedestrian")
                c, i, h = clear.eval_sequence(data), ident.eval_sequence(data), hota.eval_sequence(data)
                out[(e["set"], name)] = {
                    "hota": float(np.mean(h["HOTA"])), "mota": float(c["MOTA"]), "idf1": float(i["IDF1"]),
                    "idsw": int(c["IDSW"]), "fp": int(c["CLR_FP"]), "fn": int(c["CLR_FN"]),
                }
    return out


def _seq_length(seq_dir):
    ini = configparser.ConfigParser()
    ini.optionxform = str
    ini.read(os.path.join(seq_dir, "seqinfo.ini"))
    return int(ini["Sequence"]["seqLength"])


def summarise(sets, trackers, metrics, fps):
    """Prints the per-set tables, the mean and worst set per tracker, the best peer per set and the
    goals of issue 12 for motflow's default; returns the summary as a dict."""
    peers = [t for t in trackers if not t.startswith("motflow-")]
    summary = {"sets": {}, "trackers": {}}
    for s in sets:
        name = s["set"]
        print(f"\n{name} ({s['benchmark']} rules, {s['frames']} frames at {s['frame_rate']:g} fps)")
        print(f"  {'tracker':<28} {'HOTA':>6} {'MOTA':>7} {'IDF1':>6} {'IDSW':>5} {'FP':>6} {'FN':>6} {'FPS':>9}")
        for t in trackers:
            m = metrics.get((name, t))
            if m is None:
                continue
            print(f"  {t:<28} {100 * m['hota']:6.2f} {100 * m['mota']:7.2f} {100 * m['idf1']:6.2f} {m['idsw']:5d} "
                  f"{m['fp']:6d} {m['fn']:6d} {_fps(fps.get((t, name))):>9}")
        best = max((p for p in peers if (name, p) in metrics), key=lambda p: metrics[(name, p)]["hota"], default=None)
        summary["sets"][name] = {"best_peer": best}
        if best:
            print(f"  best peer: {best}")
    print("\nover all sets: mean and worst set (HOTA / MOTA / IDF1), frames per second over all frames")
    print(f"  {'tracker':<28} {'mean HOTA':>9} {'mean MOTA':>9} {'mean IDF1':>9} {'worst HOTA':>10} {'worst MOTA':>10} "
          f"{'worst IDF1':>10} {'FPS':>9}")
    for t in trackers:
        rows = [metrics[(s["set"], t)] for s in sets if (s["set"], t) in metrics]
        if len(rows) != len(sets):
            continue
        agg = {k: (float(np.mean([r[k] for r in rows])), float(min(r[k] for r in rows))) for k in ("hota", "mota", "idf1")}
        timed = [fps[(t, s["set"])] for s in sets if (t, s["set"]) in fps]
        total = (sum(f for f, _ in timed), sum(sec for _, sec in timed)) if len(timed) == len(sets) else None
        summary["trackers"][t] = {"mean": {k: v[0] for k, v in agg.items()}, "worst": {k: v[1] for k, v in agg.items()},
                                  "fps": total[0] / total[1] if total and total[1] > 0 else None}
        print(f"  {t:<28} {100 * agg['hota'][0]:9.2f} {100 * agg['mota'][0]:9.2f} {100 * agg['idf1'][0]:9.2f} "
              f"{100 * agg['hota'][1]:10.2f} {100 * agg['mota'][1]:10.2f} {100 * agg['idf1'][1]:10.2f} "
              f"{_fps(total):>9}")
    if MOTFLOW_DEFAULT in trackers and peers:
        summary["goals"] = goals(sets, peers, metrics, summary)
    return summary


def goals(sets, peers, metrics, summary):
    """Issue 12's goals for motflow's default against the best peer configuration."""
    print(f"\ngoals for {MOTFLOW_DEFAULT} (issue 12): HOTA >= the best peer on every set, MOTA >= the best "
          "peer's on every set, mean HOTA >= the best peer configuration's mean + 1")
    failed = []
    for s in sets:
        name = s["set"]
        m = metrics[(name, MOTFLOW_DEFAULT)]
        best_hota = max(metrics[(name, p)]["hota"] for p in peers if (name, p) in metrics)
        best_mota = max(metrics[(name, p)]["mota"] for p in peers if (name, p) in metrics)
        dh, dm = 100 * (m["hota"] - best_hota), 100 * (m["mota"] - best_mota)
        ok = dh >= 0 and dm >= 0
        if not ok:
            failed.append(name)
        print(f"  {name:<18} HOTA {dh:+6.2f}  MOTA {dm:+6.2f}  {'ok' if ok else 'BEHIND'}")
    best_mean = max((summary["trackers"][p]["mean"]["hota"], p) for p in peers if p in summary["trackers"])
    own = summary["trackers"][MOTFLOW_DEFAULT]["mean"]["hota"]
    margin = 100 * (own - best_mean[0])
    print(f"  mean HOTA {100 * own:.2f} vs best peer configuration {best_mean[1]} {100 * best_mean[0]:.2f}: "
          f"{margin:+.2f} ({'ok' if margin >= 1 else 'short of +1'})")
    return {"sets_behind": failed, "mean_margin": margin}


def _fps(frames_seconds):
    if not frames_seconds:
        return "-"
    frames, seconds = frames_seconds
    return f"{frames / seconds:,.0f}" if seconds > 0 else "-"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets_dir", help="the folder written by TrackingEval --write-sets")
    ap.add_argument("--sets", help="only these sets (comma-separated)")
    ap.add_argument("--peers", default=",".join(PEERS), help="peers to run (default: all)")
    ap.add_argument("--no-peers", action="store_true", help="score motflow's variants only")
    ap.add_argument("--json", help="also write the scores and the summary to this file")
    args = ap.parse_args(argv)

    sets = read_sets(args.sets_dir)
    if args.sets:
        wanted = args.sets.split(",")
        unknown = [w for w in wanted if w not in {s["set"] for s in sets}]
        if unknown:
            ap.error(f"unknown sets {unknown}; known: {[s['set'] for s in sets]}")
        sets = [s for s in sets if s["set"] in wanted]
    peers = [] if args.no_peers else [p for p in args.peers.split(",") if p]
    for p in peers:
        if p not in PEERS:
            ap.error(f"unknown peer {p}; known: {list(PEERS)}")

    fps = {}
    for (variant, name), v in read_timings(args.sets_dir).items():
        fps[("motflow-" + variant, name)] = v
    trackers = []
    with tempfile.TemporaryDirectory(prefix="bench-trackers-") as workdir:
        entries = []
        for s in sets:
            seq_dir = os.path.join(args.sets_dir, s["set"])
            results = {"motflow-" + v: os.path.join(seq_dir, v + ".txt") for v in s["variants"]}
            if peers:
                per_frame = load_detections(os.path.join(seq_dir, "det", "det.txt"), s["frames"])
                os.makedirs(os.path.join(workdir, "results", s["set"]), exist_ok=True)
                for p in peers:
                    defaults = peer_kwargs(p, s["frame_rate"], False)
                    for label, kwargs in ((p, defaults), (p + "@motflow", peer_kwargs(p, s["frame_rate"], True))):
                        path = os.path.join(workdir, "results", s["set"], label + ".txt")
                        fps[(label, s["set"])] = run_peer(p, kwargs, per_frame, path)
                        results[label] = path
                print(f"ran the peers on {s['set']}", file=sys.stderr)
            for t in results:
                if t not in trackers:
                    trackers.append(t)
            entries.append({"set": s["set"], "benchmark": s["benchmark"], "seq_dir": seq_dir, "results": results})
        metrics = score(entries, os.path.join(workdir, "eval"))
    summary = summarise(sets, trackers, metrics, fps)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"metrics": {f"{k[0]}/{k[1]}": v for k, v in metrics.items()}, "summary": summary}, f, indent=1,
                      default=lambda o: None if isinstance(o, float) and math.isnan(o) else o)
    return 0


if __name__ == "__main__":
    sys.exit(main())
