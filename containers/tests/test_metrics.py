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
    # MOT15 rules: no distractors; py-motmetrics' loader keeps every ground-truth row, TrackEval (the
    # default) still drops conf-0 rows, so the box on the unscored pedestrian is a false positive there
    mot15 = evaluate_rows(gt, hyp, "MOT15", "py-motmetrics")
    assert (mot15["num_misses"], mot15["num_false_positives"]) == (0, 0)
    mot15 = evaluate_rows(gt, hyp, "MOT15")
    assert (mot15["num_misses"], mot15["num_false_positives"]) == (0, 1)


def test_bad_inputs_are_refused_with_the_reason():
    from motflow_ml.metrics import evaluate_rows
    with pytest.raises(ValueError, match="without classes is scored with benchmark MOT15"):
        evaluate_rows(rows("1,1,10,10,20,40,1,-1,-1\n"), rows(""), "MOT17")
    with pytest.raises(ValueError, match="id 1 appears twice in frame 1"):
        evaluate_rows(rows("1,1,10,10,20,40\n1,1,50,10,20,40\n"), rows(""), "MOT15")


# Both modes of definitions (as `motflow eval` and the gate): trackeval (default) and py-motmetrics.


def box_rows(boxes):
    """[(frame, id, x, y, w, h)] -> read_rows array (MOT15: no classes)."""
    return rows("\n".join(f"{f},{i},{x},{y},{w},{h},1,-1,-1" for f, i, x, y, w, h in boxes))


def test_the_default_mode_is_trackeval_and_modes_cannot_be_mixed():
    from motflow_ml.metrics import DEFAULT_MODE, combine_scores, evaluate_rows
    gt = box_rows([(1, 1, 0, 0, 10, 10)])
    assert DEFAULT_MODE == "trackeval" and evaluate_rows(gt, gt, "MOT15").clear["mode"] == "trackeval"
    with pytest.raises(ValueError, match="mode must be one of"):
        evaluate_rows(gt, gt, "MOT15", "motchallenge")
    with pytest.raises(ValueError, match="different modes"):
        combine_scores([evaluate_rows(gt, gt, "MOT15"), evaluate_rows(gt, gt, "MOT15", "py-motmetrics")])


def test_continuity_only_reaches_back_one_matched_frame():
    # frame 2: the object is missed (another box elsewhere); frame 3: its old id at IoU 0.6, a new one exact
    from motflow_ml.metrics import evaluate_rows
    gt = box_rows([(f, 1, 0, 0, 10, 10) for f in (1, 2, 3)])
    hyp = box_rows([(1, 7, 0, 0, 10, 10), (2, 9, 300, 0, 10, 10), (3, 7, 0, 0, 10, 6), (3, 8, 0, 0, 10, 10)])
    te = evaluate_rows(gt, hyp, "MOT15")
    mm = evaluate_rows(gt, hyp, "MOT15", "py-motmetrics")
    assert (te["num_switches"], te["num_false_positives"], te["num_fragmentations"]) == (1, 2, 1)
    assert te["motp"] == pytest.approx(0.0) and te["mota"] == pytest.approx(-1 / 3)
    assert (mm["num_switches"], mm["num_false_positives"]) == (0, 2) and mm["motp"] == pytest.approx(0.2)


def test_fragmentations_and_mostly_tracked_as_trackeval_counts_them():
    from motflow_ml.metrics import evaluate_rows
    # a frame without any result box keeps the track going in TrackEval, not in py-motmetrics
    gt = box_rows([(f, 1, 0, 0, 10, 10) for f in range(1, 7)])
    hyp = box_rows([(f, 5 if f < 3 else 6, 0, 0, 10, 10) for f in range(1, 7) if f != 3])
    te, mm = evaluate_rows(gt, hyp, "MOT15"), evaluate_rows(gt, hyp, "MOT15", "py-motmetrics")
    assert (te["num_fragmentations"], mm["num_fragmentations"]) == (0, 1)
    assert te["idf1"] == pytest.approx(3 / (3 + 1 + 1.5))
    # tracked in exactly 80% of its frames: partially tracked in TrackEval, mostly tracked in py-motmetrics
    gt = box_rows([(f, 1, 0, 0, 10, 10) for f in range(1, 11)])
    hyp = box_rows([(f, 1, 0, 0, 10, 10) for f in range(1, 9)])
    te, mm = evaluate_rows(gt, hyp, "MOT15"), evaluate_rows(gt, hyp, "MOT15", "py-motmetrics")
    assert (te["mostly_tracked"], te["partially_tracked"]) == (0, 1)
    assert (mm["mostly_tracked"], mm["partially_tracked"]) == (1, 0)


def test_trackeval_mode_divides_by_at_least_one():
    from motflow_ml.metrics import evaluate_rows
    gt = box_rows([(1, 1, 0, 0, 10, 10), (2, 1, 0, 0, 10, 10)])
    s = evaluate_rows(gt, rows(""), "MOT15")
    assert (s["precision"], s["motp"], s["idf1"], s["mota"], s["mostly_lost"]) == (0.0, 1.0, 0.0, 0.0, 1)
    assert evaluate_rows(gt, rows(""), "MOT15", "py-motmetrics")["precision"] is None
