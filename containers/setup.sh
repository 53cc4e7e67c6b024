#!/usr/bin/env bash
# Prepares containers/.venv for the CPU tests on Debian 12: Debian's CPU-only torch/torchvision/OpenCV/
# scipy and ffmpeg from apt, a venv over Debian's /usr/bin/python3 that sees them (--system-site-packages),
# and the pinned test tools from requirements-test.txt. Quick no-op when the stamp is current.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE"
VENV="$HERE/.venv"
STAMP="$VENV/.motflow-setup"
APT_PACKAGES=(python3 python3-venv python3-torch python3-torchvision python3-opencv python3-scipy python3-numpy ffmpeg)
log() { echo "containers/setup: $*" >&2; }
# shellcheck source=scripts/apt-install.sh
. "$HERE/../scripts/apt-install.sh"

want="$(cat requirements-test.txt setup.sh | sha256sum | cut -c1-16)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi

apt_install_missing "${APT_PACKAGES[@]}"

if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV (Debian's /usr/bin/python3 with its system packages)"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
fi
log "installing requirements-test.txt"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-input -r requirements-test.txt
"$VENV/bin/python" -c "import torch, torchvision, cv2, numpy, scipy, pytest; print('containers/setup: torch', torch.__version__, 'torchvision', torchvision.__version__, 'opencv', cv2.__version__)" >&2
echo "$want" > "$STAMP"
