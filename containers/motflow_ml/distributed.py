"""The training job's process group: one process per GPU on every host, started by torchrun.

torchrun (``python -m torch.distributed.run``) tells each process where it stands through RANK,
LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT. Without them the job is a
single process and nothing here touches torch.distributed. Backends: nccl on CUDA, gloo on the CPU.
"""
import os
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist

# Rank 0 tracks the validation sequences and writes the model while the others wait at a barrier:
# the collective timeout must outlast that, so it is generous (the default is 10-30 minutes).
BARRIER_TIMEOUT = timedelta(hours=3)


@dataclass(frozen=True)
class Context:
    world_size: int = 1
    rank: int = 0
    local_rank: int = 0
    local_world_size: int = 1
    backend: str = ""

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def _env_int(name, default):
    v = os.environ.get(name)
    if v is None or v.strip() == "":
        return default
    try:
        return int(v)
    except ValueError:
        raise ValueError(f"environment variable {name}={v!r} is not an integer") from None


def context_from_env() -> Context:
    """What torchrun exported (a single process when WORLD_SIZE is absent or 1)."""
    world = _env_int("WORLD_SIZE", 1)
    if world <= 1:
        return Context()
    rank, local_rank = _env_int("RANK", 0), _env_int("LOCAL_RANK", 0)
    local_world = _env_int("LOCAL_WORLD_SIZE", world)
    if not 0 <= rank < world or not 0 <= local_rank < local_world:
        raise ValueError(f"inconsistent torchrun environment: RANK={rank} LOCAL_RANK={local_rank} "
                         f"WORLD_SIZE={world} LOCAL_WORLD_SIZE={local_world}")
    return Context(world_size=world, rank=rank, local_rank=local_rank, local_world_size=local_world)


def setup() -> Context:
    """Joins the process group torchrun prepared (env:// rendezvous) and picks this rank's device."""
    ctx = context_from_env()
    if not ctx.enabled:
        return ctx
    use_cuda = torch.cuda.is_available()
    if use_cuda:
        if ctx.local_rank >= torch.cuda.device_count():
            raise ValueError(f"LOCAL_RANK={ctx.local_rank} but this host has {torch.cuda.device_count()} GPUs")
        torch.cuda.set_device(ctx.local_rank)
    backend = "nccl" if use_cuda else "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend, init_method="env://", timeout=BARRIER_TIMEOUT)
    return Context(ctx.world_size, ctx.rank, ctx.local_rank, ctx.local_world_size, backend)


def device(ctx: Context) -> torch.device:
    if torch.cuda.is_available():
        return torch.device("cuda", ctx.local_rank if ctx.enabled else 0)
    return torch.device("cpu")


def barrier(ctx: Context):
    if ctx.enabled:
        dist.barrier()


def sum_across_ranks(ctx: Context, values, device_):
    """Element-wise sum of a list of floats over all ranks (the list itself on a single process)."""
    if not ctx.enabled:
        return [float(v) for v in values]
    t = torch.tensor([float(v) for v in values], dtype=torch.float64, device=device_)
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def any_rank(ctx: Context, flag: bool, device_) -> bool:
    """True on every rank when the flag is true on at least one (e.g. a time limit reached)."""
    if not ctx.enabled:
        return bool(flag)
    return sum_across_ranks(ctx, [1.0 if flag else 0.0], device_)[0] > 0


def broadcast_from_main(ctx: Context, obj):
    """Rank 0's picklable object on every rank (e.g. the spot checkpoint read on rank 0's host)."""
    if not ctx.enabled:
        return obj
    box = [obj if ctx.is_main else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def shutdown(ctx: Context):
    if ctx.enabled and dist.is_initialized():
        dist.destroy_process_group()
