#!/usr/bin/env bash
# Seeded simulated trading days of every broker profile (documented, observed, hostile), one profile after
# another, each running its sessions on every core (`scalper simulate --jobs`, default: the cores), from a
# release build. Usage: tools/simulate.sh [SEEDS] [SCALPER]   (default 1-200; without SCALPER it builds
# .build/release/scalper first, with it that binary runs as it is: tools/test.sh passes its own build's)
# Exit 0 when every invariant held in every session; a failing seed's journal stays under out/simulate-ci/.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-1-200}
scalper=${2:-}
if [[ -z "$scalper" ]]; then
    swift build -c release --product scalper
    scalper=.build/release/scalper
fi
out=out/simulate-ci
rm -rf "$out"
mkdir -p "$out"
status=0
for profile in documented observed hostile; do
    "$scalper" simulate --seeds "$seeds" --profile "$profile" --out "$out/$profile" \
        >"$out/$profile.txt" 2>"$out/$profile.err" || status=1
    echo "--- $profile"
    cat "$out/$profile.txt"
    tail -1 "$out/$profile.err"
done
exit $status
