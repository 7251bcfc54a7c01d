#!/usr/bin/env bash
# The main job: set up, build in release mode and run `scalper demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release --product scalper
exec .build/release/scalper demo "$@"
