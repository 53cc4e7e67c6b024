"""Checkpoints in the layout of FairMOT's published DLA-34 files, made from the network's own key list
with random (but numerically tame) values: nothing is downloaded. Shared by the tests that import,
serve, track with and fine-tune from such a checkpoint."""
import math

import torch

from motflow_ml.dla import DLASeg


def random_fairmot_state_dict(seed=0, reid_dim=128, hm_bias=1.0, wh_bias=4.0):
    """name -> tensor for every entry of DLASeg's state_dict. Conv weights ~ N(0, 1/fan_in), BN affine
    near identity with running statistics that are not (so that they matter), deformable offsets of
    about a pixel. hm_bias > 0 makes most peaks pass FairMOT's 0.4 threshold and wh_bias > 0 gives boxes
    of about 2 * wh_bias * 4 pixels, so that a random network still yields detections to track."""
    g = torch.Generator().manual_seed(seed)
    net = DLASeg(reid_dim=reid_dim)
    batch_norms = {name for name, m in net.named_modules() if isinstance(m, torch.nn.BatchNorm2d)}
    out = {}
    for name, ref in net.state_dict().items():
        owner, leaf = name.rsplit(".", 1)
        shape = ref.shape
        if owner in batch_norms:
            if leaf == "num_batches_tracked":
                out[name] = torch.tensor(1000, dtype=torch.long)
            elif leaf == "running_var":
                out[name] = 0.5 + torch.rand(shape, generator=g)
            else:  # weight near 1; bias and running_mean near 0
                out[name] = (1.0 if leaf == "weight" else 0.0) + 0.1 * torch.randn(shape, generator=g)
        elif ref.dim() == 4:
            fan_in = shape[1] * shape[2] * shape[3]
            scale = 3.0 if "conv_offset_mask" in name else 1.0  # offsets of about a pixel
            out[name] = scale * torch.randn(shape, generator=g) / math.sqrt(fan_in)
        else:  # conv biases
            out[name] = 0.05 * torch.randn(shape, generator=g)
    out["hm.2.bias"] = torch.full((1,), float(hm_bias))
    out["wh.2.bias"] = torch.full((4,), float(wh_bias))
    return out


def save_fairmot_checkpoint(path, state, epoch=30, prefix="module.", wrapped=True, legacy=True):
    """As FairMOT saves: {"epoch": N, "state_dict": ...}, keys with DataParallel's prefix, in the
    pre-1.6 (non-zip) serialisation of the published files when legacy is set."""
    state = {prefix + k: v for k, v in state.items()}
    obj = {"epoch": epoch, "state_dict": state} if wrapped else state
    torch.save(obj, str(path), _use_new_zipfile_serialization=not legacy)
    return path
