import numpy as np
import pytest
import torch

from motflow_ml.config import defaults
from motflow_ml.data import letterbox, letterbox_params
from motflow_ml.inference import Predictor, decode_peaks
from motflow_ml.model import TrackerNet


def hand_made_outputs():
    h, w, d = 24, 40, 8
    hm = torch.full((1, 1, h, w), -10.0)
    wh = torch.zeros(1, 4, h, w)
    reg = torch.zeros(1, 2, h, w)
    emb = torch.zeros(1, d, h, w)
    hm[0, 0, 7, 5] = 2.0  # peak A
    hm[0, 0, 7, 6] = 1.0  # A's neighbour: suppressed by the 3x3 max-pool NMS
    hm[0, 0, 20, 30] = 0.5  # peak B
    reg[0, :, 7, 5] = torch.tensor([0.25, 0.5])
    wh[0, :, 7, 5] = torch.tensor([2.0, 3.0, 4.0, 5.0])
    emb[0, :2, 7, 5] = torch.tensor([3.0, 4.0])
    wh[0, :, 20, 30] = torch.tensor([1.0, 1.0, 1.0, 1.0])
    emb[0, 2, 20, 30] = -2.0
    return hm, wh, reg, emb


def test_decode_peaks_boxes_scores_embeddings():
    boxes, scores, emb = decode_peaks(*hand_made_outputs(), top_k=3)
    assert scores.shape == (1, 3)
    s = scores[0].numpy()
    assert s[0] == pytest.approx(1 / (1 + np.exp(-2.0)), abs=1e-6)
    assert s[1] == pytest.approx(1 / (1 + np.exp(-0.5)), abs=1e-6)
    assert s[2] < 1e-3  # the neighbour of A was suppressed: the third best is background
    # A: centre (5.25, 7.5) in stride-4 cells, ltrb (2, 3, 4, 5) -> input pixels
    np.testing.assert_allclose(boxes[0, 0].numpy(), [13.0, 18.0, 37.0, 50.0], atol=1e-5)
    np.testing.assert_allclose(boxes[0, 1].numpy(), [116.0, 76.0, 124.0, 84.0], atol=1e-5)
    np.testing.assert_allclose(emb[0, 0, :3].numpy(), [0.6, 0.8, 0.0], atol=1e-6)
    np.testing.assert_allclose(emb[0, 1, :3].numpy(), [0.0, 0.0, -1.0], atol=1e-6)
    np.testing.assert_allclose(torch.linalg.norm(emb[0, :2], dim=1).numpy(), [1.0, 1.0], atol=1e-6)


def test_postprocess_maps_boxes_back_through_the_letterbox():
    cfg = defaults()
    cfg.update(backbone="resnet18", reid_dim=8, neck_channels=16, head_conv=16, input_width=160, input_height=96,
               conf_thres=0.5, top_k=10)
    pred = Predictor(TrackerNet("resnet18", 8, 16, 16), cfg, device="cpu")
    frame = np.zeros((144, 320, 3), np.uint8)
    _, lb = pred.preprocess([frame])
    assert lb[:3] == (0.5, 0, 12)  # 320x144 -> 160x72, centred vertically in 160x96
    det = pred.postprocess(hand_made_outputs(), lb)[0]
    assert len(det) == 2  # threshold 0.5 keeps A (0.88) and B (0.62)
    np.testing.assert_allclose(det.tlbr[0], [26.0, 12.0, 74.0, 76.0], atol=1e-4)
    assert det.to_json()[0]["box"] == [26.0, 12.0, 48.0, 64.0]


def test_device_letterbox_matches_cpu_letterbox():
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, size=(60, 200, 3), dtype=np.uint8)
    cfg = defaults()
    cfg.update(input_width=160, input_height=96, reid_dim=8, neck_channels=16, head_conv=16)
    pred = Predictor(TrackerNet("resnet18", 8, 16, 16), cfg, device="cpu")
    x, (scale, px, py, w0, h0) = pred.preprocess([frame])
    ref, s2, px2, py2 = letterbox(frame, 160, 96)
    assert (scale, px, py) == (s2, px2, py2) == letterbox_params(200, 60, 160, 96)[:3]
    assert x.shape == (1, 3, 96, 160)
    # padding rows are the pad value in both, and the image area is close (different resamplers)
    back = (x[0].permute(1, 2, 0).numpy() * pred.std.view(3).numpy() + pred.mean.view(3).numpy())[:, :, ::-1]
    assert np.abs(back[:py] - ref[:py]).max() < 1e-3
    assert np.abs(back[py:-py] - ref[py:-py].astype(np.float32)).mean() < 12


def test_targets_decoded_as_network_outputs_give_back_the_ground_truth(tmp_path):
    """Consistency of training targets, decoding and the letterbox: outputs equal to the targets of a
    frame decode to that frame's (clipped) ground-truth boxes."""
    from conftest import synth
    from motflow_ml.data import MotDataset, load_sequence
    (seq_dir,) = synth(tmp_path, 1, 6, seed=13, width=320, height=180, ids=5)
    seq = load_sequence(seq_dir)
    frame = max(seq.boxes, key=lambda f: len(seq.boxes[f]))
    ds = MotDataset([seq], 256, 160, max_objs=32, augment=False)
    t = ds[frame - 1]
    h, w = t["hm"].shape[-2:]
    hm = torch.logit(t["hm"].clamp(1e-6, 0.999))[None]
    wh = torch.zeros(1, 4, h * w)
    reg = torch.zeros(1, 2, h * w)
    emb = torch.zeros(1, 8, h * w)
    n = int(t["mask"].sum())
    idx = t["ind"][:n]
    wh[0, :, idx] = t["wh"][:n].T
    reg[0, :, idx] = t["reg"][:n].T
    emb[0, 0, idx] = 1.0
    cfg = defaults()
    cfg.update(input_width=256, input_height=160, reid_dim=8, neck_channels=16, head_conv=16, conf_thres=0.5)
    pred = Predictor(TrackerNet("resnet18", 8, 16, 16), cfg, device="cpu")
    _, lb = pred.preprocess([np.zeros((180, 320, 3), np.uint8)])
    det = pred.postprocess((hm, wh.view(1, 4, h, w), reg.view(1, 2, h, w), emb.view(1, 8, h, w)), lb)[0]
    gt = seq.boxes[frame][:, 1:5].astype(np.float64)
    gt_tlbr = np.stack([gt[:, 0], gt[:, 1], gt[:, 0] + gt[:, 2], gt[:, 1] + gt[:, 3]], 1)
    gt_tlbr[:, 0::2] = gt_tlbr[:, 0::2].clip(0, 320)
    gt_tlbr[:, 1::2] = gt_tlbr[:, 1::2].clip(0, 180)
    assert len(det) == len(set(idx.tolist())) >= 2
    for box in det.tlbr:
        assert np.abs(gt_tlbr - box).max(axis=1).min() < 0.6  # within a pixel of one ground-truth box
