import numpy as np

from motflow_ml.pipeline import TrackResult, batched_prefetch, iter_video, iter_video_segments
from conftest import synth


def test_parallel_segment_decoding_gives_the_same_frames_in_order(tmp_path):
    (seq,) = synth(tmp_path, 1, 70, seed=8, width=160, height=96, extra=["--mp4"])
    video = tmp_path / f"{seq.name}.mp4"
    a = list(iter_video(video))
    b = list(iter_video_segments(video, segments=4))
    assert len(a) == len(b) == 70
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_batches_keep_order_and_split_on_size_change():
    frames = [np.full((4, 4, 3), i, np.uint8) for i in range(5)] + [np.zeros((8, 8, 3), np.uint8)]
    batches = list(batched_prefetch(iter(frames), 2))
    assert [len(b) for b in batches] == [2, 2, 1, 1]
    assert [int(f[0, 0, 0]) for b in batches[:3] for f in b] == [0, 1, 2, 3, 4]


def test_track_summaries_and_mot_lines():
    r = TrackResult(25.0)
    r.rows = [(1, 1, 0, 0, 10, 20, 0.9), (2, 1, 1, 0, 10, 20, 0.7), (2, 2, 50, 0, 10, 20, 0.5)]
    assert r.mot_text().splitlines()[0] == "1,1,0.00,0.00,10.00,20.00,0.9000,-1,-1,-1"
    s = r.track_summaries()
    assert s == [{"id": 1, "first_frame": 1, "last_frame": 2, "frames": 2, "mean_score": 0.8},
                 {"id": 2, "first_frame": 2, "last_frame": 2, "frames": 1, "mean_score": 0.5}]
