import { BitcoinError } from '../errors.ts';
// Which sets of signers may spend: all k-subsets for K-of-N, and for weighted thresholds the
// minimal qualifying subsets (weight reaches the threshold and drops below it without any member).
// Each such set becomes one MuSig2 leaf; supersets need no leaf of their own, since any superset
// can sign with the subset it contains.


/** Enumeration covers at most 2^16 subsets. */
export const MAX_SIGNERS = 16;

/** All k-subsets of {0..n-1}, each ascending, in lexicographic order. */
export function kSubsets(n: number, k: number): number[][] {
  checkN(n);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new BitcoinError('E_SHAPE', `threshold: expected 1 <= k <= ${n}, got ${k}`);
  const out: number[][] = [];
  const pick = (start: number, acc: number[]) => {
    if (acc.length === k) return void out.push([...acc]);
    for (let i = start; i <= n - (k - acc.length); i++) pick(i + 1, [...acc, i]);
  };
  pick(0, []);
  return out;
}

/** Minimal subsets whose weights sum to at least `threshold`, smallest first, then lexicographic. */
export function minimalQualifyingSubsets(weights: readonly number[], threshold: number): number[][] {
  checkN(weights.length);
  weights.forEach((w, i) => {
    if (!Number.isSafeInteger(w) || w < 1) throw new BitcoinError('E_SHAPE', `weights: expected positive integers, got ${w} for key ${i}`);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > total)
    throw new BitcoinError('E_SHAPE', `threshold: expected 1 <= threshold <= ${total} (the total weight), got ${threshold}`);
  const out: number[][] = [];
  for (let mask = 1; mask < 1 << weights.length; mask++) {
    const members = weights.map((_, i) => i).filter((i) => mask & (1 << i));
    const sum = members.reduce((a, i) => a + weights[i]!, 0);
    if (sum >= threshold && members.every((i) => sum - weights[i]! < threshold)) out.push(members);
  }
  return out.sort((a, b) => a.length - b.length || lexicographic(a, b));
}

function lexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_SIGNERS)
    throw new BitcoinError('E_SHAPE', `signers: expected 1 to ${MAX_SIGNERS} keys, got ${n}`);
}
