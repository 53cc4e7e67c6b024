"""Replays the shared association test vectors (test-vectors/association/*.json, schema
motflow/association-vector@1, see that folder's README) against the Python trackers (JdeTracker and
ByteTracker, each with the vector's parameters for its policy): per frame the
id each detection ends up with (exactly) and the output tracks (ids as a set, Kalman boxes within
0.02 px: the vectors are written to 2 decimals from a float32 Kalman state)."""
import json

import numpy as np

from motflow_ml.tracker import ByteTracker, JdeTracker

SCHEMA = "motflow/association-vector@1"


def jde_tracker(vector):
    p = vector["policies"]["jde"]
    # the durations the vector states, derived from its seconds at its frame rate exactly as in Java
    derived = JdeTracker(fps=float(vector["frame_rate"]), track_buffer=p["track_buffer"],
                         max_lost_seconds=p["max_lost_seconds"], reid_after_seconds=p["reid_after_seconds"],
                         reid_thresh=p["reid_thresh"], report_missed_frame=p.get("report_missed_frame", False))
    assert derived.max_time_lost == p["max_time_lost"], vector["name"]
    assert derived.reid_after_frames == (p["reid_after_frames"] if p["reid_thresh"] else None), vector["name"]
    return JdeTracker(fps=float(vector["frame_rate"]), det_thresh=p["det_thresh"], track_buffer=p["track_buffer"],
                      max_time_lost=p["max_time_lost"], momentum=p["feature_momentum"],
                      motion_lambda=p["motion_lambda"], emb_thresh=p["embedding_match_thresh"],
                      iou_thresh=p["iou_match_thresh"], unconfirmed_thresh=p["unconfirmed_match_thresh"],
                      duplicate_thresh=p["duplicate_iou_distance"], gating_chi2=p["gating_chi2"],
                      max_lost_seconds=p["max_lost_seconds"], reid_after_seconds=p["reid_after_seconds"],
                      reid_thresh=p["reid_thresh"], report_missed_frame=p.get("report_missed_frame", False))


def byte_tracker(vector):
    p = vector["policies"]["bytetrack"]
    tr = ByteTracker(fps=float(vector["frame_rate"]), track_thresh=p["track_thresh"], low_thresh=p["low_thresh"],
                     new_track_margin=p["new_track_thresh"] - p["track_thresh"], match_thresh=p["match_thresh"],
                     low_match_thresh=p["low_match_thresh"], unconfirmed_thresh=p["unconfirmed_match_thresh"],
                     duplicate_thresh=p["duplicate_iou_distance"], fuse_score=p["fuse_score"],
                     track_buffer=p["track_buffer"], low_score_refind_buffer=p["low_score_refind_buffer"],
                     unconfirmed_buffer=p["unconfirmed_buffer"], relative_aspect_noise=p["relative_aspect_noise"],
                     low_score_confirm=p["low_score_confirm"], width_state=p["width_state"],
                     camera_shift_from_tracks=p["camera_shift_from_tracks"],
                     short_track_lost_buffer=p["short_track_lost_buffer"],
                     nested_box_limit=p["nested_box_limit"], rematch_after_shift=p["rematch_after_shift"],
                     report_missed_frame=p.get("report_missed_frame", False))
    # the durations the vector states, derived from its buffers at its frame rate exactly as in Java
    assert (tr.max_time_lost, tr.low_score_refind_frames, tr.unconfirmed_frames, tr.short_track_lost_frames,
            tr.short_track_span) == (p["max_time_lost"], p["low_score_refind_frames"], p["unconfirmed_frames"],
                                     p["short_track_lost_frames"], p["short_track_span_frames"]), vector["name"]
    return tr


def replay(path, policy="jde"):
    vector = json.loads(path.read_text())
    assert vector.get("schema") == SCHEMA, f"{path.name}: schema {vector.get('schema')!r}, expected {SCHEMA}"
    tracker = jde_tracker(vector) if policy == "jde" else byte_tracker(vector)
    dim = int(vector["embedding_dim"])
    for fr in vector["frames"]:
        n = fr["frame"]
        dets = np.asarray(fr["detections"], np.float64).reshape(-1, 5)
        tlbr = np.c_[dets[:, 0], dets[:, 1], dets[:, 0] + dets[:, 2], dets[:, 1] + dets[:, 3]]
        emb = np.asarray(fr["embeddings"], np.float64).reshape(len(dets), dim)
        out = tracker.update(tlbr, dets[:, 4], emb)
        want = fr["expected"][policy]
        got_ids = [t.track_id if t is not None else 0 for t in tracker.detection_tracks]
        assert got_ids == want["detection_track_ids"], f"{path.name} frame {n}: {policy} detection ids"
        got = {t.track_id: t.tlwh for t in out}
        exp = {int(r[0]): np.asarray(r[1:5], np.float64) for r in want["tracks"]}
        assert sorted(got) == sorted(exp), f"{path.name} frame {n}: output ids {sorted(got)} != {sorted(exp)}"
        for tid, box in exp.items():
            np.testing.assert_allclose(got[tid], box, rtol=0, atol=0.02, err_msg=f"{path.name} frame {n} id {tid}")
    return len(vector["frames"])
