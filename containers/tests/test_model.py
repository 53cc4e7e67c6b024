import torch

from motflow_ml.data import MotDataset, load_sequence
from motflow_ml.model import STRIDE, TrackerLoss, TrackerNet
from conftest import synth


def test_output_shapes_at_stride_4():
    torch.manual_seed(0)
    for backbone in ("resnet18", "resnet34"):
        net = TrackerNet(backbone, reid_dim=48, neck_channels=32, head_conv=32).eval()
        with torch.no_grad():
            hm, wh, off, emb = net(torch.zeros(2, 3, 96, 160))
        assert hm.shape == (2, 1, 96 // STRIDE, 160 // STRIDE)
        assert wh.shape == (2, 4, 24, 40)
        assert off.shape == (2, 2, 24, 40)
        assert emb.shape == (2, 48, 24, 40)
        assert float(wh.min()) >= 0.0  # sizes are distances


def test_default_input_shape_1088x608():
    net = TrackerNet("resnet18", reid_dim=128, neck_channels=32, head_conv=16).eval()
    with torch.no_grad():
        hm, _, _, emb = net(torch.zeros(1, 3, 608, 1088))
    assert hm.shape[-2:] == (152, 272) and emb.shape[1] == 128


def test_loss_decreases_on_a_tiny_synthetic_set(tmp_path):
    torch.manual_seed(0)
    seqs = [load_sequence(d) for d in synth(tmp_path, 1, 2, seed=5)]
    ds = MotDataset(seqs, 160, 96, max_objs=32, augment=False)
    assert ds.num_ids > 0
    batch = {k: torch.stack([ds[i][k] for i in range(len(ds))]) for k in ds[0]}
    assert float(batch["mask"].sum()) > 0
    net = TrackerNet("resnet18", reid_dim=32, neck_channels=32, head_conv=32)
    loss_fn = TrackerLoss(ds.num_ids, reid_dim=32)
    opt = torch.optim.Adam(list(net.parameters()) + list(loss_fn.parameters()), lr=2e-3)
    losses, det = [], []
    for _ in range(12):
        loss, terms = loss_fn(net(batch["input"]), batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        det.append(float(terms["det"]))
    assert losses[-1] < 0.6 * losses[0], losses
    assert det[-1] < 0.6 * det[0], det


def test_targets_mark_each_visible_box_once(tmp_path):
    seqs = [load_sequence(d) for d in synth(tmp_path, 1, 3, seed=9)]
    ds = MotDataset(seqs, 160, 96, max_objs=32, augment=False)
    frame = max(seqs[0].boxes, key=lambda f: len(seqs[0].boxes[f]))
    item = ds[frame - 1]
    n_boxes = len(seqs[0].boxes[frame])
    assert 0 < int(item["mask"].sum()) <= n_boxes
    # every positive's centre cell is a heatmap peak of 1
    hm = item["hm"][0].flatten()
    for k in range(int(item["mask"].sum())):
        assert float(hm[item["ind"][k]]) == 1.0
        assert 0 <= float(item["reg"][k].min()) and float(item["reg"][k].max()) < 1
    assert set(item["ids"][item["mask"] > 0].tolist()) <= set(range(ds.num_ids))
