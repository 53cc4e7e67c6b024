"""Hyperparameters: defaults, and parsing of SageMaker's hyperparameters.json (every value is a string
there; the SageMaker Python SDK may also JSON-encode strings, e.g. '"resnet34"')."""
import json
from pathlib import Path

from .camera_motion import MODES as CAMERA_MOTION_MODES
from .model import BACKBONES

# name -> (type, default, help). The README's hyperparameter table is written from this.
HYPERPARAMETERS = {
    "epochs": (int, 30, "training epochs"),
    "batch_size": (int, 8, "images per batch"),
    "lr": (float, 2e-4, "Adam learning rate"),
    "weight_decay": (float, 0.0, "Adam weight decay"),
    "lr_step": (str, "", "comma-separated epochs after which lr is multiplied by 0.1"),
    "backbone": (str, "resnet34", "resnet18 | resnet34 | resnet50 (random init, or the pretrained channel's weights) | dla34 (FairMOT's network)"),
    "reid_dim": (int, 128, "re-ID embedding size"),
    "neck_channels": (int, 64, "channels of the stride-4 neck"),
    "head_conv": (int, 256, "hidden channels of each head"),
    "input_width": (int, 1088, "network input width (multiple of 32); frames are letterboxed"),
    "input_height": (int, 608, "network input height (multiple of 32)"),
    "id_loss_weight": (float, 1.0, "multiplies the identity cross-entropy before uncertainty weighting"),
    "hm_weight": (float, 1.0, "heatmap focal loss weight inside the detection loss"),
    "wh_weight": (float, 0.1, "box size L1 weight inside the detection loss"),
    "off_weight": (float, 1.0, "centre offset L1 weight inside the detection loss"),
    "max_objs": (int, 256, "most objects per image used as targets"),
    "flip_prob": (float, 0.5, "horizontal flip augmentation probability"),
    "scale_jitter": (float, 0.2, "random zoom range for augmentation (0 = off)"),
    "min_visibility": (float, 0.1, "ground-truth boxes less visible than this are ignored"),
    "frame_stride": (int, 1, "use every n-th training frame"),
    "val_frame_stride": (int, 1, "use every n-th validation frame for validation_loss"),
    "num_workers": (int, 4, "data loader worker processes"),
    "amp": (bool, True, "mixed precision on CUDA"),
    "sync_bn": (bool, True, "synchronised batch norm across processes (several CUDA processes only)"),
    "seed": (int, 0, "random seed"),
    "max_train_seconds": (float, 0.0, "stop training after this wall time (0 = no limit); ends the epoch early"),
    "export": (str, "torchscript", "torchscript | onnx | both | none"),
    "conf_thres": (float, 0.4, "detection score threshold for tracking"),
    "track_buffer": (int, 30, "frames a lost track is kept at 30 fps"),
    "top_k": (int, 500, "peaks decoded per frame"),
    "camera_motion": (str, "none", "camera-motion compensation of tracking: none (static cameras) | sparse_flow"),
    "eval_tracking": (bool, True, "track the validation sequences after training; MOTA/IDF1 go into the model card"),
    "eval_max_frames": (int, 0, "frames per validation sequence for that evaluation (0 = all)"),
    "eval_benchmark": (str, "MOT17", "MOTChallenge rules of that evaluation: MOT15 | MOT16 | MOT17 | MOT20 (as the gate's)"),
}

INFERENCE_KEYS = ("backbone", "reid_dim", "neck_channels", "head_conv", "input_width", "input_height",
                  "conf_thres", "track_buffer", "top_k", "camera_motion")


# Optional keys of a model's config.json beyond INFERENCE_KEYS (they are not hyperparameters). A model
# folder without them keeps the behaviour motflow's own training assumes (preprocessing_settings below,
# tracker.JdeTracker's defaults, no output filter); import_fairmot writes FairMOT's values.
PREPROCESSING_KEYS = ("pad_value", "channel_order", "input_mean", "input_std")
ASSOCIATION_KEYS = ("momentum", "motion_lambda", "emb_thresh", "iou_thresh", "unconfirmed_thresh",
                    "duplicate_thresh", "max_lost_seconds", "reid_after_seconds", "reid_thresh")
OUTPUT_FILTER_KEYS = ("min_box_area", "max_aspect_ratio")

# motflow's own network input (the ResNet backbones; any model folder whose config.json has no
# preprocessing keys): letterbox border 114, RGB, x = (pixel / 255 - 0.45) / 0.25.
MOTFLOW_PREPROCESSING = {"pad_value": 114.0, "channel_order": "rgb", "input_mean": [0.45, 0.45, 0.45],
                         "input_std": [0.25, 0.25, 0.25]}
# FairMOT's inference preprocessing (its letterbox: grey 127.5 border; RGB scaled to 0..1, no mean/std).
FAIRMOT_PREPROCESSING = {"pad_value": 127.5, "channel_order": "rgb", "input_mean": [0.0, 0.0, 0.0],
                         "input_std": [1.0, 1.0, 1.0]}


