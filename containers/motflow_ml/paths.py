"""Where the SageMaker folders are. SageMaker mounts everything under /opt/ml; tests and the local
stack point ``MOTFLOW_OPT_ML`` (or ``SM_ROOT``) at a folder laid out the same way."""
import os
import sys
import traceback
from pathlib import Path


def opt_ml() -> Path:
    return Path(os.environ.get("MOTFLOW_OPT_ML") or os.environ.get("SM_ROOT") or "/opt/ml")


def channel_dir(name: str) -> Path:
    # The SageMaker training toolkit exports SM_CHANNEL_<NAME> in framework images; honour it when set.
    env = os.environ.get("SM_CHANNEL_" + name.upper())
    return Path(env) if env else opt_ml() / "input" / "data" / name


def hyperparameters_file() -> Path:
    return opt_ml() / "input" / "config" / "hyperparameters.json"


def model_dir() -> Path:
    env = os.environ.get("SM_MODEL_DIR")
    return Path(env) if env else opt_ml() / "model"


def checkpoint_dir() -> Path:
    return Path(os.environ.get("MOTFLOW_CHECKPOINT_DIR") or opt_ml() / "checkpoints")


def output_dir() -> Path:
    return opt_ml() / "output"


def failure_file() -> Path:
    return output_dir() / "failure"


def run_job(run, args, what):
    """Runs a processing job's body: 0 on success; else the reason in /opt/ml/output/failure
    (where SageMaker reads a job's FailureReason) and 1."""
    try:
        run(args)
        return 0
    except Exception as e:
        traceback.print_exc()
        try:
            output_dir().mkdir(parents=True, exist_ok=True)
            failure_file().write_text(f"{type(e).__name__}: {e}\n")
        except OSError:
            pass
        print(f"{what} failed: {e}", file=sys.stderr, flush=True)
        return 1


def processing_input() -> Path:
    return Path(os.environ.get("MOTFLOW_PROCESSING_INPUT") or opt_ml() / "processing" / "input")


def processing_output() -> Path:
    return Path(os.environ.get("MOTFLOW_PROCESSING_OUTPUT") or opt_ml() / "processing" / "output")
