#!/usr/bin/env bash
# Every benchmark in a release build, in one run (`scalper bench all`): the journal against raw LMDB in C,
# indicators and candles, the engine's bar close, replay beside the bare scan, the scrip master, feed decode,
# REST to dhan-sim, tick to exit, the burst on group commit, the year backtest, and the whole-process figures
# (--help, the demo, simulated days per second, the index study beside plain CPython, a restart on a full
# day's journal, scalper run's memory over a session, the option backtest on recorded premiums beside the
# model-premium one). Writes every figure with its baseline as JSON; `scalper bench compare OLD NEW` prints
# what changed since an earlier run and exits 1 when a figure got worse by more than 10 %.
# Usage: tools/bench.sh [OUT.json]   (default out/bench/<UTC time>.json)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release --product scalper
swift build -c release --product dhan-sim
json=${1:-out/bench/$(date -u +%Y-%m-%dT%H%MZ).json}
mkdir -p "$(dirname "$json")"
.build/release/scalper bench all --json "$json"
echo "compare with an earlier run: .build/release/scalper bench compare OLD.json $json"
