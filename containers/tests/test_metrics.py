import numpy as np
import pytest

from motflow_ml.metrics import combine, evaluate, parse_mot


def seq(rows):
    out = {}
    for r in rows:
        out.setdefault(r[0], []).append(r[1:])
    return {f: np.array(v, float) for f, v in out.items()}


GT = seq([(f, i, 10 + 50 * i + f, 20, 20, 40) for f in range(1, 11) for i in (1, 2)])


def test_perfect_tracking():
    m = evaluate(GT, GT)
    assert m["MOTA"] == 1.0 and m["IDF1"] == 1.0 and m["IDSW"] == 0 and m["MOTP"] == pytest.approx(1.0)


def test_counts_misses_false_positives_and_switches():
    rows = []
    for f in range(1, 11):
        rows.append((f, 7 if f <= 5 else 8, 61 + f, 20, 20, 40))  # gt 1: switches id at frame 6
        if f != 3:
            rows.append((f, 9, 110 + f, 20, 20, 40))  # gt 2: missed once
    rows.append((4, 99, 300, 300, 10, 10))  # a false positive
    m = evaluate(GT, seq(rows))
    assert (m["FN"], m["FP"], m["IDSW"]) == (1, 1, 1)
    assert m["MOTA"] == pytest.approx(1 - 3 / 20)
    # IDF1: gt1 matched to 7 (5 frames), gt2 to 9 (9 frames); 20 gt + 20 hyp boxes
    assert m["IDF1"] == pytest.approx(2 * 14 / 40)


def test_parse_and_combine():
    text = "1,1,10,20,30,40,0.9,-1,-1,-1\n2,1,11,20,30,40,0.8,-1,-1,-1\n"
    d = parse_mot(text)
    assert sorted(d) == [1, 2] and d[2][0].tolist() == [1, 11, 20, 30, 40]
    a = evaluate(GT, GT)
    b = evaluate(GT, {})
    c = combine([a, b])
    assert c["MOTA"] == pytest.approx(0.5) and c["IDF1"] == pytest.approx(2 * 20 / 60)


def rows(text):
    from motflow_ml.metrics import read_rows
    return read_rows(text)


def test_perfect_tracking_has_the_gate_metrics():
    from motflow_ml.metrics import KEYS, evaluate_rows
    gt = rows("\n".join(f"{f},{i},{10 + 50 * i + f},20,20,40,1,1,1" for f in range(1, 6) for i in (1, 2)))
    s = evaluate_rows(gt, gt, "MOT17")
    assert set(KEYS) <= set(s)
    assert s["mota"] == 1.0 and s["idf1"] == 1.0 and s["hota"] == pytest.approx(1.0) and s["motp"] == 0.0


def test_mot17_rules_drop_distractor_matches_and_non_targets():
    from motflow_ml.metrics import evaluate_rows
    gt = rows("1,1,10,10,20,40,1,1,1\n"     # a pedestrian
              "1,2,100,10,20,40,1,7,1\n"    # a static person (distractor)
              "1,3,200,10,20,40,0,1,1\n")   # marked not to be scored
    hyp = rows("1,5,10,10,20,40,0.9,-1,-1\n1,6,100,10,20,40,0.9,-1,-1\n1,7,200,10,20,40,0.9,-1,-1\n")
    mot17 = evaluate_rows(gt, hyp, "MOT17")
    # the box on the distractor is removed; the one on the unscored pedestrian stays a false positive
    assert (mot17["num_misses"], mot17["num_false_positives"]) == (0, 1)
    mot15 = evaluate_rows(gt, hyp, "MOT15")  # no preprocessing: every ground-truth row is a target
    assert (mot15["num_misses"], mot15["num_false_positives"]) == (0, 0)


def test_bad_inputs_are_refused_with_the_reason():
    from motflow_ml.metrics import evaluate_rows
    with pytest.raises(ValueError, match="without classes is scored with benchmark MOT15"):
        evaluate_rows(rows("1,1,10,10,20,40,1,-1,-1\n"), rows(""), "MOT17")
    with pytest.raises(ValueError, match="id 1 appears twice in frame 1"):
        evaluate_rows(rows("1,1,10,10,20,40\n1,1,50,10,20,40\n"), rows(""), "MOT15")
