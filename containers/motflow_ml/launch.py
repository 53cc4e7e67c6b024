"""The image's ``train`` command: one training process per GPU on every host of the job.

SageMaker starts the container once per instance. This reads the cluster from the SageMaker
environment and starts ``motflow_ml.train`` accordingly:

- hosts and this host: ``SM_HOSTS`` (JSON list) and ``SM_CURRENT_HOST`` when set (SageMaker's
  framework toolkits export them), else ``/opt/ml/input/config/resourceconfig.json`` (written by
  SageMaker for every training job: ``current_host``, ``hosts``, ``network_interface_name``);
- processes per host: ``MOTFLOW_NPROC_PER_NODE`` when set, else ``SM_NUM_GPUS``, else the GPUs torch
  sees (at least 1);
- the rendezvous: the first host (sorted, as SageMaker names them algo-1, algo-2, ...) on
  ``MOTFLOW_MASTER_PORT`` (29500).

One process in all: ``python -m motflow_ml.train``. More: torchrun (``python -m torch.distributed.run``,
through ``motflow_ml.torchrun``) with ``--nnodes`` = hosts, ``--nproc_per_node`` = processes per host, ``--node_rank`` =
this host's index; a single host uses ``--standalone`` (a free local port).
"""
import json
import os
import sys

from . import paths

DEFAULT_MASTER_PORT = 29500


def resource_config():
    """hosts (sorted), current host and network interface from SM_* or resourceconfig.json."""
    f = paths.opt_ml() / "input" / "config" / "resourceconfig.json"
    rc = {}
    if f.exists():
        try:
            rc = json.loads(f.read_text())
        except json.JSONDecodeError as e:
            raise ValueError(f"{f} is not valid JSON: {e}") from None
    hosts = rc.get("hosts") or []
    if os.environ.get("SM_HOSTS"):
        try:
            hosts = json.loads(os.environ["SM_HOSTS"])
        except json.JSONDecodeError:
            raise ValueError(f"SM_HOSTS={os.environ['SM_HOSTS']!r} is not a JSON list of host names") from None
    current = os.environ.get("SM_CURRENT_HOST") or rc.get("current_host")
    hosts = sorted(hosts) if hosts else ([current] if current else ["localhost"])
    current = current or hosts[0]
    if current not in hosts:
        raise ValueError(f"this host {current!r} is not among the job's hosts {hosts}")
    return hosts, current, rc.get("network_interface_name")


def processes_per_host():
    for name in ("MOTFLOW_NPROC_PER_NODE", "SM_NUM_GPUS"):
        v = os.environ.get(name)
        if v:
            try:
                n = int(v)
            except ValueError:
                raise ValueError(f"{name}={v!r} is not an integer") from None
            if n >= 1:
                return n
            if name == "MOTFLOW_NPROC_PER_NODE":
                raise ValueError(f"{name} must be >= 1, not {n}")
    import torch  # only here: the plan above needs no torch
    return max(1, torch.cuda.device_count())


def command(args=()):
    """The argv that runs the training job on this host, and extra environment variables."""
    hosts, current, interface = resource_config()
    nproc = processes_per_host()
    env = {}
    if len(hosts) == 1 and nproc == 1:
        return [sys.executable, "-m", "motflow_ml.train", *args], env
    if interface:  # the collectives must use the interface SageMaker connects the hosts through
        env.setdefault("NCCL_SOCKET_IFNAME", os.environ.get("NCCL_SOCKET_IFNAME", interface))
        env.setdefault("GLOO_SOCKET_IFNAME", os.environ.get("GLOO_SOCKET_IFNAME", interface))
    run = [sys.executable, "-m", "motflow_ml.torchrun", f"--nproc_per_node={nproc}"]
    if len(hosts) == 1:
        run += ["--standalone", "--nnodes=1"]
    else:
        port = os.environ.get("MOTFLOW_MASTER_PORT") or str(DEFAULT_MASTER_PORT)
        run += [f"--nnodes={len(hosts)}", f"--node_rank={hosts.index(current)}", f"--master_addr={hosts[0]}",
                f"--master_port={port}"]
    return run + ["-m", "motflow_ml.train", *args], env


def _launch(argv):
    cmd, env = command(argv)
    print("launch: " + " ".join(cmd), flush=True)
    os.environ.update(env)
    os.execv(cmd[0], cmd)  # replaces this process: SageMaker's signals reach the training processes


def main(argv=None):
    return paths.run_job(_launch, list(sys.argv[1:] if argv is None else argv), "training launch")


if __name__ == "__main__":
    sys.exit(main())
