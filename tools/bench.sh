#!/usr/bin/env bash
# Every benchmark in a release build, in one run: journal append against the raw-LMDB C baseline (fast
# and durable), durable group commit with 8 producers, scan with decode, indicators and candles, the
# engine's bar close, replay next to the bare scan, feed decode, REST to dhan-sim and tick-to-exit latency.
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
echo "### engine: one index's bar close, signal included"
"$bin" bench engine
echo "### replay of a 1,000,000-event engine journal"
"$bin" bench replay --events 1000000
echo "### scrip master: 200,000 rows"
"$bin" bench master
echo "### option backtest over the bundled NIFTY week"
"$bin" backtest --data data/NIFTY_1m_2025-10-24..31.json --journal "$scratch/backtest" | head -1
echo "### market-feed decode, one core"
"$bin" bench feed
echo "### REST round trip to dhan-sim (loopback)"
"$bin" bench rest --requests 100
echo "### tick in → exit command journaled (sequencer, both durability modes)"
"$bin" bench exit
echo "### backtest: a year of 1m bars for three indices"
"$bin" bench backtest
echo "### index signal study from CSV, 281,250 1m bars (3 indices x 250 days): Swift whole process vs plain CPython"
python3 tools/make-study-csv.py "$scratch"
study=("$scratch/NIFTY_1m.csv" "$scratch/BANKNIFTY_1m.csv" "$scratch/SENSEX_1m.csv")
/usr/bin/time -f "scalper backtest --proxy index: %e s wall" "$bin" backtest --proxy index \
    --data "${study[0]}" --data "${study[1]}" --data "${study[2]}" --out "$scratch/study" | tail -1
/usr/bin/time -f "CPython baseline: %e s wall" python3 tools/proxy-study-baseline.py "$scratch/study-py.csv" "${study[@]}"
cmp -s "$scratch/study/trades.csv" "$scratch/study-py.csv" && echo "trades.csv identical" || echo "trades.csv DIFFERS"
echo "### deterministic simulation: simulated trading days per wall second (one core, release)"
"$bin" simulate --seeds 1-20 --profile documented --no-shrink --out "$scratch/simulate-documented" | tail -1
"$bin" simulate --seeds 1-20 --profile observed --no-shrink --out "$scratch/simulate-observed" | tail -1
echo "### the demo, whole process"
/usr/bin/time -f "%e s wall, %M KB max RSS" "$bin" demo --out "$scratch/demo" | tail -1
