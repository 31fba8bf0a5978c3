// An in-memory MS-SMT (merkle-sum sparse merkle tree, mssmt/tree.go). Leaves are kept in a map and
// the 256-level tree is recomputed on demand, collapsing empty subtrees to EMPTY_TREE[depth]:
// fine for the small trees of virtual transactions and split commitments.

import { toHex } from '../../apdu/bytes.ts';
import { EMPTY_TREE, MSSMT_DEPTH, U64_MAX, branchNode, keyBit, leafNode, type MssmtNode } from './node.ts';
import type { MssmtProof } from './proof.ts';
import { AssetVerifyError } from '../errors.ts';

export interface MssmtLeaf {
  key: Uint8Array;
  value: Uint8Array;
  sum: bigint;
}

export class MssmtTree {
  private readonly leaves = new Map<string, MssmtLeaf>();

  get size(): number {
    return this.leaves.size;
  }

  /** Inserts or replaces the leaf at `key`; refuses a total sum above 2^64-1 and leaves the tree unchanged. */
  insert(key: Uint8Array, value: Uint8Array, sum: bigint): this {
    if (key.length !== 32) throw new RangeError(`mssmt key: expected 32 bytes, got ${key.length}`);
    if (sum < 0n || sum > U64_MAX) throw new RangeError(`mssmt sum: expected 0..2^64-1, got ${sum}`);
    const id = toHex(key);
    const prior = this.leaves.get(id)?.sum ?? 0n;
    const total = this.rootSum() - prior + sum;
    if (total > U64_MAX) throw new AssetVerifyError(`mssmt insert ${id}`, `integer overflow, tree sum would be ${total}`, 'E_MSSMT_OVERFLOW');
    // An empty leaf is the absence of a leaf (mssmt Insert of EmptyLeafNode deletes).
    if (value.length === 0 && sum === 0n) this.leaves.delete(id);
    else this.leaves.set(id, { key: Uint8Array.from(key), value: Uint8Array.from(value), sum });
    return this;
  }

  delete(key: Uint8Array): this {
    this.leaves.delete(toHex(key));
    return this;
  }

  get(key: Uint8Array): MssmtLeaf | undefined {
    return this.leaves.get(toHex(key));
  }

  root(): MssmtNode {
    return subtree([...this.leaves.values()], 0);
  }

  rootSum(): bigint {
    let s = 0n;
    for (const l of this.leaves.values()) s += l.sum;
    return s;
  }

  /** Merkle proof for `key` (inclusion if present, exclusion otherwise). */
  proof(key: Uint8Array): MssmtProof {
    if (key.length !== 32) throw new RangeError(`mssmt key: expected 32 bytes, got ${key.length}`);
    const siblings: MssmtNode[] = new Array(MSSMT_DEPTH);
    let side = [...this.leaves.values()];
    for (let depth = 0; depth < MSSMT_DEPTH; depth++) {
      const bit = keyBit(key, depth);
      const mine = side.filter((l) => keyBit(l.key, depth) === bit);
      const other = side.filter((l) => keyBit(l.key, depth) !== bit);
      siblings[MSSMT_DEPTH - 1 - depth] = subtree(other, depth + 1);
      side = mine;
    }
    return { siblings };
  }
}

function subtree(leaves: MssmtLeaf[], depth: number): MssmtNode {
  if (leaves.length === 0) return EMPTY_TREE[depth]!;
  if (depth === MSSMT_DEPTH) {
    const leaf = leaves[0]!;
    return leafNode(leaf.value, leaf.sum);
  }
  const left = leaves.filter((l) => keyBit(l.key, depth) === 0);
  const right = leaves.filter((l) => keyBit(l.key, depth) === 1);
  return branchNode(subtree(left, depth + 1), subtree(right, depth + 1));
}