def preprocessing_settings(cfg) -> dict:
    """The network input a model expects: letterbox border value (0..255), channel order ("rgb" or
    "bgr"), and per-channel mean / std on the 0..1 scale: x = (pixel / 255 - mean) / std. Keys the
    config lacks take motflow's own values (MOTFLOW_PREPROCESSING)."""
    own = MOTFLOW_PREPROCESSING
    out = {"pad_value": float(cfg.get("pad_value", own["pad_value"])),
           "channel_order": str(cfg.get("channel_order", own["channel_order"])).lower(),
           "input_mean": [float(v) for v in cfg.get("input_mean", own["input_mean"])],
           "input_std": [float(v) for v in cfg.get("input_std", own["input_std"])]}
    problems = []
    if out["channel_order"] not in ("rgb", "bgr"):
        problems.append(f"channel_order must be rgb or bgr, not {out['channel_order']!r}")
    if len(out["input_mean"]) != 3 or len(out["input_std"]) != 3:
        problems.append("input_mean and input_std must have 3 values")
    if any(v <= 0 for v in out["input_std"]):
        problems.append("input_std values must be > 0")
    if problems:
        raise ValueError("model config.json: " + "; ".join(problems))
    return out


def training_preprocessing(backbone, pretrained_config=None):
    """(settings, origin): the network input a training job trains with and writes into its model's
    config.json, so that serving the trained model preprocesses as training did.
    - Warm start from a motflow model folder (pretrained_config = its config.json): that model's own,
      i.e. what serving it uses (motflow's values when its config.json has no preprocessing keys):
      fine-tuning keeps the inputs its weights learnt on.
    - Otherwise dla34: FairMOT's (FairMOT trains its DLA-34 so, from ImageNet weights or its own
      checkpoints; a warm start from a published checkpoint sees the inputs it was trained on).
    - Otherwise (the ResNet backbones): motflow's own, unchanged."""
    if pretrained_config is not None:
        return preprocessing_settings(pretrained_config), "the pretrained model's config.json"
    if backbone == "dla34":
        return preprocessing_settings(FAIRMOT_PREPROCESSING), "FairMOT's, for backbone dla34"
    return preprocessing_settings({}), f"motflow's, for backbone {backbone}"


def inherited_tracking_settings(pretrained_config) -> dict:
    """A pretrained model folder's association and output-filter keys, which a fine-tuned model keeps
    (they are not hyperparameters: the fine-tune of an imported FairMOT model tracks as it did)."""
    return {k: pretrained_config[k] for k in ASSOCIATION_KEYS + OUTPUT_FILTER_KEYS
            if pretrained_config and pretrained_config.get(k) is not None}


def describe_preprocessing(pre) -> str:
    return (f"pad {pre['pad_value']:g}, {pre['channel_order'].upper()}, x = (pixel / 255 - "
            f"{[round(v, 4) for v in pre['input_mean']]}) / {[round(v, 4) for v in pre['input_std']]}")


def _parse_bool(v: str) -> bool:
    s = v.strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True
    if s in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {v!r}")


def parse_value(name, raw):
    typ = HYPERPARAMETERS[name][0]
    if isinstance(raw, str):
        s = raw.strip()
        if len(s) >= 2 and s[0] == s[-1] == '"':
            s = json.loads(s)
        raw = s
    if typ is bool:
        return raw if isinstance(raw, bool) else _parse_bool(str(raw))
    if typ is int:
        f = float(raw)
        if f != int(f):
            raise ValueError(f"{name} must be an integer, not {raw!r}")
        return int(f)
    return typ(raw)


def defaults():
    return {k: v[1] for k, v in HYPERPARAMETERS.items()}


def load_hyperparameters(overrides: dict):
    """Defaults updated with the given (string) values; unknown keys are an error except SageMaker's own
    (sagemaker_*, _tuning_*) which are ignored."""
    cfg = defaults()
    unknown = []
    for k, v in (overrides or {}).items():
        if k.startswith("sagemaker_") or k.startswith("_"):
            continue
        if k not in HYPERPARAMETERS:
            unknown.append(k)
            continue
        try:
            cfg[k] = parse_value(k, v)
        except (ValueError, TypeError, json.JSONDecodeError) as e:
            raise ValueError(f"hyperparameter {k}={v!r}: {e}") from None
    if unknown:
        raise ValueError(f"unknown hyperparameters: {', '.join(sorted(unknown))}")
    validate(cfg)
    return cfg


def validate(cfg):
    problems = []
    if cfg["backbone"] not in BACKBONES:
        problems.append(f"backbone must be one of {BACKBONES}")
    for k in ("input_width", "input_height"):
        if cfg[k] < 64 or cfg[k] % 32:
            problems.append(f"{k} must be a multiple of 32 and >= 64")
    for k in ("epochs", "batch_size", "reid_dim", "max_objs", "frame_stride", "val_frame_stride", "top_k", "neck_channels",
              "head_conv"):
        if cfg[k] < 1:
            problems.append(f"{k} must be >= 1")
    if cfg["lr"] <= 0:
        problems.append("lr must be > 0")
    if cfg["export"] not in ("torchscript", "onnx", "both", "none"):
        problems.append("export must be torchscript, onnx, both or none")
    if cfg["eval_benchmark"] not in ("MOT15", "MOT16", "MOT17", "MOT20"):
        problems.append("eval_benchmark must be MOT15, MOT16, MOT17 or MOT20")
    if cfg["camera_motion"] not in CAMERA_MOTION_MODES:
        problems.append(f"camera_motion must be one of {', '.join(CAMERA_MOTION_MODES)}")
    if not 0 <= cfg["flip_prob"] <= 1:
        problems.append("flip_prob must be in [0, 1]")
    if problems:
        raise ValueError("; ".join(problems))


def read_hyperparameters_file(path: Path):
    if not path.exists():
        return {}
    data = json.loads(path.read_text() or "{}")
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object")
    return data


def lr_steps(cfg):
    return sorted(int(s) for s in str(cfg["lr_step"]).replace(" ", "").split(",") if s)
