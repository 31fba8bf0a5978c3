// Seeded mutations for the firmware vectors: the same bytes on every run, so the files the C tests
// read change only when the TypeScript side does.

import { concat } from '../../apdu/bytes.ts';

/** xorshift32, as test/unit/tap-app/asset-stream.test.ts: the same picks on every run. */
export function rng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return Math.floor(((x >>> 0) / 2 ** 32) * n);
  };
}

/** Mutation kinds, as the C tests apply them. */
export const MutationKind = { replace: 0, cut: 1, insert: 2, remove: 3 } as const;

/** A byte replaced, the bytes cut, a byte inserted or a byte removed, at a picked place. */
export function mutate(bytes: Uint8Array, pick: (n: number) => number): { kind: number; at: number; byte: number; bytes: Uint8Array } {
  const at = pick(bytes.length);
  const kind = pick(4);
  const byte = pick(256);
  const m =
    kind === MutationKind.replace
      ? Uint8Array.from(bytes, (x, j) => (j === at ? byte : x))
      : kind === MutationKind.cut
        ? bytes.slice(0, at)
        : kind === MutationKind.insert
          ? concat(bytes.subarray(0, at), Uint8Array.of(byte), bytes.subarray(at))
          : concat(bytes.subarray(0, at), bytes.subarray(at + 1));
  return { kind, at, byte, bytes: m };
}
