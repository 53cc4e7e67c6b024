"""Cross-check: `motflow eval --format json` (the Java CLI jar) against the reference tools, in both
modes of CLEAR MOT / Identity definitions: the default (TrackEval 1.3.0's CLEAR, Identity and HOTA,
the MOTChallenge evaluation) and `--compat py-motmetrics` (py-motmetrics 1.4.0's CLEAR MOT and
Identity, TrackEval's HOTA). On ~50 generated scenes and on the shared real data (TUD, the 21 Lif_T
MOT17 results, MOT20-01), per sequence and combined, for MOT15, MOT17 and MOT20 rules: counts
exactly, ratios to 1e-9. The rows compared and the largest difference are printed at the end.

Needs cli/target/motflow-cli.jar (`mvn -pl cli -am package -DskipTests`, or ./motflow test).
"""
import json
import math
import os
import random
import shutil
import subprocess

import pytest

import reference
import scenes

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JAR = os.path.join(ROOT, "cli", "target", "motflow-cli.jar")
SEED = 20261125
TOL = 1e-9
MODES = reference.MODES
TESTDATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "testdata"))
# Rows compared and the largest difference of a ratio, per mode (printed by conftest at the end).
STATS = {}
# (benchmark, number of CLI runs, scenes per run): 50 scenes in 10 runs of 5; odd runs use
# grid-snapped boxes with duplicates (exact ties).
PLAN = [("MOT15", 4, 5), ("MOT17", 4, 5), ("MOT20", 2, 5)]


def java():
    """$JAVA_HOME/bin/java (./motflow exports it), else the JDK the project's own script selects."""
    home = os.environ.get("JAVA_HOME")
    if not (home and os.path.exists(os.path.join(home, "bin", "java"))):
        proc = subprocess.run(["bash", "-c", ". scripts/java-env.sh && motflow_select_jdk >/dev/null && "
                               "echo \"$JAVA_HOME\""], cwd=ROOT, capture_output=True, text=True)
        home = proc.stdout.strip()
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return os.path.join(home, "bin", "java")
    found = shutil.which("java")
    assert found, "no JDK >= 21 found: set JAVA_HOME"
    return found


def run_cli(pairs, benchmark, mode="trackeval"):
    assert os.path.exists(JAR), "build the CLI first (mvn -pl cli -am package -DskipTests): " + JAR
    args = [java(), "-jar", JAR, "eval", "--benchmark", benchmark, "--format", "json", "--compat", mode]
    for gt, result, _ in pairs:
        args += ["--gt", gt, "--result", result]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def runs():
    rng = random.Random(SEED)
    for benchmark, n_runs, per_run in PLAN:
        for r in range(n_runs):
            yield benchmark, r, [scenes.make_scene(rng, benchmark, ties=r % 2 == 1) for _ in range(per_run)]


def assert_same(expected, actual, where, mode="py-motmetrics"):
    assert set(expected) == set(actual), where
    stats = STATS.setdefault(mode, {"rows": 0, "max_diff": 0.0})
    stats["rows"] += 1
    for key, want in expected.items():
        got = actual[key]
        if key in reference.INT_KEYS:
            assert got == want, "%s %s: java %s, reference %s" % (where, key, got, want)
        elif want is None or (isinstance(want, float) and math.isnan(want)):
            assert got is None, "%s %s: java %s, reference undefined" % (where, key, got)
        else:
            assert got is not None and abs(got - want) <= TOL, "%s %s: java %s, reference %s" % (where, key, got, want)
            stats["max_diff"] = max(stats["max_diff"], abs(got - want))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("benchmark,run_index,generated", list(runs()),
                         ids=lambda v: v if isinstance(v, (str, int)) else "scenes")
