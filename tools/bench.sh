#!/usr/bin/env bash
# Every benchmark in a release build, in one run: journal append against the raw-LMDB C baseline (fast
# and durable), durable group commit with 8 producers, scan with decode, indicators and candles, the
# engine's bar close, replay next to the bare scan, feed decode, REST to dhan-sim and tick-to-exit latency.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release --product scalper
swift build -c release --product dhan-sim
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
echo "### a burst of 10,000 index ticks/s for 60 s through the sequencer on group commit (1 and 8 producers)"
"$bin" bench burst --rate 10000 --seconds 60 --producers 1,8 --durability both
echo "### backtest: a year of 1m bars for three indices"
"$bin" bench backtest
echo "### index signal study from CSV, 281,250 1m bars (3 indices x 250 days): Swift whole process vs plain CPython"
python3 tools/make-study-csv.py "$scratch"
study=("$scratch/NIFTY_1m.csv" "$scratch/BANKNIFTY_1m.csv" "$scratch/SENSEX_1m.csv")
/usr/bin/time -f "scalper backtest --proxy index: %e s wall" "$bin" backtest --proxy index \
    --data "${study[0]}" --data "${study[1]}" --data "${study[2]}" --out "$scratch/study" | tail -1
/usr/bin/time -f "CPython baseline: %e s wall" python3 tools/proxy-study-baseline.py "$scratch/study-py.csv" "${study[@]}"
cmp -s "$scratch/study/trades.csv" "$scratch/study-py.csv" && echo "trades.csv identical" || echo "trades.csv DIFFERS"
echo "### option backtest on recorded premiums: 2025 for NIFTY, BANKNIFTY, SENSEX, ATM-2..ATM+2 calls and puts, 1m"
# The store is fetched from dhan-sim once (about 2.5 minutes at the data API's 5 requests a second), then the
# whole process is timed beside the model-premium backtest over the same index candles (the baseline).
.build/release/dhan-sim --port 8790 --date 2026-01-05 --speed 0 >"$scratch/sim.log" 2>&1 &
sim=$!
sleep 2
export DHAN_CLIENT_ID=SIMCLIENT DHAN_ACCESS_TOKEN=SIMTOKEN
"$bin" history fetch --index NIFTY,SENSEX --from 2025-01-01 --to 2025-12-31 --store "$scratch/store" \
    --dhan-rest http://127.0.0.1:8790/v2 | tail -1
"$bin" history fetch --index BANKNIFTY --expiry month --from 2025-01-01 --to 2025-12-31 --store "$scratch/store" \
    --dhan-rest http://127.0.0.1:8790/v2 | tail -1
kill $sim
/usr/bin/time -f "scalper backtest --options history: %e s wall, %M KB max RSS" "$bin" backtest --options history \
    --store "$scratch/store" --from 2025-01-15 --to 2025-12-31 --journal "$scratch/recorded" --out "$scratch/recorded-out" \
    | grep -v '^  entry'
for index in NIFTY BANKNIFTY SENSEX; do
    "$bin" history export --store "$scratch/store" --index $index --series index/1m --from 2025-01-05 --to 2025-12-31 |
        awk -F, 'NR==1{print "timestamp,open,high,low,close,volume"; next}{print $4","$5","$6","$7","$8","$9}' \
            >"$scratch/${index}_2025.csv"
done
/usr/bin/time -f "scalper backtest --options model (baseline): %e s wall, %M KB max RSS" "$bin" backtest \
    --data "$scratch/NIFTY_2025.csv" --data "$scratch/BANKNIFTY_2025.csv" --data "$scratch/SENSEX_2025.csv" \
    --from 2025-01-15 --to 2025-12-31 --journal "$scratch/model" --out "$scratch/model-out" | head -2
echo "### deterministic simulation: simulated trading days per wall second (one core, release)"
"$bin" simulate --seeds 1-20 --profile documented --no-shrink --out "$scratch/simulate-documented" | tail -1
"$bin" simulate --seeds 1-20 --profile observed --no-shrink --out "$scratch/simulate-observed" | tail -1
echo "### the demo, whole process"
/usr/bin/time -f "%e s wall, %M KB max RSS" "$bin" demo --out "$scratch/demo" | tail -1
echo "### start-up: scalper --help, and a restart of scalper run on a full simulated day's journal"
/usr/bin/time -f "scalper --help: %e s wall" "$bin" --help >/dev/null
"$bin" simulate --seeds 1 --profile documented --keep --out "$scratch/day" >/dev/null
tools/restart-time.py "$bin" .build/release/dhan-sim "$(ls -d "$scratch"/day/documented-seed-1-*)" 5
