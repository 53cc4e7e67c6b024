"""SageMaker training job: ``python -m motflow_ml.train`` (started by the image's ``train`` command,
``motflow_ml.launch``: one process, or one per GPU and host under torchrun).

Contract (paths under $MOTFLOW_OPT_ML, default /opt/ml):
  input/data/train/        MOTChallenge sequences (<seq>/img1/*.jpg, <seq>/gt/gt.txt, <seq>/seqinfo.ini)
  input/data/validation/   optional, same layout; else the validation loss is taken on training frames
  input/data/pretrained/   optional weights to start from (see motflow_ml.pretrained)
  input/config/hyperparameters.json   string values (see config.HYPERPARAMETERS)
  checkpoints/checkpoint.pt           written after every epoch (rank 0); training resumes from it
  model/   model.pth (weights), config.json, model.ts (TorchScript) and/or model.onnx, model_card.json
  output/failure                      the reason, when the job fails (exit status 1)
Prints ``validation_loss=<float>`` after every epoch (the tuning objective; rank 0 only).
"""
import inspect
import json
import os
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, Subset

from . import __version__, distributed, paths, pretrained
from .config import (INFERENCE_KEYS, PREPROCESSING_KEYS, describe_preprocessing, inherited_tracking_settings,
                     load_hyperparameters, lr_steps, preprocessing_settings, read_hyperparameters_file,
                     training_preprocessing, validate)
from .data import MotDataset, find_sequences, load_sequence
from .model import TrackerLoss, build_model, load_file

CHECKPOINT_NAME = "checkpoint.pt"
# Hyperparameters that change tensor shapes or the identity set: a checkpoint made with other values
# cannot be resumed.
SHAPE_KEYS = ("backbone", "reid_dim", "neck_channels", "head_conv")


class TrainingError(Exception):
    """A problem with the job's inputs, reported in /opt/ml/output/failure."""


def log(ctx, msg):
    if ctx.is_main:  # one copy of every line (SageMaker's metric regexes read the log)
        print(msg, flush=True)


def load_sequences(root, cfg, required):
    seq_dirs = find_sequences(root)
    if not seq_dirs:
        if required:
            raise TrainingError(f"no MOTChallenge sequences (<seq>/img1/) under {root}")
        return []
    seqs = []
    for d in seq_dirs:
        try:
            seqs.append(load_sequence(d, min_visibility=cfg["min_visibility"]))
        except ValueError as e:
            raise TrainingError(str(e)) from None
    if required and not any(len(s.boxes) for s in seqs):
        raise TrainingError(f"the sequences under {root} have no usable ground-truth boxes")
    return seqs


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def to_device(batch, device):
    return {k: v.to(device, non_blocking=True) for k, v in batch.items()}


def make_scaler(enabled):
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):
        try:
            return torch.amp.GradScaler("cuda", enabled=enabled)
        except TypeError:
            pass
    return torch.cuda.amp.GradScaler(enabled=enabled)


def save_atomic(obj, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, str(tmp))
    os.replace(tmp, path)


def load_checkpoint(cfg, num_ids, preprocessing):
    ck = paths.checkpoint_dir() / CHECKPOINT_NAME
    if not ck.exists():
        return None
    state = load_file(ck, trusted=True)
    for k in SHAPE_KEYS:
        if state["cfg"].get(k) != cfg[k]:
            raise TrainingError(f"checkpoint {ck} was made with {k}={state['cfg'].get(k)!r}, this job has {cfg[k]!r}")
    if state["num_ids"] != num_ids:
        raise TrainingError(f"checkpoint {ck} has {state['num_ids']} identities, the training data {num_ids}")
    # Checkpoints from before preprocessing was recorded were all made with motflow's own.
    theirs = state.get("preprocessing") or preprocessing_settings({})
    if theirs != preprocessing:
        raise TrainingError(f"checkpoint {ck} was trained with input preprocessing {describe_preprocessing(theirs)}, "
                            f"this job would use {describe_preprocessing(preprocessing)} (a different pretrained "
                            "channel?): restore the job's inputs or start without the checkpoint")
    return state


@torch.no_grad()
def validation_loss(net, loss_fn, loader, device, amp, ctx):
    """Mean detection loss (heatmap focal + weighted size and offset L1) over the validation frames (each
    rank scores its share; the sums are added over ranks). The identity term is left out: validation
    identities are not classes of the training classifier."""
    net.eval()
    total, n = 0.0, 0
    for batch in loader:
        batch = to_device(batch, device)
        with torch.autocast(device_type=device.type, enabled=amp):
            out = net(batch["input"])
        det = loss_fn.detection_loss(loss_fn.detection_terms(out, batch))
        total += float(det) * len(batch["input"])
        n += len(batch["input"])
    net.train()
    total, n = distributed.sum_across_ranks(ctx, [total, n], device)
    return total / max(n, 1)


