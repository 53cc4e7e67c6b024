"""Regenerates the reference values the Java tests compare against, with the reference tools.

    .venv/bin/python tools/crosscheck/make_reference_values.py

writes functions/mot-metrics/src/test/resources/dev/motflow/metrics/reference-values.tsv: one line
per sequence plus one "overall" line per group, every metric as py-motmetrics 1.4.0 (CLEAR MOT,
Identity) and TrackEval 1.3.0 (HOTA) report it; see reference.py for how each tool is driven.
Paths are relative to ../shared/testdata.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
TESTDATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "testdata"))
OUT = os.path.join(ROOT, "functions", "mot-metrics", "src", "test", "resources", "dev", "motflow", "metrics",
                   "reference-values.tsv")
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


def main():
    lines = ["# Reference values from py-motmetrics 1.4.0 (CLEAR MOT, Identity) and TrackEval 1.3.0 (HOTA).",
             "# Regenerate: .venv/bin/python tools/crosscheck/make_reference_values.py (see reference.py).",
             "# group\tbenchmark\trow\tgt\tresult\t" + "\t".join(KEYS)]
    for group, benchmark, pairs in groups():
        abs_pairs = [(os.path.join(TESTDATA, g), os.path.join(TESTDATA, r), n) for g, r, n in pairs]
        values = reference.evaluate(abs_pairs, benchmark)
        for g, r, n in pairs:
            lines.append("\t".join([group, benchmark, n, g, r] + [fmt(values[n][k]) for k in KEYS]))
        lines.append("\t".join([group, benchmark, "overall", "-", "-"] + [fmt(values["overall"][k]) for k in KEYS]))
        print(group, "done", file=sys.stderr)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
