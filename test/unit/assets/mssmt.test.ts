import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { MssmtTree } from '../../../assets/mssmt/tree.ts';
import { EMPTY_TREE, leafNode } from '../../../assets/mssmt/node.ts';
import {
  compressProof,
  decodeCompressedProof,
  decompressProof,
  encodeCompressedProof,
  proofRoot,
  verifyExclusion,
  verifyInclusion,
} from '../../../assets/mssmt/proof.ts';
import { vector } from './helpers.ts';

type Leaf = { key: string; node: { value: string; sum: string } };

function runFile(name: string) {
  const d = vector(`mssmt/testdata/${name}`);
  const leaves = new Map<string, Leaf>((d.all_tree_leaves as Leaf[]).map((l) => [l.key, l]));
  return { d, leaves };
}

function build(leaves: Map<string, Leaf>, t: any): MssmtTree {
  const tree = new MssmtTree();
  for (const k of t.inserted_leaves ?? []) {
    const l = leaves.get(k)!;
    tree.insert(fromHex(k), fromHex(l.node.value), BigInt(l.node.sum));
  }
  for (const k of t.deleted_leaves ?? []) tree.delete(fromHex(k));
  for (const r of t.replaced_leaves ?? []) tree.insert(fromHex(r.key), fromHex(r.node.value), BigInt(r.node.sum));
  return tree;
}

describe('MS-SMT vectors', () => {
  for (const file of ['mssmt_tree_deletion.json', 'mssmt_tree_replacement.json', 'mssmt_tree_error_cases.json']) {
    const { d, leaves } = runFile(file);
    for (const t of d.valid_test_cases as any[]) {
      it(`${file}: ${t.comment}`, () => {
        const tree = build(leaves, t);
        const root = tree.root();
        expect(toHex(root.hash)).toBe(t.root_hash);
        expect(root.sum.toString()).toBe(t.root_sum);
        // every present leaf proves inclusion, every removed leaf proves exclusion
        for (const k of [...(t.inserted_leaves ?? []), ...(t.deleted_leaves ?? [])]) {
          const key = fromHex(k);
          const leaf = tree.get(key);
          const proof = tree.proof(key);
          const roundTrip = decompressProof(decodeCompressedProof(encodeCompressedProof(compressProof(proof))));
          if (leaf) expect(verifyInclusion(key, leaf.value, leaf.sum, roundTrip, root)).toBe(true);
          else expect(verifyExclusion(key, roundTrip, root)).toBe(true);
        }
      });
    }
    for (const t of (d.error_test_cases ?? []) as any[]) {
      it(`${file}: error "${t.error}" (${t.comment})`, () => {
        expect(() => build(leaves, t)).toThrow(expect.objectContaining({ code: 'E_MSSMT_OVERFLOW', message: expect.stringContaining(t.error) }));
      });
    }
  }
});

describe('MS-SMT behaviour', () => {
  it('empty tree root is the cached empty root', () => {
    expect(new MssmtTree().root()).toEqual(EMPTY_TREE[0]);
    expect(toHex(EMPTY_TREE[256]!.hash)).toBe(toHex(leafNode(new Uint8Array(), 0n).hash));
  });

  it('an inclusion proof fails for another value, another sum or another root', () => {
    const tree = new MssmtTree();
    const k1 = new Uint8Array(32).fill(1);
    const k2 = new Uint8Array(32).fill(2);
    tree.insert(k1, fromHex('aa'), 5n).insert(k2, fromHex('bb'), 7n);
    const root = tree.root();
    expect(root.sum).toBe(12n);
    const p = tree.proof(k1);
    expect(verifyInclusion(k1, fromHex('aa'), 5n, p, root)).toBe(true);
    expect(verifyInclusion(k1, fromHex('ab'), 5n, p, root)).toBe(false);
    expect(verifyInclusion(k1, fromHex('aa'), 6n, p, root)).toBe(false);
    expect(verifyExclusion(k1, p, root)).toBe(false);
    expect(verifyExclusion(new Uint8Array(32).fill(3), tree.proof(new Uint8Array(32).fill(3)), root)).toBe(true);
    tree.delete(k2);
    expect(verifyInclusion(k1, fromHex('aa'), 5n, p, tree.root())).toBe(false);
    expect(proofRoot(k1, leafNode(fromHex('aa'), 5n), tree.proof(k1))).toEqual(tree.root());
  });

  it('compressed proof codec refuses truncation and bit/node mismatches', () => {
    const tree = new MssmtTree().insert(new Uint8Array(32), fromHex('01'), 1n).insert(new Uint8Array(32).fill(0x80), fromHex('02'), 2n);
    const bytes = encodeCompressedProof(compressProof(tree.proof(new Uint8Array(32))));
    expect(toHex(bytes.subarray(0, 2))).toBe('0001');
    expect(() => decodeCompressedProof(bytes.subarray(0, bytes.length - 1))).toThrow(/bits/);
    const lying = Uint8Array.from(bytes);
    lying[lying.length - 1] = 0xff; // claim the explicit sibling is empty as well
    expect(() => decodeCompressedProof(lying)).toThrow(/expected 0 explicit nodes for the bit map, got 1/);
  });
});
