// MS-SMT merkle proofs (mssmt/proof.go): 256 sibling nodes ordered bottom-up (siblings[0] is the
// leaf's sibling), and the compressed form that replaces empty-subtree siblings by one bit each:
// `u16be(count) || count × (hash32 || u64be sum) || 32 bytes of bits (LSB first)`.

import { ByteReader, concat, u16be, u64be } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import { EMPTY_TREE, MSSMT_DEPTH, branchNode, keyBit, leafNode, nodeEqual, type MssmtNode } from './node.ts';

export interface MssmtProof {
  /** Exactly 256 siblings, bottom-up. */
  siblings: MssmtNode[];
}

export interface CompressedMssmtProof {
  /** The non-empty siblings, bottom-up. */
  nodes: MssmtNode[];
  /** bits[i] set: sibling i is the empty subtree of its height. */
  bits: boolean[];
}

export function compressProof(proof: MssmtProof): CompressedMssmtProof {
  const bits: boolean[] = [];
  const nodes: MssmtNode[] = [];
  proof.siblings.forEach((node, i) => {
    const empty = nodeEqual(node, EMPTY_TREE[MSSMT_DEPTH - i]!);
    bits.push(empty);
    if (!empty) nodes.push(node);
  });
  return { nodes, bits };
}

export function decompressProof(c: CompressedMssmtProof, what = 'mssmt proof'): MssmtProof {
  const expected = c.bits.filter((b) => !b).length;
  if (expected !== c.nodes.length)
    throw new CodecError(`${what}: expected ${expected} explicit nodes for the bit map, got ${c.nodes.length}`);
  let next = 0;
  const siblings = c.bits.map((bit, i) => (bit ? EMPTY_TREE[MSSMT_DEPTH - i]! : c.nodes[next++]!));
  return { siblings };
}

export function encodeCompressedProof(c: CompressedMssmtProof): Uint8Array {
  if (c.bits.length !== MSSMT_DEPTH) throw new RangeError(`mssmt proof: expected ${MSSMT_DEPTH} bits, got ${c.bits.length}`);
  const bitBytes = new Uint8Array(MSSMT_DEPTH / 8);
  c.bits.forEach((bit, i) => {
    if (bit) bitBytes[i >> 3]! |= 1 << (i & 7);
  });
  return concat(u16be(c.nodes.length), ...c.nodes.flatMap((n) => [n.hash, u64be(n.sum)]), bitBytes);
}

export function decodeCompressedProof(bytes: Uint8Array, what = 'mssmt proof'): CompressedMssmtProof {
  const r = new ByteReader(bytes, what);
  const count = r.u16be('node count');
  const nodes: MssmtNode[] = [];
  for (let i = 0; i < count; i++) {
    const hash = r.bytesN(32, `nodes[${i}].hash`);
    nodes.push({ hash, sum: r.u64be(`nodes[${i}].sum`) });
  }
  const bitBytes = r.bytesN(MSSMT_DEPTH / 8, 'bits');
  r.end();
  const bits = Array.from({ length: MSSMT_DEPTH }, (_, i) => ((bitBytes[i >> 3]! >> (i & 7)) & 1) === 1);
  const out = { nodes, bits };
  decompressProof(out, what);
  return out;
}

/** Root implied by a leaf at `key` and its siblings (mssmt walkUp); throws on sum overflow. */
export function proofRoot(key: Uint8Array, leaf: MssmtNode, proof: MssmtProof): MssmtNode {
  if (key.length !== 32) throw new RangeError(`mssmt key: expected 32 bytes, got ${key.length}`);
  if (proof.siblings.length !== MSSMT_DEPTH)
    throw new RangeError(`mssmt proof: expected ${MSSMT_DEPTH} siblings, got ${proof.siblings.length}`);
  let current = leaf;
  for (let depth = MSSMT_DEPTH - 1; depth >= 0; depth--) {
    const sibling = proof.siblings[MSSMT_DEPTH - 1 - depth]!;
    current = keyBit(key, depth) === 0 ? branchNode(current, sibling) : branchNode(sibling, current);
  }
  return current;
}

/** Inclusion proof check: `value`/`sum` sits at `key` under `root`. */
export function verifyInclusion(key: Uint8Array, value: Uint8Array, sum: bigint, proof: MssmtProof, root: MssmtNode): boolean {
  return verifyLeaf(key, leafNode(value, sum), proof, root);
}

/** Exclusion proof check: the slot at `key` is empty under `root`. */
export function verifyExclusion(key: Uint8Array, proof: MssmtProof, root: MssmtNode): boolean {
  return verifyLeaf(key, EMPTY_TREE[MSSMT_DEPTH]!, proof, root);
}

function verifyLeaf(key: Uint8Array, leaf: MssmtNode, proof: MssmtProof, root: MssmtNode): boolean {
  try {
    return nodeEqual(proofRoot(key, leaf, proof), root);
  } catch {
    return false;
  }
}