# Why a backbone's network cannot be exported to ONNX (skipped, with this reason in the log and the card).
ONNX_UNSUPPORTED = {
    "dla34": "torchvision's deform_conv2d (the DLA-34 neck's deformable convolution) has no ONNX export in "
             "torch.onnx's TorchScript exporter; use model.ts (TorchScript) or model.pth",
}


def export_model(model, cfg, model_dir: Path):
    """TorchScript (traced on the CPU in fp32) and/or ONNX; returns {format: file, or format_error /
    format_skipped: why not}."""
    result = {}
    cpu = build_model(cfg)
    cpu.load_state_dict({k: v.cpu() for k, v in model.state_dict().items()})
    cpu.eval()
    example = torch.zeros(1, 3, cfg["input_height"], cfg["input_width"])
    if cfg["export"] in ("torchscript", "both"):
        try:
            with torch.no_grad():
                traced = torch.jit.trace(cpu, example)
            traced.save(str(model_dir / "model.ts"))
            result["torchscript"] = "model.ts"
        except Exception as e:  # the weights are the deliverable; an export problem must not lose them
            result["torchscript_error"] = f"{type(e).__name__}: {e}"
    if cfg["export"] in ("onnx", "both") and cfg["backbone"] in ONNX_UNSUPPORTED:
        result["onnx_skipped"] = ONNX_UNSUPPORTED[cfg["backbone"]]
    elif cfg["export"] in ("onnx", "both"):
        try:
            # the TorchScript-based exporter: torch >= 2.9 defaults to the dynamo one, which needs onnxscript
            kw = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
            torch.onnx.export(cpu, example, str(model_dir / "model.onnx"), input_names=["input"],
                              output_names=["heatmap", "ltrb", "offset", "embedding"], opset_version=17,
                              dynamic_axes={"input": {0: "batch"}}, **kw)
            result["onnx"] = "model.onnx"
        except Exception as e:  # ONNX is optional: the weights and TorchScript are the deliverable
            result["onnx_error"] = f"{type(e).__name__}: {e}"
    return result


def evaluate_tracking(model, cfg, seqs, device, max_frames):
    """Tracks the validation sequences and scores the MOT text the gate would score (the evaluation
    job's <seq>.txt) against the sequences' gt.txt with the gate's definitions and benchmark rules."""
    from . import metrics
    from .inference import Predictor
    from .pipeline import track_sequence
    pred = Predictor(model, cfg, device=device)
    benchmark, note = cfg["eval_benchmark"], None
    results = []
    for s in seqs:
        res = track_sequence(pred, s, batch_size=max(1, min(8, cfg["batch_size"])), max_frames=max_frames)
        gt = metrics.read_rows((s.root / "gt" / "gt.txt").read_text())
        results.append((s.name, gt[gt[:, 0] <= res.frames], metrics.read_rows(res.mot_text())))
    model.train()
    try:
        scores = {name: metrics.evaluate_rows(gt, hyp, benchmark) for name, gt, hyp in results}
    except ValueError as e:
        if benchmark == "MOT15":
            raise
        # e.g. ground truth without MOTChallenge classes: the card still gets numbers, marked as such
        note = f"scored with MOT15 rules instead of {benchmark}: {e}"
        benchmark = "MOT15"
        scores = {name: metrics.evaluate_rows(gt, hyp, benchmark) for name, gt, hyp in results}
    overall = metrics.with_summary_names(metrics.combine_scores(list(scores.values())))
    per_seq = {name: metrics.clean(metrics.with_summary_names(sc)) for name, sc in scores.items()}
    return {"benchmark": benchmark, "definitions": metrics.DEFAULT_MODE, "note": note, "overall": metrics.clean(overall),
            "sequences": per_seq}


class TrainingStep(nn.Module):
    """Network and loss as one module, so that DistributedDataParallel averages the gradients of both
    (the identity classifier and the uncertainty weights live in the loss)."""

    def __init__(self, net, loss_fn, amp, distributed):
        super().__init__()
        self.net, self.loss_fn, self.amp, self.distributed = net, loss_fn, amp, distributed

    def forward(self, batch):
        x = batch["input"]
        with torch.autocast(device_type=x.device.type, enabled=self.amp):
            out = self.net(x)
        loss, terms = self.loss_fn(out, batch)
        if self.distributed:
            # DDP needs a gradient for every parameter on every rank; a batch without identities leaves
            # the embedding head and classifier out of the graph, so tie them in with weight zero.
            loss = loss + 0.0 * (out[3].float().sum() + sum(p.sum() for p in self.loss_fn.classifier.parameters()))
        return loss, terms


