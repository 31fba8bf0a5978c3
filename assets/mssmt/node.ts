// MS-SMT nodes (mssmt/node.go): a leaf hashes `value || u64be(sum)`, a branch hashes
// `left.hash || right.hash || u64be(left.sum + right.sum)`; sums must not overflow 64 bits.

import { concat, u64be } from '../../apdu/bytes.ts';
import { sha256 } from '../crypto.ts';
import { AssetVerifyError } from '../errors.ts';

/** Height of the tree: one level per bit of the 32-byte key. */
export const MSSMT_DEPTH = 256;
export const U64_MAX = 0xffffffffffffffffn;

/** A node reduced to what commitments and proofs carry. */
export interface MssmtNode {
  hash: Uint8Array;
  sum: bigint;
}

export function checkedAdd(a: bigint, b: bigint, what: string): bigint {
  const s = a + b;
  if (s > U64_MAX) throw new AssetVerifyError(what, `integer overflow, ${a} + ${b} exceeds 2^64-1`, 'E_MSSMT_OVERFLOW');
  return s;
}

export function leafNode(value: Uint8Array, sum: bigint): MssmtNode {
  return { hash: sha256(concat(value, u64be(sum))), sum };
}

export function branchNode(left: MssmtNode, right: MssmtNode): MssmtNode {
  const sum = checkedAdd(left.sum, right.sum, 'mssmt branch');
  return { hash: sha256(concat(left.hash, right.hash, u64be(sum))), sum };
}

/** EMPTY_TREE[d] is the root of an empty subtree whose top is at depth d (EMPTY_TREE[256] = empty leaf). */
export const EMPTY_TREE: readonly MssmtNode[] = (() => {
  const out: MssmtNode[] = new Array(MSSMT_DEPTH + 1);
  out[MSSMT_DEPTH] = leafNode(new Uint8Array(0), 0n);
  for (let d = MSSMT_DEPTH - 1; d >= 0; d--) out[d] = branchNode(out[d + 1]!, out[d + 1]!);
  return out;
})();

/** Bit `depth` of a key, least significant bit of each byte first (mssmt bitIndex). */
export function keyBit(key: Uint8Array, depth: number): number {
  return (key[depth >> 3]! >> (depth & 7)) & 1;
}

export function nodeEqual(a: MssmtNode, b: MssmtNode): boolean {
  if (a.sum !== b.sum || a.hash.length !== b.hash.length) return false;
  for (let i = 0; i < a.hash.length; i++) if (a.hash[i] !== b.hash[i]) return false;
  return true;
}
