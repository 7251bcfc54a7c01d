#!/usr/bin/env bash
# The live dashboard in a real headless browser (Debian's chromium): `scalper run --paper` against dhan-sim on
# loopback, the page loaded from its status API, its values compared with /status at the same journal seq, and
# a press of its kill-switch button followed to the journal. The DevTools client is websocket-client from PyPI
# in a throwaway venv.
# Usage: tools/dashboard-check/run.sh [SCALPER] [DHAN_SIM]   (default: .build/release/scalper, .build/release/dhan-sim)
set -euo pipefail
cd "$(dirname "$0")/../.."
scalper=${1:-.build/release/scalper}
sim=${2:-.build/release/dhan-sim}
if ! command -v chromium >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]]; then
        echo "dashboard-check: installing chromium" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends chromium >/dev/null
    else
        echo "dashboard-check: no chromium; install it with: sudo apt-get install -y chromium" >&2
        exit 1
    fi
fi
work=$(mktemp -d /tmp/dashboard-check-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "websocket-client==1.8.0"
"$work/venv/bin/python" tools/dashboard-check/check.py "$scalper" "$sim" "$work"