def shard(dataset, ctx):
    """This rank's share of the validation frames: every world_size-th, no padding, so that the sums
    over ranks are the sums over the set."""
    return Subset(dataset, list(range(ctx.rank, len(dataset), ctx.world_size))) if ctx.enabled else dataset


def read_checkpoint_on_main(ctx, cfg, num_ids, preprocessing):
    """Rank 0 reads the spot checkpoint (the only rank guaranteed to have written one) and every rank
    gets it; an unusable one fails every rank alike."""
    state, error = None, None
    if ctx.is_main:
        try:
            state = load_checkpoint(cfg, num_ids, preprocessing)
        except TrainingError as e:
            error = str(e)
    state, error = distributed.broadcast_from_main(ctx, (state, error))
    if error:
        raise TrainingError(error)
    return state


def prepare_pretrained(cfg, explicit, ctx):
    """Reads the pretrained channel (every rank: each host has its copy) and adopts a model folder's
    shape settings; None when the channel is empty."""
    try:
        source = pretrained.read_channel(paths.channel_dir("pretrained"))
        if source is None:
            return None
        for note in pretrained.adopt_config(cfg, explicit, source):
            log(ctx, note)
    except pretrained.PretrainedError as e:
        raise TrainingError(str(e)) from None
    validate(cfg)
    return source


def run(_args=None):
    ctx = distributed.setup()
    try:
        train(ctx)
    finally:
        distributed.shutdown(ctx)


