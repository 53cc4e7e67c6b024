"""Cross-check: `motflow eval --format json` (the Java CLI jar) against py-motmetrics 1.4.0 and
TrackEval 1.3.0 on ~50 generated scenes, per sequence and combined, for MOT15, MOT17 and MOT20 rules.

Needs cli/target/motflow-cli.jar (built by `mvn install`, which ./motflow test runs first).
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


def run_cli(pairs, benchmark):
    assert os.path.exists(JAR), "build the CLI first (mvn install): " + JAR
    args = [java(), "-jar", JAR, "eval", "--benchmark", benchmark, "--format", "json"]
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


def assert_same(expected, actual, where):
    assert set(expected) == set(actual), where
    for key, want in expected.items():
        got = actual[key]
        if key in reference.INT_KEYS:
            assert got == want, "%s %s: java %s, reference %s" % (where, key, got, want)
        elif want is None or (isinstance(want, float) and math.isnan(want)):
            assert got is None, "%s %s: java %s, reference undefined" % (where, key, got)
        else:
            assert got is not None and abs(got - want) <= 1e-6, "%s %s: java %s, reference %s" % (where, key, got, want)


@pytest.mark.parametrize("benchmark,run_index,generated", list(runs()),
                         ids=lambda v: v if isinstance(v, (str, int)) else "scenes")
def test_java_matches_reference_tools(tmp_path, benchmark, run_index, generated):
    pairs = []
    for k, (gt_lines, result_lines) in enumerate(generated):
        name = "%s-run%d-seq%d" % (benchmark, run_index, k)
        gt = tmp_path / (name + "-gt.txt")
        result = tmp_path / (name + ".txt")
        gt.write_text("\n".join(gt_lines) + "\n")
        result.write_text("\n".join(result_lines) + "\n")
        pairs.append((str(gt), str(result), name))
    expected = reference.evaluate(pairs, benchmark)
    actual = run_cli(pairs, benchmark)
    assert list(actual) == [name for _, _, name in pairs] + ["overall"]
    for name in actual:
        assert_same(expected[name], actual[name], "%s %s" % (benchmark, name))


@pytest.mark.parametrize("benchmark", ["MOT15", "MOT17"])
def test_file_oddities_are_read_as_the_reference_tools_read_them(tmp_path, benchmark):
    rng = random.Random(SEED + 1)
    pairs = []
    for k in range(4):
        gt_lines, result_lines = scenes.with_file_oddities(rng, *scenes.make_scene(rng, benchmark), benchmark)
        gt, result = tmp_path / ("g%d.txt" % k), tmp_path / ("odd%d.txt" % k)
        gt.write_text("\n".join(gt_lines) + "\n")
        result.write_text("\n".join(result_lines) + "\n")
        pairs.append((str(gt), str(result), "odd%d" % k))
    expected = reference.evaluate(pairs, benchmark)
    actual = run_cli(pairs, benchmark)
    for name in actual:
        assert_same(expected[name], actual[name], "%s %s" % (benchmark, name))


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
