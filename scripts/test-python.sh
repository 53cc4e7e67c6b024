#!/usr/bin/env bash
# Runs the Python test suites that exist (each with the interpreter its set-up prepared).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
rc=0
if [ -d tools/crosscheck ] && [ -x .venv/bin/python ]; then
  .venv/bin/python -m pytest -q tools/crosscheck || rc=$?
fi
if [ -x containers/run-tests.sh ]; then
  containers/run-tests.sh || rc=$?
fi
exit $rc
