// The leaves SIGN_VPSBT v2 sends in canonical form (design §3.3, §3.5): a tapd split leaf is the
// split asset with its split commitment removed and the root's lock times (vm.validateSplit), and
// when the split asset is what tapd builds (commitment/split.go: the root's genesis and group key,
// one witness holding the zero prev ID, script version 0) it is determined by the root and three
// values of its own. The signed root, likewise, by the inputs and its own values. Host and device
// rebuild the same bytes from the same pieces; anything else travels explicitly.

import { equal } from '../../apdu/bytes.ts';
import { ZERO_PREV_ID, type PrevId } from '../asset/prev-id.ts';
import { encodeAsset, type Asset } from '../asset/leaf.ts';
import type { Genesis } from '../asset/genesis.ts';
import type { MssmtNode } from '../mssmt/node.ts';
import { stripWitnesses } from './virtual-tx.ts';

/** What a split leaf takes from the root asset. */
export type SplitLeafContext = Pick<Asset, 'genesis' | 'lockTime' | 'relativeLockTime' | 'groupKey'>;

/** The leaf `split` occupies in `root`'s split commitment: no split commitment, the root's lock times. */
export function splitLeafAsset(split: Asset, root: SplitLeafContext): Asset {
  return {
    ...split,
    lockTime: root.lockTime,
    relativeLockTime: root.relativeLockTime,
    prevWitnesses: split.prevWitnesses.map((w, k) => (k === 0 ? { ...(w.prevId ? { prevId: w.prevId } : {}), txWitness: w.txWitness, unknownOddTypes: w.unknownOddTypes } : w)),
  };
}

/** tapd's split leaf for `(version, amount, scriptKey)` under `root`. */
export function canonicalSplitLeaf(root: SplitLeafContext, version: number, amount: bigint, scriptKey: Uint8Array): Asset {
  return {
    version,
    genesis: root.genesis,
    amount,
    lockTime: root.lockTime,
    relativeLockTime: root.relativeLockTime,
    prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }],
    scriptVersion: 0,
    scriptKey,
    ...(root.groupKey ? { groupKey: root.groupKey } : {}),
    unknownOddTypes: [],
  };
}

export interface RootValues {
  version: number;
  amount: bigint;
  lockTime: bigint;
  relativeLockTime: bigint;
  splitCommitmentRoot?: MssmtNode;
  scriptKey: Uint8Array;
}

/** The signed root as tapd builds it: the inputs' genesis and group key, one bare witness per input in input order. */
export function canonicalRoot(genesis: Genesis, groupKey: Uint8Array | undefined, prevIds: readonly PrevId[], v: RootValues): Asset {
  return {
    version: v.version,
    genesis,
    amount: v.amount,
    lockTime: v.lockTime,
    relativeLockTime: v.relativeLockTime,
    prevWitnesses: prevIds.map((prevId) => ({ prevId, txWitness: [], unknownOddTypes: [] })),
    ...(v.splitCommitmentRoot ? { splitCommitmentRoot: v.splitCommitmentRoot } : {}),
    scriptVersion: 0,
    scriptKey: v.scriptKey,
    ...(groupKey ? { groupKey } : {}),
    unknownOddTypes: [],
  };
}

/** True when `asset` encodes to the same bytes as `canonical` (so the canonical form may replace it). */
export function encodesAs(asset: Asset, canonical: Asset): boolean {
  return equal(encodeAsset(asset), encodeAsset(canonical));
}

/** The root's bytes as the v2 stream's explicit form carries them (no tx witnesses). */
export function rootStreamBytes(root: Asset): Uint8Array {
  return encodeAsset(stripWitnesses(root));
}
