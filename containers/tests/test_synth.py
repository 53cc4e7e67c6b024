import configparser

import cv2

from conftest import run_module, synth


def _files(d):
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a = synth(tmp_path / "a", 2, 6, seed=4)
    b = synth(tmp_path / "b", 2, 6, seed=4)
    c = synth(tmp_path / "c", 2, 6, seed=5)
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b):
        assert _files(pa) == _files(pb)
    assert (a[0] / "gt" / "gt.txt").read_bytes() != (c[0] / "gt" / "gt.txt").read_bytes()


def test_motchallenge_layout_and_ground_truth(tmp_path):
    (seq,) = synth(tmp_path, 1, 20, seed=2, width=320, height=180, ids=6)
    cp = configparser.ConfigParser()
    cp.read(seq / "seqinfo.ini")
    info = cp["Sequence"]
    assert (info["name"], info["seqLength"], info["imWidth"], info["imHeight"]) == (seq.name, "20", "320", "180")
    frames = sorted((seq / "img1").glob("*.jpg"))
    assert [p.name for p in frames] == [f"{i:06d}.jpg" for i in range(1, 21)]
    assert cv2.imread(str(frames[0])).shape == (180, 320, 3)
    rows = [line.split(",") for line in (seq / "gt" / "gt.txt").read_text().splitlines()]
    assert rows and all(len(r) == 9 for r in rows)
    ids = {int(r[1]) for r in rows}
    assert ids <= set(range(1, 7)) and len(ids) >= 3
    for r in rows:
        f, w, h, vis = int(r[0]), float(r[4]), float(r[5]), float(r[8])
        assert 1 <= f <= 20 and w > 0 and h > 0 and 0 < vis <= 1
    # one box per identity per frame
    keys = [(r[0], r[1]) for r in rows]
    assert len(keys) == len(set(keys))


def test_cli_writes_mp4(tmp_path):
    proc = run_module("motflow_ml.synth", ["--out", str(tmp_path), "--seqs", "1", "--frames", "9", "--seed", "1",
                                           "--width", "128", "--height", "96", "--mp4"])
    assert proc.returncode == 0, proc.stderr
    mp4 = tmp_path / "SYN-0001-01.mp4"
    cap = cv2.VideoCapture(str(mp4))
    n = 0
    while cap.read()[0]:
        n += 1
    assert n == 9
    bad = run_module("motflow_ml.synth", ["--out", str(tmp_path), "--frames", "0"])
    assert bad.returncode != 0
