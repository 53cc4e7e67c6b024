"""Cross-check: the container's metrics (containers/motflow_ml/metrics.py, which fills the training
model card and the processing job's metrics.json) against TrackEval 1.3.0 (mode trackeval, the default)
and py-motmetrics 1.4.0 (mode py-motmetrics), value for value, on the generated scenes of
test_crosscheck.py and on the shared real MOT data, under MOT15, MOT17 and MOT20 rules: the same
definitions as the retraining gate (functions/mot-metrics).
"""
import os
import random
import sys

import pytest

import reference
import scenes
from test_crosscheck import MODES, ROOT, SEED, assert_same, runs

sys.path.insert(0, os.path.join(ROOT, "containers"))
from motflow_ml import metrics  # noqa: E402

TESTDATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "testdata"))


def container_scores(pairs, benchmark, mode):
    per_seq = {}
    for gt, result, name in pairs:
        with open(gt) as g, open(result) as r:
            per_seq[name] = metrics.evaluate_rows(metrics.read_rows(g.read()), metrics.read_rows(r.read()), benchmark,
                                                  mode)
    out = {name: dict(s) for name, s in per_seq.items()}
    out["overall"] = dict(metrics.combine_scores(list(per_seq.values())))
    return out


def check(pairs, benchmark, mode):
    expected = reference.evaluate(pairs, benchmark, mode)
    actual = container_scores(pairs, benchmark, mode)
    assert list(actual) == list(expected)
    for name in actual:
        assert_same(expected[name], actual[name], "container %s %s %s" % (mode, benchmark, name), "container " + mode)


def write_pairs(tmp_path, generated, prefix):
    pairs = []
    for k, (gt_lines, result_lines) in enumerate(generated):
        name = "%s-seq%d" % (prefix, k)
        gt, result = tmp_path / (name + "-gt.txt"), tmp_path / (name + ".txt")
        gt.write_text("\n".join(gt_lines) + "\n")
        result.write_text("\n".join(result_lines) + "\n")
        pairs.append((str(gt), str(result), name))
    return pairs


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("benchmark,run_index,generated", list(runs()),
                         ids=lambda v: v if isinstance(v, (str, int)) else "scenes")
def test_container_metrics_match_the_reference_tools(tmp_path, benchmark, run_index, generated, mode):
    check(write_pairs(tmp_path, generated, "%s-run%d" % (benchmark, run_index)), benchmark, mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("benchmark", ["MOT15", "MOT17"])
def test_container_reads_file_oddities_as_the_reference_tools(tmp_path, benchmark, mode):
    rng = random.Random(SEED + 1)
    generated = [scenes.with_file_oddities(rng, *scenes.make_scene(rng, benchmark), benchmark) for _ in range(4)]
    check(write_pairs(tmp_path, generated, "odd"), benchmark, mode)


def shared(*parts):
    path = os.path.join(TESTDATA, *parts)
    assert os.path.exists(path), "shared test data missing: " + path
    return path


@pytest.mark.parametrize("mode", MODES)
def test_container_metrics_on_real_mot15_results(mode):
    check([(shared("mot15", s, "gt.txt"), shared("mot15", s, "result-cem.txt"), s)
           for s in ("TUD-Campus", "TUD-Stadtmitte")], "MOT15", mode)


@pytest.mark.parametrize("mode", MODES)
def test_container_metrics_on_real_mot17_results(mode):
    # The smaller sequences, with each of the three detectors' results: distractor removal and
    # non-target ground truth in play.
    check([(shared("mot17-lift", "gt", s, "gt.txt"), shared("mot17-lift", "results", "%s-%s.txt" % (s, d)),
            "%s-%s" % (s, d)) for s in ("MOT17-05", "MOT17-09") for d in ("DPM", "FRCNN", "SDP")], "MOT17", mode)


@pytest.mark.parametrize("mode", MODES)
def test_container_metrics_on_real_mot20_results(mode):
    check([(shared("mot20-01", "gt.txt"), shared("mot20-01", "result-mpntrack.txt"), "MOT20-01")], "MOT20", mode)
