#!/usr/bin/env bash
# The Ray driver against scalper's own runner: a small grid on the real NIFTY week, run once by
# `scalper sweep run --workers 2` and once by tools/sweep/ray_sweep.py with Ray in local mode (ray from PyPI in
# a throwaway venv); every file the two write must be byte for byte the same.
# Usage: tools/sweep/ray-check.sh [SCALPER]   (default: .build/release/scalper)
set -euo pipefail
cd "$(dirname "$0")/../.."
scalper=$(realpath "${1:-.build/release/scalper}")
work=$(mktemp -d /tmp/ray-check-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "ray==2.60.0"
cp "Tests/Fixtures/dhan/nifty-intraday-1m-2025-10-24..31.json" "$work/NIFTY_1m.json"
cat > "$work/sweep.yml" <<'YAML'
kind: proxy
data: [NIFTY_1m.json]
vary:
  signals.supertrend.multiplier: [2.0, 2.5, 3.0, 3.5]
  signals.adx.min_strength: { from: 15, to: 25, step: 5 }
YAML
config=$(realpath config/algo.yml)
"$scalper" sweep run "$work/sweep.yml" --config "$config" --workers 2 --out "$work/local" --walk-forward 2d:1d \
    >"$work/local.txt"
# Half the cells already in the store: the driver sends only the rest to Ray.
mkdir -p "$work/ray"
cp "$work/local/base-algo.yml" "$work/ray/"
head -6 "$work/local/cells.tsv" >"$work/ray/cells.tsv"
"$work/venv/bin/python" tools/sweep/ray_sweep.py "$work/sweep.yml" \
    --scalper "$scalper" --config "$config" --out "$work/ray" --local --chunk 2 --walk-forward 2d:1d \
    >"$work/ray.txt" 2>"$work/ray.err" || { tail -20 "$work/ray.err" >&2; exit 1; }
grep -q "ray_sweep: 6 of 12 cell(s) to run" "$work/ray.err" || { echo "ray-check: resume not seen" >&2; exit 1; }
for name in results.csv daily.csv walk_forward.csv report.html; do
    cmp "$work/local/$name" "$work/ray/$name" || { echo "ray-check: $name differs" >&2; exit 1; }
done
echo "ray-check: 12 cells on Ray (6 resumed) give the same results.csv, daily.csv, walk_forward.csv and report.html"
