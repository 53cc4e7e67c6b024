"""Evaluation processing job of the retraining workflow (``python -m motflow_ml.evaluate``).

Contract (statemachines/retrain.asl.json, steps EvaluateCandidate / EvaluateProduction):
  --model DIR      the model to score: a training job's output (model.tar.gz) or a model dir
  --sequences DIR  the validation split: MOTChallenge sequences (<seq>/img1/, seqinfo.ini, gt/gt.txt)
  --out DIR        written here: <seq>.txt per sequence (MOTChallenge result lines
                   frame,id,x,y,w,h,score,-1,-1,-1) and run_summary.json
The workflow's ScoreModel Lambda scores the <seq>.txt files with the Java metrics, so the scores that
gate a promotion come from one implementation; the container's own metrics in run_summary.json are
for people reading the run. Failures go to $MOTFLOW_OPT_ML/output/failure with exit status 1.
"""
import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from . import paths
from . import process


def run(args):
    seq_root, out = Path(args.sequences), Path(args.out)
    videos, seqs = process.find_inputs(seq_root) if seq_root.is_dir() else ([], [])
    if not seqs:
        raise ValueError(f"no MOTChallenge sequences (<seq>/img1/) under {seq_root}")
    names = [s.name for s in seqs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"sequence names must be unique, repeated: {', '.join(dupes)}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "tracking"
        # Videos in the split are not scored: only sequences carry ground truth.
        failure = None
        try:
            process.run(argparse.Namespace(input=str(seq_root), output=str(work), model_dir=args.model,
                                           annotate=False, no_evaluate=False, batch_size=args.batch_size,
                                           max_frames=0, decode_threads=1, conf_thres=None, half=args.half))
        except RuntimeError as e:  # some inputs failed: keep the results of the others, then report
            failure = e
        for seq in seqs:
            tracks = work / seq.relative_to(seq_root) / "tracks.txt"
            if tracks.is_file():
                shutil.copyfile(tracks, out / f"{seq.name}.txt")
        if (work / "run_summary.json").is_file():
            shutil.copyfile(work / "run_summary.json", out / "run_summary.json")
        if failure is not None:
            raise failure
    print(f"evaluation: {len(seqs)} sequences -> {out}", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m motflow_ml.evaluate", description="tracking results for scoring")
    ap.add_argument("--model", default=str(process.default_model_dir()))
    ap.add_argument("--sequences", default=str(paths.opt_ml() / "processing" / "validation"))
    ap.add_argument("--out", default=str(paths.opt_ml() / "processing" / "results"))
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--half", action="store_true", help="fp16 on GPU")
    args = ap.parse_args(argv)
    return paths.run_job(run, args, "evaluation")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
