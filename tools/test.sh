#!/usr/bin/env bash
# The test job: set up, lint, build once without warnings and run every test.
#
# One build serves every step: the release configuration with `-enable-testing` (the test targets'
# `@testable import`s need it). The tests used to run on a debug build and the simulations on a second,
# release build; on a two-core machine the two cold builds were more than half an hour of the job, and the
# tests on virtual time run about seven times faster optimised (on 5 December 2026: 19 min debug, 2.7 min
# release). Debug-only checks no longer run in this job: Swift's run-time exclusivity checks, and two
# `assert`s (the settled day-PnL cache, which PositionBookkeepingTests also compare with a naive sum, and
# Position's exit-intent phase, which nothing else checks).
#
# The build shares .build/release with tools/demo.sh, whose build has no `-enable-testing`: running one after
# the other rebuilds the whole release configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { echo "== [$(((SECONDS - started) / 60)) min] $*" >&2; }
build=(-c release -Xswiftc -enable-testing)
bin=.build/release
tools/setup.sh
step "swift format lint"
swift format lint --strict --recursive Sources Tests Package.swift
step "swift build ${build[*]} --build-tests (warnings are errors)"
swift build "${build[@]}" --build-tests
# The suites that run on the wall clock against sockets and child processes go after the rest, on their own:
# in one process with the CPU-bound suites they share the two-thread cooperative pool, and a replay or a
# simulation that holds both threads for seconds starves dhan-sim's handlers past the client's deadline.
# The status-API suite runs its session on virtual time but serves HTTP on loopback, so it goes with the
# client's suite.
wall_clock="DhanClientTests|StatusAPITests|RuntimeAcceptanceTests"
step "swift test (everything on virtual time or none)"
swift test "${build[@]}" --skip-build --skip "$wall_clock"
step "swift test (the DhanHQ client against dhan-sim on 127.0.0.1; the status API on loopback)"
swift test "${build[@]}" --skip-build --filter "DhanClientTests|StatusAPITests"
step "swift test (scalper run against dhan-sim over sockets: end to end, SIGTERM, SIGKILL child processes)"
swift test "${build[@]}" --skip-build --filter "RuntimeAcceptanceTests"
step "independent client: the official dhanhq Python SDK against dhan-sim"
tools/sdk-check/run.sh "$bin/dhan-sim"
step "the live dashboard in headless chromium: scalper run --paper against dhan-sim, values against /status"
tools/dashboard-check/run.sh "$bin/scalper" "$bin/dhan-sim"
step "parameter sweeps on Ray (local mode) against scalper sweep run: the same files"
tools/sweep/ray-check.sh "$bin/scalper"
step "fuzzing: every decoder for 15 s each (libFuzzer with AddressSanitizer; docs/fuzzing.md)"
tools/fuzz.sh all 15
step "deterministic simulation: 200 seeded days of each broker profile that holds (the build above)"
tools/simulate.sh 1-200 "$bin/scalper"
step "every step passed"