def test_java_matches_reference_tools(tmp_path, benchmark, run_index, generated, mode):
    pairs = []
    for k, (gt_lines, result_lines) in enumerate(generated):
        name = "%s-run%d-seq%d" % (benchmark, run_index, k)
        gt = tmp_path / (name + "-gt.txt")
        result = tmp_path / (name + ".txt")
        gt.write_text("\n".join(gt_lines) + "\n")
        result.write_text("\n".join(result_lines) + "\n")
        pairs.append((str(gt), str(result), name))
    expected = reference.evaluate(pairs, benchmark, mode)
    actual = run_cli(pairs, benchmark, mode)
    assert list(actual) == [name for _, _, name in pairs] + ["overall"]
    for name in actual:
        assert_same(expected[name], actual[name], "%s %s %s" % (mode, benchmark, name), mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("benchmark", ["MOT15", "MOT17"])
def test_file_oddities_are_read_as_the_reference_tools_read_them(tmp_path, benchmark, mode):
    rng = random.Random(SEED + 1)
    pairs = []
    for k in range(4):
        gt_lines, result_lines = scenes.with_file_oddities(rng, *scenes.make_scene(rng, benchmark), benchmark)
        gt, result = tmp_path / ("g%d.txt" % k), tmp_path / ("odd%d.txt" % k)
        gt.write_text("\n".join(gt_lines) + "\n")
        result.write_text("\n".join(result_lines) + "\n")
        pairs.append((str(gt), str(result), "odd%d" % k))
    expected = reference.evaluate(pairs, benchmark, mode)
    actual = run_cli(pairs, benchmark, mode)
    for name in actual:
        assert_same(expected[name], actual[name], "%s %s %s" % (mode, benchmark, name), mode)


def shared_groups():
    """The shared real data: (benchmark, [(gt, result, name)])."""
    yield "MOT15", [(os.path.join(TESTDATA, "mot15", s, "gt.txt"), os.path.join(TESTDATA, "mot15", s, "result-cem.txt"), s)
                    for s in ("TUD-Campus", "TUD-Stadtmitte")]
    results = os.path.join(TESTDATA, "mot17-lift", "results")
    yield "MOT17", [(os.path.join(TESTDATA, "mot17-lift", "gt", r[:8], "gt.txt"), os.path.join(results, r), r[:-4])
                    for r in sorted(os.listdir(results))]
    yield "MOT20", [(os.path.join(TESTDATA, "mot20-01", "gt.txt"), os.path.join(TESTDATA, "mot20-01", "result-mpntrack.txt"),
                     "MOT20-01")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("benchmark,pairs", list(shared_groups()), ids=lambda v: v if isinstance(v, str) else "data")
def test_java_matches_reference_tools_on_the_shared_real_data(benchmark, pairs, mode):
    for gt, result, _ in pairs:
        assert os.path.exists(gt) and os.path.exists(result), "shared test data missing: " + result
    expected = reference.evaluate(pairs, benchmark, mode)
    actual = run_cli(pairs, benchmark, mode)
    # rows are named after the result files (both TUD results are result-cem.txt): compare in order
    names = [name for _, _, name in pairs] + ["overall"]
    assert len(actual) == len(names)
    for name, row in zip(names, actual):
        assert_same(expected[name], actual[row], "%s %s %s" % (mode, benchmark, name), mode)


def test_the_two_modes_disagree_on_the_generated_scenes():
    """The scenes must tell the definitions apart (matching, MT/PT/ML, fragmentations, switches)."""
    import tempfile
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as d:
        pairs = []
        for k in range(10):
            gt_lines, result_lines = scenes.make_scene(rng)
            gt, res = os.path.join(d, "g%d.txt" % k), os.path.join(d, "r%d.txt" % k)
            open(gt, "w").write("\n".join(gt_lines) + "\n")
            open(res, "w").write("\n".join(result_lines) + "\n")
            pairs.append((gt, res, "r%d" % k))
        te = reference.evaluate(pairs, "MOT15", "trackeval")
        mm = reference.evaluate(pairs, "MOT15", "py-motmetrics")
    differing = {k for name in te for k in reference.INT_KEYS if te[name][k] != mm[name][k]}
    assert {"num_fragmentations", "mostly_tracked"} <= differing, differing


def test_scenes_exercise_every_failure_mode():
    """The generated data must actually contain switches, fragments, misses and false positives."""
    totals = {"num_switches": 0, "num_fragmentations": 0, "num_misses": 0, "num_false_positives": 0}
    import tempfile
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as d:
        pairs = []
        for k in range(5):
            gt_lines, result_lines = scenes.make_scene(rng)
            gt, res = os.path.join(d, "g%d.txt" % k), os.path.join(d, "r%d.txt" % k)
            open(gt, "w").write("\n".join(gt_lines) + "\n")
            open(res, "w").write("\n".join(result_lines) + "\n")
            pairs.append((gt, res, "r%d" % k))
        overall = reference.evaluate(pairs, "MOT15")["overall"]
    for key in totals:
        assert overall[key] > 0, key
