// Shared helpers for the assets tests: vector loading relative to this folder.

import { readFileSync } from 'node:fs';

/**
 * Loads a vector file. tapd writes uint64 values as bare JSON numbers, which lose precision above
 * 2^53 in JSON.parse, so long integer literals are turned into decimal strings first.
 */
export function vector<T = any>(path: string): T {
  const text = readFileSync(new URL(`../../vectors/taproot-assets/${path}`, import.meta.url), 'utf8');
  return JSON.parse(text.replace(/([:[,]\s*)(\d{16,})(?=\s*[,\]}])/g, '$1"$2"')) as T;
}

export function vectorText(path: string): string {
  return readFileSync(new URL(`../../vectors/taproot-assets/${path}`, import.meta.url), 'utf8').trim();
}

/** A tiny seeded PRNG (mulberry32) so property tests are reproducible without new dependencies. */
export function prng(seed: number) {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number): number => Math.floor(next() * n),
    bool: (): boolean => next() < 0.5,
    bytes: (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
    bigint64: (): bigint => (BigInt(Math.floor(next() * 2 ** 32)) << 32n) | BigInt(Math.floor(next() * 2 ** 32)),
  };
}
export type Prng = ReturnType<typeof prng>;
