// Merkle commitments of the Ledger Bitcoin app (app-bitcoin-new doc/merkle.md, docs/bitcoin-app-protocol.md §4):
// RFC 6962 shape over SHA-256 with domain-separated leaves (0x00) and inner nodes (0x01), the split at
// the largest power of two strictly smaller than n, and — unlike RFC 6962 — an empty tree whose root
// is 32 zero bytes. The host sends only roots; the device asks for leaves and proofs on demand, so the
// same code serves both sides.

import { sha256 } from '@noble/hashes/sha2.js';
import { compareBytes, concat, encodeVarint, equal } from './bytes.ts';
import { CodecError } from './errors.ts';

export const EMPTY_ROOT = new Uint8Array(32);

export function leafHash(element: Uint8Array): Uint8Array {
  return sha256(concat(Uint8Array.of(0x00), element));
}

export function innerHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concat(Uint8Array.of(0x01), left, right));
}

/** Largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOfHashes(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0]!;
  const k = splitPoint(hashes.length);
  return innerHash(rootOfHashes(hashes.slice(0, k)), rootOfHashes(hashes.slice(k)));
}

/**
 * A Merkle tree over pre-hashed leaves. Keeping the leaf hashes lets the host answer
 * GET_MERKLE_LEAF_INDEX and GET_MERKLE_LEAF_PROOF without rehashing the elements.
 */
export class MerkleTree {
  readonly leaves: readonly Uint8Array[];
  readonly root: Uint8Array;

  constructor(leafHashes: readonly Uint8Array[]) {
    this.leaves = leafHashes.slice();
    this.root = rootOfHashes(this.leaves);
  }

  static fromElements(elements: readonly Uint8Array[]): MerkleTree {
    return new MerkleTree(elements.map(leafHash));
  }

  get size(): number {
    return this.leaves.length;
  }

  indexOf(leaf: Uint8Array): number {
    return this.leaves.findIndex((l) => equal(l, leaf));
  }

  /** Sibling hashes from the leaf up to the root (bottom-up order, as the device consumes them). */
  proof(index: number): Uint8Array[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.leaves.length)
      throw new RangeError(`merkle proof: expected index in [0, ${this.leaves.length}), got ${index}`);
    return proofOf(this.leaves, index);
  }
}

function proofOf(hashes: readonly Uint8Array[], index: number): Uint8Array[] {
  if (hashes.length <= 1) return [];
  const k = splitPoint(hashes.length);
  if (index < k) return [...proofOf(hashes.slice(0, k), index), rootOfHashes(hashes.slice(k))];
  return [...proofOf(hashes.slice(k), index - k), rootOfHashes(hashes.slice(0, k))];
}

/**
 * Recomputes the root from a leaf and its proof for a tree of `size` leaves. The shape of the path is
 * fixed by (size, index), so a proof of the wrong length is rejected rather than reinterpreted.
 */
export function rootFromProof(size: number, index: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  if (!Number.isInteger(size) || size < 1) throw new CodecError(`merkle proof: expected size >= 1, got ${size}`);
  if (!Number.isInteger(index) || index < 0 || index >= size)
    throw new CodecError(`merkle proof: expected index in [0, ${size}), got ${index}`);
  const expected = proofLength(size, index);
  if (proof.length !== expected)
    throw new CodecError(`merkle proof: expected ${expected} hashes for leaf ${index} of ${size}, got ${proof.length}`);
  return climb(size, index, leaf, proof, proof.length);
}

/** Number of hashes in the proof of leaf `index` in a tree of `size` leaves. */
export function proofLength(size: number, index: number): number {
  let depth = 0;
  let n = size;
  let i = index;
  while (n > 1) {
    const k = splitPoint(n);
    if (i < k) n = k;
    else {
      n -= k;
      i -= k;
    }
    depth++;
  }
  return depth;
}

// The proof lists siblings bottom-up; descend from the root to find which side each one is on.
function climb(size: number, index: number, leaf: Uint8Array, proof: readonly Uint8Array[], used: number): Uint8Array {
  if (size === 1) return leaf;
  const k = splitPoint(size);
  const sibling = proof[used - 1]!;
  if (index < k) return innerHash(climb(k, index, leaf, proof, used - 1), sibling);
  return innerHash(sibling, climb(size - k, index - k, leaf, proof, used - 1));
}

export function verifyProof(
  root: Uint8Array,
  size: number,
  index: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  try {
    return equal(rootFromProof(size, index, leaf, proof), root);
  } catch {
    return false;
  }
}

/**
 * A merkleized map (doc/merkle.md): entries sorted by key bytes, one tree over the keys and one over
 * the values. Its commitment `varint(n) || keys_root || values_root` is what the device receives.
 */
export class MerkleizedMap {
  readonly keys: readonly Uint8Array[];
  readonly values: readonly Uint8Array[];
  readonly keysTree: MerkleTree;
  readonly valuesTree: MerkleTree;

  constructor(entries: Iterable<readonly [Uint8Array, Uint8Array]>) {
    const sorted = [...entries].sort((a, b) => compareBytes(a[0], b[0]));
    for (let i = 1; i < sorted.length; i++)
      if (compareBytes(sorted[i - 1]![0], sorted[i]![0]) === 0)
        throw new CodecError('merkleized map: expected distinct keys, got a duplicate');
    this.keys = sorted.map((e) => e[0]);
    this.values = sorted.map((e) => e[1]);
    this.keysTree = MerkleTree.fromElements(this.keys);
    this.valuesTree = MerkleTree.fromElements(this.values);
  }

  get size(): number {
    return this.keys.length;
  }

  commitment(): Uint8Array {
    return concat(encodeVarint(this.size), this.keysTree.root, this.valuesTree.root);
  }
}
