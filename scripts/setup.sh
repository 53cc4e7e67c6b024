#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for the tests and the local stack. Idempotent and quick
# when everything is already there. Called by `./motflow setup` and `./motflow test`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
log() { echo "setup: $*" >&2; }
# shellcheck source=scripts/apt-install.sh
. "$ROOT/scripts/apt-install.sh"

# Node packages for the local services (DynamoDB- and S3-compatible servers, ASL tools).
if [ -f local/node/package-lock.json ]; then
  # An empty folder (packages deleted by hand or by a removed link) counts as missing.
  if [ ! -d local/node/node_modules ] || [ -z "$(ls -A local/node/node_modules)" ] \
      || [ local/node/package-lock.json -nt local/node/node_modules ]; then
    command -v npm >/dev/null || { log "npm is missing: apt-get install -y nodejs npm"; exit 1; }
    log "installing the node packages of local/node"
    (cd local/node && npm ci --no-audit --no-fund --loglevel=error)
    touch local/node/node_modules
  fi
fi

# Python venv for the cross-checks against the reference tools (py-motmetrics, TrackEval).
if [ -f requirements-dev.txt ]; then
  if [ ! -x .venv/bin/python ] || [ requirements-dev.txt -nt .venv/.installed ]; then
    log "creating .venv from requirements-dev.txt"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
    touch .venv/.installed
  fi
fi

# Debian's chromium and its chromedriver: the web console's browser test (integration-tests) drives
# them headless; nothing is downloaded at test time.
apt_install_missing chromium chromium-driver

# Each part with extra needs brings its own set-up script.
for s in containers/setup.sh; do
  [ -x "$s" ] && "$s"
done
exit 0
