// The fuzzers' seeded PRNG (mulberry32): small, fast, good enough to spread cases; a fixed seed makes a
// run reproducible, so a failure names its case and replays.

export interface Rng {
  u32(): number;
  /** 0..n-1 */
  below(n: number): number;
  /** true with probability p */
  chance(p: number): boolean;
  bytes(n: number): Uint8Array;
  pick<T>(items: readonly T[]): T;
}

export function prng(seed: number): Rng {
  let a = seed >>> 0;
  const u32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const below = (n: number): number => (n <= 0 ? 0 : u32() % n);
  return {
    u32,
    below,
    chance: (p) => u32() / 0x1_0000_0000 < p,
    bytes: (n) => Uint8Array.from({ length: n }, () => u32() & 0xff),
    pick: (items) => items[below(items.length)]!,
  };
}
