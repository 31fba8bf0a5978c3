// Taproot script trees (BIP-341): tapleaf hashes, branch hashes with sorted children, the merkle
// root, each leaf's merkle path and control block, and the output key Q = P + t·G with
// t = TaggedHash("TapTweak", P || root) (no root: the BIP-86 key-path-only tweak).

import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { compareBytes, concat, encodeVarint } from '../apdu/bytes.ts';

/** BIP-342 tapscript leaf version. */
export const TAP_LEAF_VERSION = 0xc0;

export interface TapLeaf {
  readonly script: Uint8Array;
  readonly version?: number;
}

/** A binary tree of leaves: a leaf, or a pair of subtrees. */
export type TapTreeShape<L = TapLeaf> = L | readonly [TapTreeShape<L>, TapTreeShape<L>];

export interface TapLeafInfo {
  readonly script: Uint8Array;
  readonly version: number;
  readonly leafHash: Uint8Array;
  /** Sibling hashes from the leaf up to the root, as the control block lists them. */
  readonly merklePath: readonly Uint8Array[];
}

export interface TaptreeInfo {
  readonly root: Uint8Array;
  /** Leaves in left-to-right order. */
  readonly leaves: readonly TapLeafInfo[];
}

/** TaggedHash("TapLeaf", version || compact_size(len) || script) (BIP-341). */
export function tapLeafHash(script: Uint8Array, version: number = TAP_LEAF_VERSION): Uint8Array {
  return schnorr.utils.taggedHash('TapLeaf', Uint8Array.of(version), encodeVarint(script.length), script);
}

export function tapBranchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  return compareBytes(a, b) <= 0 ? schnorr.utils.taggedHash('TapBranch', a, b) : schnorr.utils.taggedHash('TapBranch', b, a);
}

export function buildTaptree(tree: TapTreeShape): TaptreeInfo {
  const walk = (t: TapTreeShape): { hash: Uint8Array; leaves: { info: Omit<TapLeafInfo, 'merklePath'>; path: Uint8Array[] }[] } => {
    if (!Array.isArray(t)) {
      const leaf = t as TapLeaf;
      const version = leaf.version ?? TAP_LEAF_VERSION;
      const leafHash = tapLeafHash(leaf.script, version);
      return { hash: leafHash, leaves: [{ info: { script: leaf.script, version, leafHash }, path: [] }] };
    }
    const [l, r] = (t as readonly [TapTreeShape, TapTreeShape]).map(walk) as [ReturnType<typeof walk>, ReturnType<typeof walk>];
    for (const x of l.leaves) x.path.push(r.hash);
    for (const x of r.leaves) x.path.push(l.hash);
    return { hash: tapBranchHash(l.hash, r.hash), leaves: [...l.leaves, ...r.leaves] };
  };
  const w = walk(tree);
  return { root: w.hash, leaves: w.leaves.map((x) => ({ ...x.info, merklePath: x.path })) };
}

export interface TaprootOutput {
  readonly internalKey: Uint8Array;
  readonly merkleRoot: Uint8Array | undefined;
  /** The 32-byte tweak scalar t. */
  readonly tweak: Uint8Array;
  /** x-only output key Q. */
  readonly outputKey: Uint8Array;
  /** Parity of Q's Y coordinate (the low bit of the control block's first byte). */
  readonly parity: 0 | 1;
}

export function taprootTweak(internalKey: Uint8Array, merkleRoot?: Uint8Array): Uint8Array {
  return schnorr.utils.taggedHash('TapTweak', merkleRoot ? concat(internalKey, merkleRoot) : internalKey);
}

/** Tweaks an x-only internal key with a merkle root (or none, for key-path-only outputs). */
export function taprootOutput(internalKey: Uint8Array, merkleRoot?: Uint8Array): TaprootOutput {
  if (internalKey.length !== 32) throw new RangeError(`taproot: expected a 32-byte x-only internal key, got ${internalKey.length} bytes`);
  const tweak = taprootTweak(internalKey, merkleRoot);
  const Fn = secp256k1.Point.Fn;
  const t = Fn.fromBytes(tweak);
  const P = schnorr.utils.lift_x(bytesToNumberBE(internalKey));
  const Q = P.add(secp256k1.Point.BASE.multiply(t));
  const full = Q.toBytes(true);
  return { internalKey, merkleRoot, tweak, outputKey: full.slice(1), parity: full[0] === 3 ? 1 : 0 };
}

/** BIP-341 control block for spending one leaf. */
export function controlBlock(out: TaprootOutput, leaf: TapLeafInfo): Uint8Array {
  return concat(Uint8Array.of(leaf.version | out.parity), out.internalKey, ...leaf.merklePath);
}
