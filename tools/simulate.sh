#!/usr/bin/env bash
# Seeded simulated trading days of every broker profile (documented, observed, hostile), one process
# per profile on the machine's cores, from a release build. Usage: tools/simulate.sh [SEEDS]   (default 1-200)
# Exit 0 when every invariant held in every session; a failing seed's journal stays under out/simulate-ci/.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-1-200}
swift build -c release --product scalper
out=out/simulate-ci
rm -rf "$out"
mkdir -p "$out"
pids=()
for profile in documented observed hostile; do
    .build/release/scalper simulate --seeds "$seeds" --profile "$profile" --out "$out/$profile" \
        >"$out/$profile.txt" 2>"$out/$profile.err" &
    pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || status=1
done
for profile in documented observed hostile; do
    echo "--- $profile"
    cat "$out/$profile.txt"
    tail -1 "$out/$profile.err"
done
exit $status
