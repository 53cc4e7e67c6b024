#!/usr/bin/env bash
# The appearance table (docs/tracking.md, "With appearance"): the JDE policy against the appearance-free
# one on MOT17 / MOT20 ground truth with generated detections and synthetic re-ID embeddings. Arguments go
# to appearance_eval.py:
#   --levels strong,medium,weak,none   embedding informativeness levels (default: all four)
#   --trackers bytetrack,jde-fairmot,jde   trackers to compare (default: these three; bytetrack-aspect: the
#                                       appearance-free default before the Kalman width state)
#   --variant NAME=key:value,...        an extra JdeTracker (e.g. mem8=max_lost_seconds:8), listed in --trackers
#   --sets MOT17-02,...                 only these sets (default: all 8)
#   --data DIR                          the shared test data (default: ../shared/testdata from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
# one core: numpy's BLAS threads only cost time on the small matrices of the tracker
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
exec containers/.venv/bin/python tools/appearance-eval/appearance_eval.py "$@"
