"""The scoring glue of bench_trackers.py on a tiny generated set (run with the benchmark's venv:
benchmarks/trackers/.venv/bin/python -m pytest -q benchmarks/trackers). The peer run is checked only when
the `trackers` package is installed."""
import importlib.util
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
pytest.importorskip("trackeval")
import bench_trackers  # noqa: E402

FRAMES = 20


def person(pid, frame):
    """Two people walking towards each other on parallel lanes (never overlapping)."""
    x = 100 + 5 * frame if pid == 1 else 400 - 5 * frame
    y = 100 if pid == 1 else 300
    return x, y, 50, 120


def write_set(root, name, benchmark, result_rows):
    seq = root / name
    (seq / "gt").mkdir(parents=True)
    (seq / "det").mkdir()
    gt, det = [], []
    for f in range(1, FRAMES + 1):
        for pid in (1, 2):
            x, y, w, h = person(pid, f)
            # MOT17 ground truth: conf 1 (a target), class 1 (pedestrian), visibility 1.
            gt.append(f"{f},{pid},{x},{y},{w},{h},1,1,1\n")
            det.append(f"{f},-1,{x},{y},{w},{h},0.9,-1,-1,-1\n")
    (seq / "gt" / "gt.txt").write_text("".join(gt))
    (seq / "det" / "det.txt").write_text("".join(det))
    (seq / "seqinfo.ini").write_text(f"[Sequence]\nname={name}\nframeRate=30\nseqLength={FRAMES}\nimWidth=640\nimHeight=480\n")
    for variant, rows in result_rows.items():
        (seq / f"{variant}.txt").write_text("".join(rows))
    with open(root / "sets.tsv", "a") as f:
        if f.tell() == 0:
            f.write("set\tbenchmark\tframe_rate\tframes\tvariants\n")
        f.write(f"{name}\t{benchmark}\t30.0\t{FRAMES}\t{','.join(result_rows)}\n")


def perfect():
    return [f"{f},{pid},{','.join(map(str, person(pid, f)))},1,-1,-1,-1\n" for f in range(1, FRAMES + 1) for pid in (1, 2)]


def one_switch():
    """Person 2 gets a new id from frame 11 on: one id switch, no detection error."""
    return [f"{f},{3 if pid == 2 and f > 10 else pid},{','.join(map(str, person(pid, f)))},1,-1,-1,-1\n"
            for f in range(1, FRAMES + 1) for pid in (1, 2)]


@pytest.mark.parametrize("benchmark", ["MOT15", "MOT17"])
def test_perfect_result_scores_one_and_an_id_switch_counts_once(tmp_path, benchmark):
    write_set(tmp_path, "tiny", benchmark, {"perfect": perfect(), "switch": one_switch()})
    entries = [{"set": "tiny", "benchmark": benchmark, "seq_dir": str(tmp_path / "tiny"),
                "results": {"perfect": str(tmp_path / "tiny" / "perfect.txt"),
                            "switch": str(tmp_path / "tiny" / "switch.txt")}}]
    m = bench_trackers.score(entries, str(tmp_path / "eval"))
    assert m[("tiny", "perfect")]["hota"] == pytest.approx(1.0)
    assert m[("tiny", "perfect")]["mota"] == pytest.approx(1.0)
    assert m[("tiny", "perfect")]["idsw"] == 0
    s = m[("tiny", "switch")]
    assert s["idsw"] == 1
    assert (s["fp"], s["fn"]) == (0, 0)
    assert s["mota"] == pytest.approx(1 - 1 / (2 * FRAMES))
    assert s["hota"] < 1.0
    assert s["idf1"] == pytest.approx((2 * FRAMES - 10) / (2 * FRAMES))


def test_distractor_matches_are_removed_under_mot17_rules(tmp_path):
    """A prediction on a class-7 (static person) box is dropped before scoring in MOT17, counted as a
    false positive in MOT15 (TrackEval's MotChallenge2DBox)."""
    for benchmark in ("MOT15", "MOT17"):
        root = tmp_path / benchmark
        root.mkdir()
        write_set(root, "tiny", benchmark, {"extra": perfect() + [f"{f},9,500,50,40,100,1,-1,-1,-1\n"
                                                                   for f in range(1, FRAMES + 1)]})
        gt = root / "tiny" / "gt" / "gt.txt"
        gt.write_text(gt.read_text() + "".join(f"{f},7,500,50,40,100,0,7,1\n" for f in range(1, FRAMES + 1)))
        entries = [{"set": "tiny", "benchmark": benchmark, "seq_dir": str(root / "tiny"),
                    "results": {"extra": str(root / "tiny" / "extra.txt")}}]
        m = bench_trackers.score(entries, str(root / "eval"))[("tiny", "extra")]
        if benchmark == "MOT17":
            assert (m["fp"], m["fn"], m["hota"]) == (0, 0, pytest.approx(1.0))
        else:
            assert m["fp"] == FRAMES


@pytest.mark.skipif(importlib.util.find_spec("trackers") is None, reason="the pip `trackers` package is not installed")
def test_peers_track_the_tiny_set_and_the_summary_names_the_best_peer(tmp_path, capsys):
    write_set(tmp_path, "tiny", "MOT17", {"default": perfect()})
    assert bench_trackers.main([str(tmp_path), "--json", str(tmp_path / "out.json")]) == 0
    out = capsys.readouterr().out
    assert "best peer:" in out
    import json
    result = json.loads((tmp_path / "out.json").read_text())
    # Two clean people with perfect detections: every peer keeps both ids (ids from the second frame on,
    # as they confirm tracks), so no id switches; motflow's perfect file scores 1.
    for peer in bench_trackers.PEERS:
        assert result["metrics"][f"tiny/{peer}"]["idsw"] == 0
        assert result["metrics"][f"tiny/{peer}"]["hota"] > 0.8
    assert result["metrics"]["tiny/motflow-default"]["hota"] == pytest.approx(1.0)
    assert result["summary"]["goals"]["sets_behind"] == []


def test_timings_use_cpu_time_where_written_and_wall_time_otherwise(tmp_path):
    (tmp_path / "timings.tsv").write_text("variant\tset\tframes\tnanos\tcpu_nanos\n"
                                          "default\tA\t100\t4000000000\t1000000000\n"
                                          "default\tB\t50\t2000000000\t-1\n")
    t = bench_trackers.read_timings(str(tmp_path))
    assert t[("default", "A")] == (100, 1.0)
    assert t[("default", "B")] == (50, 2.0)
    (tmp_path / "timings.tsv").write_text("variant\tset\tframes\tnanos\ndefault\tA\t100\t3000000000\n")
    assert bench_trackers.read_timings(str(tmp_path)) == {("default", "A"): (100, 3.0)}