def train(ctx):
    overrides = read_hyperparameters_file(paths.hyperparameters_file())
    cfg = load_hyperparameters(overrides)
    explicit = {k for k in overrides if k in cfg}
    source = prepare_pretrained(cfg, explicit, ctx)
    log(ctx, "hyperparameters: " + json.dumps(cfg, sort_keys=True))
    pretrained_config = source.config if source is not None and source.config else None
    try:
        preprocessing, origin = training_preprocessing(cfg["backbone"], pretrained_config)
    except ValueError as e:
        raise TrainingError(f"pretrained channel: {e}") from None
    log(ctx, f"input preprocessing: {describe_preprocessing(preprocessing)} ({origin})")
    # What the model's config.json says beyond the hyperparameters: its preprocessing, and a pretrained
    # model folder's association and output-filter settings.
    model_settings = {**inherited_tracking_settings(pretrained_config), **preprocessing}
    if len(model_settings) > len(preprocessing):
        log(ctx, "tracking settings kept from the pretrained model's config.json: " + json.dumps(
            {k: v for k, v in model_settings.items() if k not in preprocessing}, sort_keys=True))
    seed_everything(cfg["seed"])
    train_seqs = load_sequences(paths.channel_dir("train"), cfg, required=True)
    val_seqs = load_sequences(paths.channel_dir("validation"), cfg, required=False)
    device = distributed.device(ctx)
    amp = bool(cfg["amp"] and device.type == "cuda")
    cpus_per_rank = max(1, (os.cpu_count() or 1) // ctx.local_world_size)
    workers = max(0, min(cfg["num_workers"], cpus_per_rank - 1))
    w, h = cfg["input_width"], cfg["input_height"]

    train_set = MotDataset(train_seqs, w, h, cfg["max_objs"], augment=True, flip_prob=cfg["flip_prob"],
                           scale_jitter=cfg["scale_jitter"], frame_stride=cfg["frame_stride"], seed=cfg["seed"],
                           preprocessing=preprocessing)
    if train_set.num_ids == 0:
        raise TrainingError("the training data has no identities")
    if val_seqs:
        val_set = MotDataset(val_seqs, w, h, cfg["max_objs"], augment=False, frame_stride=cfg["val_frame_stride"],
                             id_map={}, preprocessing=preprocessing)
        val_source = "validation channel"
    else:
        stride = max(1, len(train_set) // 64)
        val_set = MotDataset(train_seqs, w, h, cfg["max_objs"], augment=False, frame_stride=stride, id_map={},
                             preprocessing=preprocessing)
        val_source = "training frames (no validation channel)"
    sync_bn = bool(cfg["sync_bn"] and ctx.enabled and device.type == "cuda")
    log(ctx, f"train: {len(train_seqs)} sequences, {len(train_set)} frames, {train_set.num_ids} identities; "
        f"validation: {len(val_set)} frames from {val_source}; device {device}, amp {amp}, workers {workers}")
    if ctx.enabled:
        log(ctx, f"distributed: {ctx.world_size} processes ({ctx.local_world_size} per host), backend "
            f"{ctx.backend}, batch {cfg['batch_size']} per process ({cfg['batch_size'] * ctx.world_size} in all), "
            f"SyncBatchNorm {sync_bn}")

    # Each rank sees its own 1/world_size of every epoch's permutation (padded to equal lengths, so that
    # all ranks run the same number of steps); the permutation depends on (seed, epoch) only.
    sampler = DistributedSampler(train_set, num_replicas=ctx.world_size, rank=ctx.rank, shuffle=True,
                                 seed=cfg["seed"], drop_last=False)
    loader_kw = dict(num_workers=workers, pin_memory=device.type == "cuda", persistent_workers=False)
    train_loader = DataLoader(train_set, batch_size=cfg["batch_size"], sampler=sampler, drop_last=False, **loader_kw)
    val_loader = DataLoader(shard(val_set, ctx), batch_size=cfg["batch_size"], shuffle=False, **loader_kw)

    net = build_model(cfg)
    loss_fn = TrackerLoss(train_set.num_ids, cfg["reid_dim"], cfg["hm_weight"], cfg["wh_weight"], cfg["off_weight"],
                          cfg["id_loss_weight"])
    state = read_checkpoint_on_main(ctx, cfg, train_set.num_ids, preprocessing)
    pretrained_report = None
    if state is not None:
        net.load_state_dict(state["model"])
        loss_fn.load_state_dict(state["loss"])
        pretrained_report = state.get("pretrained")
        if source is not None:
            log(ctx, "pretrained channel not loaded: resuming from the checkpoint, which already started from it")
    elif source is not None:
        try:
            pretrained_report = pretrained.load_into(net, source, cfg["backbone"])
        except pretrained.PretrainedError as e:
            raise TrainingError(str(e)) from None
        log(ctx, pretrained.describe(pretrained_report))
    source = None  # the tensors are in the network now
    net.to(device)
    loss_fn.to(device)
    if sync_bn:
        net = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    step = TrainingStep(net, loss_fn, amp, ctx.enabled)
    if ctx.enabled:
        # Broadcasts rank 0's parameters and buffers: every rank starts from the same weights.
        step = DistributedDataParallel(step, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = torch.optim.Adam(step.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=lr_steps(cfg) or [10 ** 9], gamma=0.1)
    scaler = make_scaler(amp)

    history = []
    start_epoch = 1
    if state is not None:
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        history = state["history"]
        start_epoch = state["epoch"] + 1
        torch.set_rng_state(state["torch_rng"])
        log(ctx, f"resumed from checkpoint: epoch {state['epoch']} done, continuing at epoch {start_epoch}")
        state = None

    t_start = time.time()
    stopped_early = False
    for epoch in range(start_epoch, cfg["epochs"] + 1):
        step.train()
        train_set.epoch = epoch
        sampler.set_epoch(epoch)
        t0, total, n = time.time(), 0.0, 0
        terms_sum = {}
        for batch in train_loader:
            batch = to_device(batch, device)
            loss, terms = step(batch)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            total += float(loss)
            n += 1
            for k, v in terms.items():
                terms_sum[k] = terms_sum.get(k, 0.0) + float(v)
            if cfg["max_train_seconds"] and distributed.any_rank(
                    ctx, time.time() - t_start > cfg["max_train_seconds"], device):
                stopped_early = True
                break
        scheduler.step()
        term_names = sorted(k for k in terms_sum if k != "total")
        sums = distributed.sum_across_ranks(ctx, [total, n] + [terms_sum[k] for k in term_names], device)
        total, n_all = sums[0], sums[1]
        terms_mean = {k: v / max(n_all, 1) for k, v in zip(term_names, sums[2:])}
        val = validation_loss(net, loss_fn, val_loader, device, amp, ctx)
        rec = {"epoch": epoch, "train_loss": total / max(n_all, 1), "validation_loss": val,
               "seconds": round(time.time() - t0, 2), "iterations": n,
               **{f"train_{k}": v for k, v in terms_mean.items()}}
        history.append(rec)
        log(ctx, f"epoch {epoch}/{cfg['epochs']}: train_loss={rec['train_loss']:.5f} "
            f"hm={rec.get('train_hm', 0):.4f} wh={rec.get('train_wh', 0):.4f} off={rec.get('train_off', 0):.4f} "
            f"id={rec.get('train_id', 0):.4f} ({rec['seconds']}s, {n} iterations)")
        log(ctx, f"validation_loss={val:.6f}")
        if ctx.is_main:
            save_atomic({"epoch": epoch, "model": plain_state(net), "loss": loss_fn.state_dict(),
                         "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                         "history": history, "cfg": cfg, "num_ids": train_set.num_ids,
                         "torch_rng": torch.get_rng_state(), "pretrained": pretrained_report,
                         "preprocessing": preprocessing},
                        paths.checkpoint_dir() / CHECKPOINT_NAME)
        distributed.barrier(ctx)
        if stopped_early:
            log(ctx, f"max_train_seconds={cfg['max_train_seconds']} reached: stopping after epoch {epoch}")
            break

    if ctx.is_main:
        write_model(cfg, model_settings, net, history, train_seqs, val_seqs, train_set, val_source, device,
                    pretrained_report, ctx, sync_bn, t_start)
    distributed.barrier(ctx)  # the other ranks end once the model is written


def plain_state(net):
    """The network's weights on the CPU, under the single-process names (SyncBatchNorm has BatchNorm's)."""
    return {k: v.detach().cpu() for k, v in net.state_dict().items()}


def write_model(cfg, model_settings, net, history, train_seqs, val_seqs, train_set, val_source, device,
                pretrained_report, ctx, sync_bn, t_start):
    """model.pth, config.json (INFERENCE_KEYS + model_settings: preprocessing and kept tracking settings),
    exports and the model card; tracks the validation sequences when asked."""
    mdir = paths.model_dir()
    mdir.mkdir(parents=True, exist_ok=True)
    weights = plain_state(net)
    torch.save(weights, str(mdir / "model.pth"))
    # The preprocessing keys too: serving and processing must feed the model what training fed it.
    inference_cfg = {**{k: cfg[k] for k in INFERENCE_KEYS}, **model_settings}
    (mdir / "config.json").write_text(json.dumps(inference_cfg, indent=2, sort_keys=True) + "\n")
    # A plain network (no SyncBatchNorm, no DDP) for export and tracking.
    plain = build_model(cfg)
    plain.load_state_dict(weights)
    exports = export_model(plain, cfg, mdir)
    for name, why in exports.items():
        if name.endswith(("_error", "_skipped")):
            log(ctx, f"export {name.replace('_', ' ')}: {why}")

    tracking = None
    if cfg["eval_tracking"] and val_seqs:
        tracking = evaluate_tracking(plain.to(device), {**cfg, **model_settings}, val_seqs, device,
                                     cfg["eval_max_frames"])
        overall = tracking["overall"]
        log(ctx, f"validation tracking ({tracking['benchmark']} rules): MOTA={overall['MOTA']:.4f} "
            f"IDF1={overall['IDF1']:.4f} HOTA={overall['HOTA']:.4f}" + (f" ({tracking['note']})" if tracking["note"] else ""))
    last = history[-1] if history else {}
    card = {
        "name": "motflow one-shot tracker",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "motflow_ml": __version__, "torch": torch.__version__,
        "architecture": {"family": "FairMOT-style (CenterNet heads + re-ID embedding)", "backbone": cfg["backbone"],
                         "stride": 4, "reid_dim": cfg["reid_dim"],
                         "input": [cfg["input_width"], cfg["input_height"]],
                         "preprocessing": {k: model_settings[k] for k in PREPROCESSING_KEYS}},
        "files": {"weights": "model.pth", "config": "config.json", **exports},
        "data": {"train_sequences": [s.name for s in train_seqs], "train_frames": len(train_set),
                 "identities": train_set.num_ids, "validation_sequences": [s.name for s in val_seqs],
                 "validation_source": val_source},
        "pretrained": pretrained_report,
        "distributed": {"processes": ctx.world_size, "processes_per_host": ctx.local_world_size,
                        "backend": ctx.backend or None, "sync_batch_norm": sync_bn,
                        "batch_size_per_process": cfg["batch_size"],
                        "global_batch_size": cfg["batch_size"] * ctx.world_size},
        "metrics": {"validation_loss": last.get("validation_loss"), "train_loss": last.get("train_loss"),
                    "best_validation_loss": min((r["validation_loss"] for r in history), default=None),
                    "epochs_completed": last.get("epoch", 0),
                    "tracking": tracking},
        "history": history,
        "hyperparameters": cfg,
        "training_seconds_this_run": round(time.time() - t_start, 1),
    }
    (mdir / "model_card.json").write_text(json.dumps(card, indent=2, sort_keys=True, default=float) + "\n")
    log(ctx, f"model saved to {mdir}")


def main(argv=None):
    return paths.run_job(run, argv, "training")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
