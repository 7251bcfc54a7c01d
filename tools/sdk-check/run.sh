#!/usr/bin/env bash
# Runs DhanHQ's official Python SDK (dhanhq 2.3.0, from PyPI, in a throwaway venv) against dhan-sim.
# Usage: tools/sdk-check/run.sh [path/to/dhan-sim]   (default: .build/release/dhan-sim)
set -euo pipefail
cd "$(dirname "$0")/../.."
sim=${1:-.build/release/dhan-sim}
work=$(mktemp -d /tmp/sdk-check-XXXXXX)
trap 'kill "${sim_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "dhanhq==2.3.0"
"$sim" --port 0 --speed 0 --date 2025-11-04 --start 10:30 --seed 7 > "$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do
    port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/sim.log" | head -1 | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "${port:-}" ] || { echo "dhan-sim did not start:"; cat "$work/sim.log"; exit 1; }
"$work/venv/bin/python" tools/sdk-check/check.py "$port"
