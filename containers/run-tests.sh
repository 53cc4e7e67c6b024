#!/usr/bin/env bash
# Runs the containers/ CPU tests with the venv from setup.sh. Non-zero on any failure, and when no
# test ran at all (pytest's exit status 5).
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE"
[ -x .venv/bin/python ] || ./setup.sh || exit 1
export PYTHONDONTWRITEBYTECODE=1
.venv/bin/python -m pytest -q -p no:cacheprovider --timeout=300 tests "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "containers/run-tests: no tests were collected" >&2
  exit 1
fi
exit $rc
