"""The one-shot tracker networks and their losses. Two families, one output contract (a tuple of
stride-4 maps: heatmap logits, ltrb size, centre offset, re-ID embedding):
- TrackerNet: ResNet backbone, stride-4 upsampling neck, CenterNet-style heads (motflow's own);
- dla.DLASeg (backbone "dla34"): FairMOT's DLA-34 network, parameter for parameter, so that FairMOT's
  published checkpoints load (motflow_ml.import_fairmot).
Plus the training losses balanced by learned uncertainty weights, and load_model(model_dir).

Runs on torch 1.13 and 2.x alike; no custom CUDA extension.
"""
import json
import math
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

from .dla import DLASeg

STRIDE = 4
RESNET_BACKBONES = ("resnet18", "resnet34", "resnet50")
BACKBONES = RESNET_BACKBONES + ("dla34",)


def _resnet(name: str) -> nn.Module:
    ctor = getattr(torchvision.models, name)
    try:
        return ctor(weights=None)  # torchvision >= 0.13: nothing is downloaded
    except TypeError:
        return ctor(pretrained=False)


class ConvBnRelu(nn.Sequential):
    def __init__(self, cin, cout, k=3):
        super().__init__(nn.Conv2d(cin, cout, k, padding=k // 2, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class Neck(nn.Module):
    """Top-down merge of strides 32/16/8/4 into one stride-4 map (lateral 1x1, upsample, add, smooth)."""

    def __init__(self, in_channels, channels):
        super().__init__()
        self.lateral = nn.ModuleList([nn.Conv2d(c, channels, 1) for c in in_channels])
        self.smooth = nn.ModuleList([ConvBnRelu(channels, channels) for _ in in_channels[:-1]])

    def forward(self, feats):
        # feats: strides 4, 8, 16, 32
        x = self.lateral[-1](feats[-1])
        for i in range(len(feats) - 2, -1, -1):
            lat = self.lateral[i](feats[i])
            x = F.interpolate(x, size=lat.shape[-2:], mode="nearest") + lat
            x = self.smooth[i](x)
        return x


def _head(cin, mid, cout, bias_fill=None):
    head = nn.Sequential(nn.Conv2d(cin, mid, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(mid, cout, 1))
    if bias_fill is not None:
        nn.init.constant_(head[-1].bias, bias_fill)
    return head


class TrackerNet(nn.Module):
    """Returns (heatmap logits [B,1,h,w], ltrb size [B,4,h,w], offset [B,2,h,w], embedding [B,D,h,w])
    at stride 4. A tuple (not a dict) so that tracing and ONNX export are straightforward."""

    def __init__(self, backbone="resnet34", reid_dim=128, neck_channels=64, head_conv=256):
        super().__init__()
        if backbone not in RESNET_BACKBONES:
            raise ValueError(f"TrackerNet's backbone must be one of {RESNET_BACKBONES}, not {backbone!r}")
        r = _resnet(backbone)
        self.stem = nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool)
        self.layers = nn.ModuleList([r.layer1, r.layer2, r.layer3, r.layer4])
        expansion = 4 if backbone == "resnet50" else 1
        chans = [64 * expansion, 128 * expansion, 256 * expansion, 512 * expansion]
        self.neck = Neck(chans, neck_channels)
        # Heatmap bias so that the initial sigmoid is ~0.1: keeps the focal loss stable from scratch.
        self.hm = _head(neck_channels, head_conv, 1, bias_fill=-2.19)
        self.wh = _head(neck_channels, head_conv, 4)
        self.reg = _head(neck_channels, head_conv, 2)
        self.id = _head(neck_channels, head_conv, reid_dim)
        self.reid_dim = reid_dim

    def forward(self, x):
        x = self.stem(x)
        feats = []
        for layer in self.layers:
            x = layer(x)
            feats.append(x)
        y = self.neck(feats)
        # Sizes are distances, so non-negative: ReLU keeps regression targets well posed.
        return self.hm(y), F.relu(self.wh(y)), self.reg(y), self.id(y)


def load_file(path, trusted=False):
    """torch.load on the CPU. Model weights load with weights_only (no code runs from a model file);
    our own checkpoints also hold plain Python objects (the lr scheduler's Counter) that torch >= 2.6's
    weights_only default refuses, so they load with weights_only=False."""
    try:
        return torch.load(str(path), map_location="cpu", weights_only=not trusted)
    except TypeError:  # a torch without the weights_only argument
        return torch.load(str(path), map_location="cpu")


def build_model(cfg) -> nn.Module:
    """The network a config (hyperparameters or a model's config.json) describes, freshly initialised.
    dla34 has its fixed 64-channel neck (neck_channels does not apply to it)."""
    if cfg["backbone"] == "dla34":
        return DLASeg(reid_dim=int(cfg["reid_dim"]), head_conv=int(cfg.get("head_conv", 256)))
    if cfg["backbone"] not in BACKBONES:
        raise ValueError(f"backbone must be one of {BACKBONES}, not {cfg['backbone']!r}")
    return TrackerNet(backbone=cfg["backbone"], reid_dim=int(cfg["reid_dim"]),
                      neck_channels=int(cfg.get("neck_channels", 64)), head_conv=int(cfg.get("head_conv", 256)))


def read_model_config(model_dir) -> dict:
    """A model folder's config.json over the hyperparameter defaults (keys it lacks keep today's values)."""
    from .config import defaults  # config imports BACKBONES from here
    cfg_file = Path(model_dir) / "config.json"
    if not cfg_file.is_file():
        raise FileNotFoundError(f"{model_dir} must hold config.json and model.pth (a motflow model folder)")
    cfg = defaults()
    cfg.update(json.loads(cfg_file.read_text()))
    return cfg


def load_model(model_dir, cfg=None) -> nn.Module:
    """The network of a motflow model folder (config.json + model.pth), weights loaded strictly, in eval
    mode on the CPU. Called on a [B, 3, H, W] float tensor it returns (hm logits, wh, reg, id) at stride 4.
    cfg: the folder's config when the caller has already read (and maybe overridden) it."""
    model_dir = Path(model_dir)
    cfg = read_model_config(model_dir) if cfg is None else cfg
    weights = model_dir / "model.pth"
    if not weights.is_file():
        raise FileNotFoundError(f"{model_dir} must hold config.json and model.pth (a motflow model folder)")
    model = build_model(cfg)
    model.load_state_dict(load_file(weights))
    return model.eval()


# ----------------------------------------------------------------------------------------------------
# Losses


def focal_loss(logits, target):
    """CenterNet's penalty-reduced focal loss; target is the gaussian-splatted heatmap (1 at centres)."""
    pred = torch.sigmoid(logits.float()).clamp(1e-4, 1 - 1e-4)
    target = target.float()
    pos = target.eq(1).float()
    neg_weight = torch.pow(1 - target, 4)
    pos_loss = torch.log(pred) * torch.pow(1 - pred, 2) * pos
    neg_loss = torch.log(1 - pred) * torch.pow(pred, 2) * neg_weight * (1 - pos)
    num_pos = pos.sum()
    return -(pos_loss.sum() + neg_loss.sum()) / torch.clamp(num_pos, min=1.0)


def gather_at(feat, ind):
    """feat [B,C,h,w], ind [B,K] flat indices -> [B,K,C]."""
    b, c = feat.shape[:2]
    flat = feat.reshape(b, c, -1).permute(0, 2, 1)
    return flat.gather(1, ind.unsqueeze(-1).expand(-1, -1, c))


def masked_l1(pred, target, mask):
    m = mask.unsqueeze(-1).float()
    return (torch.abs(pred.float() - target) * m).sum() / (m.sum() * pred.shape[-1] + 1e-4)


class TrackerLoss(nn.Module):
    """Detection (focal + L1 size + L1 offset) and identity cross-entropy, combined as in FairMOT's
    paper with learned uncertainty weights: 0.5 * (exp(-s_det) L_det + exp(-s_id) L_id + s_det + s_id)."""

    def __init__(self, num_ids, reid_dim=128, hm_weight=1.0, wh_weight=0.1, off_weight=1.0, id_weight=1.0):
        super().__init__()
        self.num_ids = max(1, int(num_ids))
        self.classifier = nn.Linear(reid_dim, self.num_ids)
        self.emb_scale = math.sqrt(2) * math.log(max(self.num_ids - 1, 2))
        self.s_det = nn.Parameter(torch.tensor(-1.85))
        self.s_id = nn.Parameter(torch.tensor(-1.05))
        self.hm_weight, self.wh_weight, self.off_weight, self.id_weight = hm_weight, wh_weight, off_weight, id_weight

    def detection_terms(self, outputs, batch):
        hm, wh, reg, _ = outputs
        mask = batch["mask"]
        return {
            "hm": focal_loss(hm, batch["hm"]),
            "wh": masked_l1(gather_at(wh, batch["ind"]), batch["wh"], mask),
            "off": masked_l1(gather_at(reg, batch["ind"]), batch["reg"], mask),
        }

    def detection_loss(self, terms):
        return self.hm_weight * terms["hm"] + self.wh_weight * terms["wh"] + self.off_weight * terms["off"]

    def forward(self, outputs, batch):
        terms = self.detection_terms(outputs, batch)
        det = self.detection_loss(terms)
        emb = gather_at(outputs[3], batch["ind"]).float()
        sel = (batch["mask"] > 0) & (batch["ids"] >= 0)
        if bool(sel.any()):
            e = self.emb_scale * F.normalize(emb[sel], dim=1)
            id_loss = F.cross_entropy(self.classifier(e), batch["ids"][sel])
        else:
            id_loss = det.new_zeros(())
        id_loss = id_loss * self.id_weight
        total = 0.5 * (torch.exp(-self.s_det) * det + torch.exp(-self.s_id) * id_loss + self.s_det + self.s_id)
        terms.update(det=det, id=id_loss, total=total)
        return total, terms
