#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs one for a bounded time from seeds
# taken from the test vectors: `asset` (the streaming asset parser; seeds the accepted assets of
# test/vectors/firmware/asset.txt) or `app` (the command layer against a malicious host; seeds the
# commands of test/vectors/firmware/commands.txt with the host's answers, every review approved, a
# SIGN_VPSBT stream's chunks together in one seed).
# Usage: firmware/tap-app/fuzz/run.sh [seconds=60] [build dir=/tmp/tap-fuzz] [target=asset]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-60}"
build="${2:-/tmp/tap-fuzz}"
target="${3:-asset}"
vectors="$here/../../../test/vectors/firmware"
CC=clang cmake -S "$here/.." -B "$build" -DTAP_FUZZ=ON >/dev/null
cmake --build "$build" --parallel 2 >/dev/null
corpus="$build/corpus-$target"
mkdir -p "$corpus"
if [ "$target" = asset ]; then
  # Two option bytes (no options, pieces of 7) then each accepted asset.
  i=0
  grep '^asset ' "$vectors/asset.txt" | cut -d' ' -f2 | while read -r hex; do
    printf '0007%s' "$hex" | xxd -r -p > "$corpus/seed-$i"
    i=$((i + 1))
  done
else
  # Settings byte ff (blind signing on, every review approved) or 01 (blind signing on, every review
  # rejected), then the host's frames of one command.
  python3 - "$vectors/commands.txt" "$corpus" <<'PY'
import sys
frames, seeds, inside = [], [], False
for line in open(sys.argv[1]):
    if line.startswith('> '):
        frames.append(bytes.fromhex(line[2:].strip()))
    elif line.startswith('< '):
        # A SIGN_VPSBT stream (E7 30, P1 00/01) answered with an empty 9000 goes on: one seed holds all its chunks.
        r, last = line[2:].strip(), frames[-1].hex()
        streaming = last.startswith('e730') and last[4:6] in ('00', '01') and r == '9000'
        if not r.endswith('e000') and not streaming:
            seeds.append(frames)
            frames = []
for i, fs in enumerate(seeds):
    for settings in (b'\xff', b'\x01'):
        with open(f'{sys.argv[2]}/seed-{i}-{settings.hex()}', 'wb') as f:
            f.write(settings + b''.join(len(x).to_bytes(2, 'big') + x for x in fs))
PY
fi
"$build/fuzz_$target" -artifact_prefix="$build/" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$corpus" 2>&1 | tail -25
