#!/usr/bin/env bash
# The test job: set up, lint, build without warnings and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
echo "== swift format lint" >&2
swift format lint --strict --recursive Sources Tests Package.swift
echo "== swift build (warnings are errors)" >&2
swift build --build-tests
# The suites that run on the wall clock against sockets and child processes go after the rest, on their own:
# in one process with the CPU-bound suites they share the two-thread cooperative pool, and a replay or a
# simulation that holds both threads for seconds starves dhan-sim's handlers past the client's deadline.
# The status-API suite runs its session on virtual time but serves HTTP on loopback, so it goes with the
# client's suite.
wall_clock="DhanClientTests|StatusAPITests|RuntimeAcceptanceTests"
echo "== swift test (everything on virtual time or none)" >&2
swift test --skip-build --skip "$wall_clock"
echo "== swift test (the DhanHQ client against dhan-sim on 127.0.0.1; the status API on loopback)" >&2
swift test --skip-build --filter "DhanClientTests|StatusAPITests"
echo "== swift test (scalper run against dhan-sim over sockets: end to end, SIGTERM, SIGKILL child processes)" >&2
swift test --skip-build --filter "RuntimeAcceptanceTests"
echo "== independent client: the official dhanhq Python SDK against dhan-sim" >&2
tools/sdk-check/run.sh .build/debug/dhan-sim
echo "== the live dashboard in headless chromium: scalper run --paper against dhan-sim, values against /status" >&2
tools/dashboard-check/run.sh .build/debug/scalper .build/debug/dhan-sim
echo "== parameter sweeps on Ray (local mode) against scalper sweep run: the same files" >&2
tools/sweep/ray-check.sh .build/debug/scalper
echo "== fuzzing: every decoder for 15 s each (libFuzzer with AddressSanitizer; docs/fuzzing.md)" >&2
tools/fuzz.sh all 15
echo "== deterministic simulation: 200 seeded days of each broker profile that holds (release build)" >&2
tools/simulate.sh 1-200
