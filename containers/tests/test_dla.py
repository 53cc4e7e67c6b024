"""FairMOT's DLA-34 network: the published state_dict layout, the output contract, and the modulated
deformable convolution against a direct loop-based implementation of its definition."""
import math

import pytest
import torch
import torch.nn.functional as F

from motflow_ml.dcn import ModulatedDeformConv2d
from motflow_ml.dla import DLASeg
from motflow_ml.model import STRIDE, build_model
from motflow_ml.config import defaults, load_hyperparameters


def test_dla34_has_the_published_state_dict_size():
    # FairMOT's published DLA-34 checkpoints: 402 entries, 19,856,350 values (../shared/dependency-notes.md)
    state = DLASeg(reid_dim=128, head_conv=256).state_dict()
    assert len(state) == 402
    assert sum(v.numel() for v in state.values()) == 19_856_350


def test_dla34_key_names_and_shapes_follow_the_published_layout():
    state = DLASeg().state_dict()
    expect = {
        "base.base_layer.0.weight": (16, 3, 7, 7),
        "base.level5.root.conv.weight": (512, 1280, 1, 1),  # 2 * 512 + the level root's 256 input
        "base.level3.tree2.root.conv.weight": (128, 448, 1, 1),
        "base.level4.project.0.weight": (256, 128, 1, 1),
        "dla_up.ida_0.proj_1.conv.weight": (256, 512, 3, 3),
        "dla_up.ida_0.proj_1.conv.conv_offset_mask.weight": (27, 512, 3, 3),  # 3 parts x 9 taps
        "dla_up.ida_2.up_3.weight": (64, 1, 4, 4),
        "ida_up.up_2.weight": (64, 1, 8, 8),  # x4 upsampling of the stride-16 map
        "ida_up.node_2.actf.0.running_var": (64,),
        "hm.0.weight": (256, 64, 3, 3),
        "hm.2.bias": (1,),
        "wh.2.weight": (4, 256, 1, 1),
        "reg.2.weight": (2, 256, 1, 1),
        "id.2.weight": (128, 256, 1, 1),
    }
    assert {k: tuple(state[k].shape) for k in expect} == expect
    assert not any(k.startswith("module.") or "fc." in k for k in state)
    assert float(state["hm.2.bias"]) == pytest.approx(-2.19)


def test_dla34_returns_raw_head_maps_in_tuple_order_at_stride_4():
    torch.manual_seed(0)
    net = build_model({**defaults(), "backbone": "dla34", "reid_dim": 128}).eval()
    with torch.no_grad():
        # The wh head made to give negative values: the network must not clamp them (FairMOT does not).
        net.wh[2].bias.fill_(-1.0)
        hm, wh, reg, emb = net(torch.rand(1, 3, 64, 96))
    assert hm.shape == (1, 1, 64 // STRIDE, 96 // STRIDE)
    assert wh.shape == (1, 4, 16, 24) and reg.shape == (1, 2, 16, 24) and emb.shape == (1, 128, 16, 24)
    assert float(hm.mean()) == pytest.approx(-2.19, abs=0.05)  # logits, not probabilities
    assert float(wh.max()) < 0
    assert not torch.allclose(emb.norm(dim=1), torch.ones(1))  # embeddings are normalised in decoding


def test_dla34_is_a_training_backbone_choice():
    assert load_hyperparameters({"backbone": "dla34"})["backbone"] == "dla34"
    with pytest.raises(ValueError):
        load_hyperparameters({"backbone": "dla60"})


def bilinear_zero_outside(img, y, x):
    """img [C, H, W] sampled at real (y, x); pixels outside the image count as 0."""
    _, h, w = img.shape
    y0, x0 = math.floor(y), math.floor(x)
    out = torch.zeros(img.shape[0], dtype=img.dtype)
    for yy, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
        for xx, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
            if 0 <= yy < h and 0 <= xx < w:
                out += wy * wx * img[:, yy, xx]
    return out


def modulated_deform_conv_reference(x, layer):
    """The definition, one output value at a time: DCNv2's conv_offset_mask output is split in three
    along channels; offsets = first two parts concatenated (tap k: channel 2k = dy, 2k + 1 = dx), mask =
    sigmoid of the third; out[o, i, j] = bias[o] + sum_k w[o, :, k] . mask_k * x(p_k + offset_k)."""
    x = x.double()
    raw = F.conv2d(x, layer.conv_offset_mask.weight.double(), layer.conv_offset_mask.bias.double(),
                   stride=layer.stride, padding=layer.padding, dilation=layer.dilation)
    n = raw.shape[1] // 3
    offset = torch.cat([raw[:, :n], raw[:, n:2 * n]], 1)
    mask = torch.sigmoid(raw[:, 2 * n:])
    weight, bias = layer.weight.double(), layer.bias.double()
    kh, kw = layer.kernel_size
    (sh, sw), (ph, pw), (dh, dw) = layer.stride, layer.padding, layer.dilation
    b, _, oh, ow = raw.shape
    out = torch.zeros(b, weight.shape[0], oh, ow, dtype=torch.float64)
    for bi in range(b):
        for i in range(oh):
            for j in range(ow):
                acc = bias.clone()
                for ki in range(kh):
                    for kj in range(kw):
                        k = ki * kw + kj
                        y = i * sh - ph + ki * dh + float(offset[bi, 2 * k, i, j])
                        xx = j * sw - pw + kj * dw + float(offset[bi, 2 * k + 1, i, j])
                        v = bilinear_zero_outside(x[bi], y, xx) * float(mask[bi, k, i, j])
                        acc += weight[:, :, ki, kj] @ v
                out[bi, :, i, j] = acc
    return out


@pytest.mark.parametrize("stride,padding,dilation", [(1, 1, 1), (2, 2, 2)])
def test_deformable_conv_equals_the_loop_reference(stride, padding, dilation):
    torch.manual_seed(3)
    layer = ModulatedDeformConv2d(3, 4, 3, stride=stride, padding=padding, dilation=dilation)
    with torch.no_grad():
        # Offsets of up to a few pixels (many samples between pixels, some outside the image) and
        # masks well away from 0.5.
        layer.conv_offset_mask.weight.normal_(0, 0.8)
        layer.conv_offset_mask.bias.normal_(0, 1.0)
        layer.bias.normal_(0, 0.5)
    x = torch.randn(2, 3, 7, 9)
    with torch.no_grad():
        got = layer(x)
        raw = layer.conv_offset_mask(x)
    offsets = raw[:, :18]
    assert float(offsets.abs().max()) > 2 and float((offsets - offsets.round()).abs().mean()) > 0.1
    assert float(raw[:, 18:].abs().mean()) > 0.5
    want = modulated_deform_conv_reference(x, layer)
    assert got.shape == want.shape
    torch.testing.assert_close(got.double(), want, rtol=1e-5, atol=1e-5)


def test_deformable_conv_starts_as_a_half_weighted_plain_conv():
    torch.manual_seed(1)
    layer = ModulatedDeformConv2d(3, 5)
    x = torch.randn(1, 3, 6, 6)
    with torch.no_grad():
        torch.testing.assert_close(layer(x), F.conv2d(x, layer.weight * 0.5, layer.bias, padding=1),
                                   rtol=1e-5, atol=1e-6)
