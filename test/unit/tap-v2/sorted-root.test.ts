import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, fromHex, u32be } from '../../../apdu/bytes.ts';
import { AssetVerifyError } from '../../../assets/errors.ts';
import { EMPTY_TREE, keyBit, leafNode } from '../../../assets/mssmt/node.ts';
import { SortedMssmtRoot, compareTreeOrder, divergenceDepth } from '../../../assets/mssmt/sorted-root.ts';
import { MssmtTree } from '../../../assets/mssmt/tree.ts';

const leaf = (i: number) => ({ key: sha256(u32be(i)), value: concat(Uint8Array.of(0xaa), u32be(i)), sum: BigInt(i + 1) });

function sortedRoot(leaves: ReturnType<typeof leaf>[], max?: number) {
  const b = new SortedMssmtRoot(max);
  for (const l of [...leaves].sort((x, y) => compareTreeOrder(x.key, y.key))) b.add(l.key, leafNode(l.value, l.sum));
  return { root: b.root(), peak: b.peakPending };
}

describe('SortedMssmtRoot', () => {
  it('tree order compares bits LSB first in each byte, not bytes', () => {
    const a = fromHex('02'.padEnd(64, '0'));
    const b = fromHex('01'.padEnd(64, '0'));
    // Byte-wise b < a; at depth 0 (bit 0 of byte 0) a has 0 and b has 1, so a comes first.
    expect(divergenceDepth(a, b)).toBe(0);
    expect(compareTreeOrder(a, b)).toBe(-1);
    expect(compareTreeOrder(b, a)).toBe(1);
    expect(compareTreeOrder(a, a)).toBe(0);
    const c = fromHex('0000'.padEnd(62, '0') + '80');
    expect(divergenceDepth(new Uint8Array(32), c)).toBe(255);
    expect(keyBit(c, 255)).toBe(1);
  });

  it('equals the root of the in-memory tree for 0, 1, 2 and 300 leaves', () => {
    for (const n of [0, 1, 2, 300]) {
      const leaves = Array.from({ length: n }, (_, i) => leaf(i));
      const tree = new MssmtTree();
      for (const l of leaves) tree.insert(l.key, l.value, l.sum);
      const { root, peak } = sortedRoot(leaves);
      expect(root).toEqual(tree.root());
      expect(peak).toBeLessThanOrEqual(Math.max(0, Math.ceil(Math.log2(Math.max(n, 1))) + 2));
    }
    expect(sortedRoot([]).root).toEqual(EMPTY_TREE[0]);
  });

  it('refuses a repeated key and a key out of tree order, naming the leaf', () => {
    const [x, y] = [leaf(1), leaf(2)].sort((p, q) => compareTreeOrder(p.key, q.key));
    const b = new SortedMssmtRoot();
    b.add(y!.key, leafNode(y!.value, y!.sum), 'outputs[0]');
    expect(() => b.add(x!.key, leafNode(x!.value, x!.sum), 'outputs[1]')).toThrow(new AssetVerifyError('outputs[1]', 'comes before the previous key in tree order'));
    expect(() => b.add(y!.key, leafNode(y!.value, y!.sum), 'outputs[1]')).toThrow(/repeats the previous key/);
  });

  it('holds at most maxPending subtrees: keys nested along one path need one per level', () => {
    // Key m has its first m bits set: in tree order each diverges from the last one level deeper.
    const key = (m: number) => {
      const k = new Uint8Array(32);
      for (let d = 0; d < m; d++) k[d >> 3]! |= 1 << (d & 7);
      return k;
    };
    const keys = Array.from({ length: 12 }, (_, m) => key(m)).sort(compareTreeOrder);
    const tree = new MssmtTree();
    keys.forEach((k, i) => tree.insert(k, u32be(i), 1n));
    const all = new SortedMssmtRoot();
    keys.forEach((k) => all.add(k, leafNode(tree.get(k)!.value, 1n)));
    expect(all.peakPending).toBe(11);
    expect(all.root()).toEqual(tree.root());
    const capped = new SortedMssmtRoot(4);
    expect(() => keys.forEach((k) => capped.add(k, leafNode(new Uint8Array(1), 1n)))).toThrow(expect.objectContaining({ code: 'E_MSSMT_STACK_LIMIT' }));
  });
});
