#!/usr/bin/env bash
# libFuzzer over every decoder a hostile byte reaches (Sources/ScalperFuzz, docs/fuzzing.md).
#   tools/fuzz.sh --list              the targets
#   tools/fuzz.sh TARGET SECONDS      build (once) and fuzz one target from its corpus in Fuzz/corpus/TARGET;
#                                     exit 0 when nothing was found, 1 with the crashing input in Fuzz/findings
#   tools/fuzz.sh all SECONDS         every target in turn
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(feed order-alert option-chain rest-bodies scrip-master candles config journal snapshot)
if [[ "${1:-}" == "--list" ]]; then
    printf '%s\n' "${targets[@]}"
    exit 0
fi
if [[ $# -ne 2 ]]; then
    echo "usage: tools/fuzz.sh --list | TARGET SECONDS | all SECONDS" >&2
    exit 64
fi
target=$1
seconds=$2
build() {
    # libFuzzer's instrumentation and AddressSanitizer; its archive's own `main` stays out of the link because
    # SwiftPM already defines one (Sources/ScalperFuzz/main.swift hands over to LLVMFuzzerRunDriver).
    SCALPER_FUZZ=1 swift build --scratch-path .build/fuzz --product scalper-fuzz \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -g >&2
}
run() {
    local name=$1
    local corpus="Fuzz/corpus/$name"
    local work=".build/fuzz/corpus/$name"
    mkdir -p "$work" Fuzz/findings
    echo "### fuzz $name for ${seconds} s (seeds: $(ls "$corpus" | wc -l))"
    # New inputs go to the scratch corpus; the committed seeds are read only. -print_final_stats gives the
    # executions; ASan reports leaks at exit.
    if ! SWIFT_BACKTRACE=enable=no SCALPER_FUZZ_TARGET=$name .build/fuzz/debug/scalper-fuzz "$work" "$corpus" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="Fuzz/findings/$name-" -print_final_stats=1 2>"$work.log"; then
        grep -E "ERROR|fuzz invariant|SUMMARY|Fatal" "$work.log" | head -20 >&2 || true
        echo "fuzz $name: FOUND an input, saved under Fuzz/findings/" >&2
        # CI's clone is deleted when it ends: the input goes into the log too (base64, the first 8 kB).
        for found in Fuzz/findings/"$name"-*; do
            [[ -f "$found" ]] || continue
            echo "fuzz $name: $found, base64 (decode with base64 -d):" >&2
            head -c 8192 "$found" | base64 >&2
        done
        return 1
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work.log" | sed "s/^/$name: /"
}
build
if [[ "$target" == all ]]; then
    status=0
    for name in "${targets[@]}"; do run "$name" || status=1; done
    exit $status
fi
[[ " ${targets[*]} " == *" $target "* ]] || { echo "no target '$target' (tools/fuzz.sh --list)" >&2; exit 64; }
run "$target"
