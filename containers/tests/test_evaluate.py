import json
import tarfile

from conftest import run_module, synth


def test_evaluation_job_writes_one_result_per_validation_sequence(serving_model_dir, tmp_path):
    root = tmp_path / "optml"
    validation = root / "processing" / "validation"
    seqs = synth(validation, 2, 6, seed=41, width=192, height=112)
    model = root / "processing" / "model"
    model.mkdir(parents=True)
    with tarfile.open(model / "model.tar.gz", "w:gz") as t:  # the training job's output, as the ASL passes it
        for f in serving_model_dir.iterdir():
            t.add(f, arcname=f.name)
    out = root / "processing" / "results"
    proc = run_module("motflow_ml.evaluate", ["--model", str(model), "--sequences", str(validation),
                                              "--out", str(out), "--batch-size", "3"], opt_ml=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for seq in seqs:
        lines = (out / f"{seq.name}.txt").read_text().splitlines()
        frames = {int(line.split(",")[0]) for line in lines}
        assert lines and all(len(line.split(",")) == 10 for line in lines)
        assert frames <= set(range(1, 7))
    summary = json.loads((out / "run_summary.json").read_text())
    assert summary["succeeded"] == 2 and "metrics" in summary


def test_evaluation_job_without_sequences_fails_with_a_reason(serving_model_dir, tmp_path):
    root = tmp_path / "optml"
    empty = root / "processing" / "validation"
    empty.mkdir(parents=True)
    proc = run_module("motflow_ml.evaluate", ["--model", str(serving_model_dir), "--sequences", str(empty),
                                              "--out", str(root / "results")], opt_ml=root)
    assert proc.returncode == 1
    assert "no MOTChallenge sequences" in (root / "output" / "failure").read_text()
