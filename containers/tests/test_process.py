import json
import tarfile

import cv2

from conftest import run_module, synth


def test_processing_job_tracks_videos_and_evaluates_sequences(serving_model_dir, tmp_path):
    root = tmp_path / "optml"
    inp = root / "processing" / "input"
    (seq,) = synth(inp / "cams", 1, 10, seed=31, width=256, height=144, extra=["--mp4"])
    model = root / "processing" / "model"
    model.mkdir(parents=True)
    with tarfile.open(model / "model.tar.gz", "w:gz") as t:  # as SageMaker stores a training job's model
        for f in serving_model_dir.iterdir():
            t.add(f, arcname=f.name)
    proc = run_module("motflow_ml.process", ["--annotate", "--batch-size", "4", "--decode-threads", "2"], opt_ml=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = root / "processing" / "output"
    video_out = out / "cams" / seq.name  # from cams/<seq>.mp4
    seq_out = out / "cams" / f"{seq.name}-sequence"  # the image sequence of the same name
    for d in (video_out, seq_out):
        lines = (d / "tracks.txt").read_text().splitlines()
        assert lines and all(len(line.split(",")) == 10 for line in lines)
        summary = json.loads((d / "summary.json").read_text())
        assert summary["frames"] == 10 and summary["tracks"]
        cap = cv2.VideoCapture(str(d / "annotated.mp4"))
        n = 0
        while cap.read()[0]:
            n += 1
        assert n == 10
    metrics = json.loads((seq_out / "metrics.json").read_text())
    assert {"MOTA", "IDF1", "FP", "FN", "IDSW"} <= set(metrics) and metrics["num_gt"] > 0
    assert not (video_out / "metrics.json").exists()
    run = json.loads((out / "run_summary.json").read_text())
    assert (run["inputs"], run["succeeded"], run["failed"], run["frames"]) == (2, 2, 0, 20)
    assert "metrics" in run


def test_processing_job_reports_bad_and_missing_input(serving_model_dir, tmp_path):
    root = tmp_path / "optml"
    inp = root / "processing" / "input"
    inp.mkdir(parents=True)
    args = ["--model-dir", str(serving_model_dir)]
    proc = run_module("motflow_ml.process", args, opt_ml=root)
    assert proc.returncode == 1 and "no videos" in (root / "output" / "failure").read_text()
    (inp / "broken.mp4").write_bytes(b"not a video at all")
    synth(inp, 1, 4, seed=3, width=128, height=96, extra=["--mp4"])
    proc = run_module("motflow_ml.process", args, opt_ml=root)
    assert proc.returncode == 1
    run = json.loads((root / "processing" / "output" / "run_summary.json").read_text())
    status = {i["input"]: i["status"] for i in run["items"]}
    assert status["broken.mp4"] == "failed" and list(status.values()).count("ok") == 2
