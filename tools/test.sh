#!/usr/bin/env bash
# The test job: set up, lint, build without warnings and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
echo "== swift format lint" >&2
swift format lint --strict --recursive Sources Tests Package.swift
echo "== swift build (warnings are errors)" >&2
swift build --build-tests
echo "== swift test" >&2
swift test --skip-build
echo "== independent client: the official dhanhq Python SDK against dhan-sim" >&2
tools/sdk-check/run.sh .build/debug/dhan-sim
echo "== deterministic simulation: 200 seeded days of each broker profile that holds (release build)" >&2
tools/simulate.sh 1-200
