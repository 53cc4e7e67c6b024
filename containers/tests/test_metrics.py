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
