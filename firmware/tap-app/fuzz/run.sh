#!/usr/bin/env bash
# Builds the libFuzzer target of the asset parser with clang (ASan + UBSan) and runs it for a
# bounded time from a seed corpus of the accepted assets of test/vectors/firmware/asset.txt.
# Usage: firmware/tap-app/fuzz/run.sh [seconds=60] [build dir=/tmp/tap-fuzz]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-60}"
build="${2:-/tmp/tap-fuzz}"
CC=clang cmake -S "$here/.." -B "$build" -DTAP_FUZZ=ON >/dev/null
cmake --build "$build" --parallel 2 >/dev/null
mkdir -p "$build/corpus"
# Seeds: two option bytes (no options, pieces of 7) then each accepted asset.
i=0
grep '^asset ' "$here/../../../test/vectors/firmware/asset.txt" | cut -d' ' -f2 | while read -r hex; do
  printf '0007%s' "$hex" | xxd -r -p > "$build/corpus/seed-$i"
  i=$((i + 1))
done
"$build/fuzz_asset" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$build/corpus" 2>&1 | tail -25
