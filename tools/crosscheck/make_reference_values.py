"""Regenerates the reference values the Java tests compare against, with the reference tools.

    .venv/bin/python tools/crosscheck/make_reference_values.py [trackeval|py-motmetrics ...]

writes, in functions/mot-metrics/src/test/resources/dev/motflow/metrics/, one file per mode of
CLEAR MOT and Identity definitions (both by default): reference-values-trackeval.tsv (TrackEval
1.3.0's CLEAR, Identity and HOTA: motflow's default) and reference-values.tsv (py-motmetrics 1.4.0's
CLEAR MOT and Identity, TrackEval's HOTA: --compat py-motmetrics). One line per sequence plus one
"overall" line per group; see reference.py for how each tool is driven. Paths are relative to
../shared/testdata.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
TESTDATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "testdata"))
OUT_DIR = os.path.join(ROOT, "functions", "mot-metrics", "src", "test", "resources", "dev", "motflow", "metrics")
OUT_FILE = {"py-motmetrics": "reference-values.tsv", "trackeval": "reference-values-trackeval.tsv"}
HEADER = {"py-motmetrics": "# Reference values from py-motmetrics 1.4.0 (CLEAR MOT, Identity) and TrackEval 1.3.0 (HOTA).",
          "trackeval": "# Reference values from TrackEval 1.3.0 (CLEAR, Identity, HOTA; motp = 1 - TrackEval's MOTP)."}
KEYS = reference.MM_KEYS + ["hota", "deta", "assa", "loca"]


def groups():
    yield "tud", "MOT15", [("mot15/TUD-Campus/gt.txt", "mot15/TUD-Campus/result-cem.txt", "TUD-Campus"),
                           ("mot15/TUD-Stadtmitte/gt.txt", "mot15/TUD-Stadtmitte/result-cem.txt", "TUD-Stadtmitte")]
    results = sorted(os.listdir(os.path.join(TESTDATA, "mot17-lift", "results")))
    yield "mot17", "MOT17", [("mot17-lift/gt/%s/gt.txt" % r[:8], "mot17-lift/results/" + r, r[:-4])
                             for r in results]
    yield "mot20", "MOT20", [("mot20-01/gt.txt", "mot20-01/result-mpntrack.txt", "MOT20-01")]


def fmt(v):
    return "nan" if v is None else repr(v)


def write(mode):
    lines = [HEADER[mode],
             "# Regenerate: .venv/bin/python tools/crosscheck/make_reference_values.py (see reference.py).",
             "# group\tbenchmark\trow\tgt\tresult\t" + "\t".join(KEYS)]
    for group, benchmark, pairs in groups():
        abs_pairs = [(os.path.join(TESTDATA, g), os.path.join(TESTDATA, r), n) for g, r, n in pairs]
        values = reference.evaluate(abs_pairs, benchmark, mode)
        for g, r, n in pairs:
            lines.append("\t".join([group, benchmark, n, g, r] + [fmt(values[n][k]) for k in KEYS]))
        lines.append("\t".join([group, benchmark, "overall", "-", "-"] + [fmt(values["overall"][k]) for k in KEYS]))
        print(mode, group, "done", file=sys.stderr)
    out = os.path.join(OUT_DIR, OUT_FILE[mode])
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", out, file=sys.stderr)


def main():
    for mode in sys.argv[1:] or reference.MODES:
        write(mode)


if __name__ == "__main__":
    main()
