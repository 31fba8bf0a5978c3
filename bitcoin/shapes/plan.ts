// The multisig shapes of our design (issue 5), as a plan of leaves before any key is known:
//   N-of-N:   MuSig2 of everyone in the key path.
//   K-of-N:   one MuSig2 leaf per K-subset, under a NUMS internal key (key path provably unspendable).
//   weighted: one leaf per minimal qualifying subset (weights 1,1,2 / 2 -> {k1+k2}, {k3}).
// Optional extra leaves: a CHECKSIGADD k-of-n over the signers' own keys (no MuSig2 rounds needed) and a
// timelocked recovery leaf over separate recovery keys.
//
// Each key occurrence records its `use` number (0, 1, ... per key in textual order), because
// BIP-388 requires the same key to appear with disjoint <M;N>: use u derives with <2u;2u+1>.

import { kSubsets, minimalQualifyingSubsets } from './subsets.ts';
import type { TapTreeShape } from '../taptree.ts';
import { BitcoinError } from '../errors.ts';

export type Timelock = { readonly older: number } | { readonly after: number };

export type Threshold =
  | { readonly kind: 'all' }
  | { readonly kind: 'k-of-n'; readonly k: number }
  | { readonly kind: 'weighted'; readonly weights: readonly number[]; readonly threshold: number };

export interface ShapeSpec {
  /** Signers are keys 0..signers-1. */
  readonly signers: number;
  readonly threshold: Threshold;
  readonly checksigaddFallback?: { readonly k: number };
  /** Recovery keys are numbered signers..signers+keys-1. */
  readonly recovery?: { readonly keys: number; readonly k: number; readonly timelock: Timelock };
}

/** One occurrence of a key (a signer/recovery key, or the NUMS key) or of a MuSig2 aggregate. */
export type KeyUse =
  | { readonly kind: 'key'; readonly key: number; readonly use: number }
  | { readonly kind: 'nums'; readonly use: number }
  | { readonly kind: 'musig'; readonly keys: readonly number[]; readonly use: number };

export type ShapeLeaf =
  | { readonly kind: 'pk'; readonly key: KeyUse }
  | { readonly kind: 'checksigadd'; readonly k: number; readonly keys: readonly KeyUse[] }
  | { readonly kind: 'recovery'; readonly k: number; readonly keys: readonly KeyUse[]; readonly timelock: Timelock };

export interface ShapePlan {
  readonly spec: ShapeSpec;
  /** Signers plus recovery keys. */
  readonly keyCount: number;
  readonly internal: KeyUse;
  readonly leaves: readonly ShapeLeaf[];
  readonly tree: TapTreeShape<ShapeLeaf> | undefined;
}

/** The Ledger app accepts taptrees up to depth 9 (MAX_TAPTREE_POLICY_DEPTH). */
export const LEDGER_MAX_TAPTREE_DEPTH = 9;
/** The Ledger app accepts musig() of at most 5 keys (MAX_PUBKEYS_PER_MUSIG). */
export const LEDGER_MAX_MUSIG_KEYS = 5;

export function planShape(spec: ShapeSpec): ShapePlan {
  const n = spec.signers;
  const sets = spendingSets(spec);
  const uses = new Map<string, number>();
  const use = (id: string) => {
    const u = uses.get(id) ?? 0;
    uses.set(id, u + 1);
    return u;
  };
  const key = (k: number): KeyUse => ({ kind: 'key', key: k, use: use(`@${k}`) });
  const group = (keys: number[]): KeyUse =>
    keys.length === 1 ? key(keys[0]!) : { kind: 'musig', keys, use: use(`musig(${keys.join(',')})`) };

  const everyone = sets.length === 1 && sets[0]!.length === n;
  const internal: KeyUse = everyone ? group(sets[0]!) : { kind: 'nums', use: use('nums') };
  const leaves: ShapeLeaf[] = everyone ? [] : sets.map((s) => ({ kind: 'pk', key: group(s) }));
  if (spec.checksigaddFallback) {
    const k = spec.checksigaddFallback.k;
    if (!Number.isInteger(k) || k < 1 || k > n) throw new BitcoinError('E_SHAPE', `CHECKSIGADD fallback: expected 1 <= k <= ${n}, got ${k}`);
    leaves.push({ kind: 'checksigadd', k, keys: range(0, n).map(key) });
  }
  let keyCount = n;
  if (spec.recovery) {
    const { keys, k, timelock } = spec.recovery;
    if (!Number.isInteger(keys) || keys < 1) throw new BitcoinError('E_SHAPE', `recovery: expected at least one recovery key, got ${keys}`);
    if (!Number.isInteger(k) || k < 1 || k > keys) throw new BitcoinError('E_SHAPE', `recovery: expected 1 <= k <= ${keys}, got ${k}`);
    const value = 'older' in timelock ? timelock.older : timelock.after;
    if (!Number.isInteger(value) || value < 1 || value >= 2 ** 31)
      throw new BitcoinError('E_SHAPE', `recovery timelock: expected 1 <= n < 2^31, got ${value}`);
    leaves.push({ kind: 'recovery', k, keys: range(n, n + keys).map(key), timelock });
    keyCount += keys;
  }
  return { spec, keyCount, internal, leaves, tree: leaves.length ? balanced(leaves) : undefined };
}

function spendingSets(spec: ShapeSpec): number[][] {
  const t = spec.threshold;
  switch (t.kind) {
    case 'all':
      return [range(0, spec.signers)];
    case 'k-of-n':
      return kSubsets(spec.signers, t.k);
    case 'weighted':
      if (t.weights.length !== spec.signers)
        throw new BitcoinError('E_SHAPE', `weights: expected ${spec.signers} weights, one per signer, got ${t.weights.length}`);
      return minimalQualifyingSubsets(t.weights, t.threshold);
  }
}

/** A balanced tree over the leaves in order (the left half gets the extra leaf). */
export function balanced<L>(leaves: readonly L[]): TapTreeShape<L> {
  if (leaves.length === 1) return leaves[0]!;
  const mid = Math.ceil(leaves.length / 2);
  return [balanced(leaves.slice(0, mid)), balanced(leaves.slice(mid))];
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
