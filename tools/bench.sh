#!/usr/bin/env bash
# The journal benchmarks in a release build, in one run: batched append against the raw-LMDB baseline
# (fast and durable), durable group commit with 8 producers, and full scan with decode.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release --product scalper
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
bin=.build/release/scalper
echo "### batched append, 1,000 per commit, fast mode"
"$bin" journal bench "$scratch/fast" --events 1000000 --batch 1000 --mode fast --baseline
echo "### batched append, 1,000 per commit, durable mode"
"$bin" journal bench "$scratch/durable" --events 1000000 --batch 1000 --mode durable --baseline
echo "### durable group commit, 8 producers, defaults (256 / 2 ms)"
"$bin" journal bench "$scratch/group" --events 20000 --producers 8 --mode durable
echo "### durable group commit, 8 producers, no batching delay"
"$bin" journal bench "$scratch/group0" --events 20000 --producers 8 --mode durable --max-delay-ms 0
echo "### indicators and candle aggregation"
"$bin" bench indicators
