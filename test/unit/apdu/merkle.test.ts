import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, utf8 } from '../../../apdu/bytes.ts';
import { EMPTY_ROOT, leafHash, MerkleizedMap, MerkleTree, proofLength, rootFromProof, verifyProof } from '../../../apdu/merkle.ts';

// An independent, deliberately plain reading of app-bitcoin-new doc/merkle.md on node:crypto: leaves are
// sha256(0x00 || e), inner nodes sha256(0x01 || l || r), the left subtree holds the largest power of two
// strictly below n leaves, the empty tree's root is 32 zero bytes.
const sha = (...parts: Uint8Array[]) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts)).digest());
const refLeaf = (e: Uint8Array) => sha(Uint8Array.of(0), e);
function refRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32);
  if (leaves.length === 1) return leaves[0]!;
  let left = 1;
  while (left * 2 < leaves.length) left *= 2;
  return sha(Uint8Array.of(1), refRoot(leaves.slice(0, left)), refRoot(leaves.slice(left)));
}
/** Siblings from the leaf upwards. */
function refProof(leaves: Uint8Array[], i: number): Uint8Array[] {
  if (leaves.length <= 1) return [];
  let left = 1;
  while (left * 2 < leaves.length) left *= 2;
  return i < left
    ? [...refProof(leaves.slice(0, left), i), refRoot(leaves.slice(left))]
    : [...refProof(leaves.slice(left), i - left), refRoot(leaves.slice(0, left))];
}

// Ledger's own JS client implementation (ledger-bitcoin 0.3.0, a devDependency) as a second opinion.
const require = createRequire(import.meta.url);
const ledger = require('ledger-bitcoin/build/main/lib/merkle.js') as {
  Merkle: new (leaves: Buffer[]) => { getRoot(): Buffer; getProof(i: number): Buffer[] };
};
const ledgerMap = require('ledger-bitcoin/build/main/lib/merkleMap.js') as {
  MerkleMap: new (keys: Buffer[], values: Buffer[]) => { commitment(): Buffer };
};

const elements = (n: number) => Array.from({ length: n }, (_, i) => utf8.encode(`element ${i}`));

describe('merkle tree', () => {
  it('leaf hash is sha256(00 || e); the empty root is 32 zero bytes', () => {
    expect(toHex(leafHash(new Uint8Array()))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(toHex(EMPTY_ROOT)).toBe('00'.repeat(32));
    expect(toHex(new MerkleTree([]).root)).toBe('00'.repeat(32));
    expect(toHex(MerkleTree.fromElements([]).root)).toBe('00'.repeat(32));
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9])('n = %i: root equals the plain implementation and Ledger client', (n) => {
    const leaves = elements(n).map(refLeaf);
    const tree = MerkleTree.fromElements(elements(n));
    expect(tree.size).toBe(n);
    expect(toHex(tree.root)).toBe(toHex(refRoot(leaves)));
    expect(toHex(tree.root)).toBe(new ledger.Merkle(leaves.map((l) => Buffer.from(l))).getRoot().toString('hex'));
  });

  it('n = 3 by hand: root = H(01 || H(01 || l0 || l1) || l2)', () => {
    const [l0, l1, l2] = elements(3).map(refLeaf) as [Uint8Array, Uint8Array, Uint8Array];
    const root = sha(Uint8Array.of(1), sha(Uint8Array.of(1), l0, l1), l2);
    expect(toHex(MerkleTree.fromElements(elements(3)).root)).toBe(toHex(root));
    expect(MerkleTree.fromElements(elements(3)).proof(2).map(toHex)).toEqual([toHex(sha(Uint8Array.of(1), l0, l1))]);
  });

  it('every proof for n = 1..9 matches both references and verifies', () => {
    for (let n = 1; n <= 9; n++) {
      const leaves = elements(n).map(refLeaf);
      const tree = new MerkleTree(leaves);
      const theirs = new ledger.Merkle(leaves.map((l) => Buffer.from(l)));
      for (let i = 0; i < n; i++) {
        const proof = tree.proof(i);
        expect(proof.map(toHex)).toEqual(refProof(leaves, i).map(toHex));
        expect(proof.map(toHex)).toEqual(theirs.getProof(i).map((b) => b.toString('hex')));
        expect(proof.length).toBe(proofLength(n, i));
        expect(toHex(rootFromProof(n, i, leaves[i]!, proof))).toBe(toHex(tree.root));
        expect(verifyProof(tree.root, n, i, leaves[i]!, proof)).toBe(true);
        expect(tree.indexOf(leaves[i]!)).toBe(i);
      }
    }
  });

  it('rejects wrong proofs: flipped hash, wrong leaf, index, size, length', () => {
    const n = 7;
    const leaves = elements(n).map(refLeaf);
    const tree = new MerkleTree(leaves);
    for (let i = 0; i < n; i++) {
      const proof = tree.proof(i);
      for (let k = 0; k < proof.length; k++) {
        const bad = proof.map((h) => h.slice());
        bad[k]![0]! ^= 1;
        expect(verifyProof(tree.root, n, i, leaves[i]!, bad)).toBe(false);
      }
      expect(verifyProof(tree.root, n, i, leaves[(i + 1) % n]!, proof)).toBe(false);
      expect(verifyProof(tree.root, n, (i + 1) % n, leaves[i]!, proof)).toBe(false);
      // The size is not committed by the root (the device takes it from the map commitment), and for some
      // leaves a 7-leaf path has the same shape in an 8-leaf tree; a 14-leaf tree never matches here.
      expect(verifyProof(tree.root, 2 * n, i, leaves[i]!, proof)).toBe(false);
      expect(verifyProof(tree.root, n, i, leaves[i]!, proof.slice(1))).toBe(false);
      expect(verifyProof(tree.root, n, i, leaves[i]!, [...proof, tree.root])).toBe(false);
    }
    expect(() => rootFromProof(7, 6, leaves[6]!, [])).toThrow(
      expect.objectContaining({ code: 'E_CODEC', message: 'merkle proof: expected 2 hashes for leaf 6 of 7, got 0' }),
    );
    expect(() => rootFromProof(7, 7, leaves[0]!, [])).toThrow(expect.objectContaining({ code: 'E_CODEC' }));
    expect(() => rootFromProof(0, 0, leaves[0]!, [])).toThrow(expect.objectContaining({ code: 'E_CODEC' }));
    expect(() => tree.proof(7)).toThrow('merkle proof: expected index in [0, 7), got 7');
    expect(tree.indexOf(new Uint8Array(32))).toBe(-1);
  });
});

describe('merkleized map', () => {
  const entries: [Uint8Array, Uint8Array][] = [
    [fromHex('02'), fromHex('aa')],
    [fromHex('0001'), fromHex('bbbb')],
    [fromHex('00'), fromHex('')],
    [fromHex('ff'), fromHex('cc')],
  ];

  it('sorts by key and commits to varint(n) || keys root || values root', () => {
    const map = new MerkleizedMap(entries);
    expect(map.keys.map(toHex)).toEqual(['00', '0001', '02', 'ff']);
    expect(map.values.map(toHex)).toEqual(['', 'bbbb', 'aa', 'cc']);
    const expected = concat(Uint8Array.of(4), refRoot(map.keys.map(refLeaf)), refRoot(map.values.map(refLeaf)));
    expect(toHex(map.commitment())).toBe(toHex(expected));
    const theirs = new ledgerMap.MerkleMap(map.keys.map((k) => Buffer.from(k)), map.values.map((v) => Buffer.from(v)));
    expect(toHex(map.commitment())).toBe(theirs.commitment().toString('hex'));
    expect(toHex(new MerkleizedMap([...entries].reverse()).commitment())).toBe(toHex(map.commitment()));
  });

  it('an empty map commits to 00 and two empty roots', () => {
    expect(toHex(new MerkleizedMap([]).commitment())).toBe('00' + '00'.repeat(64));
  });

  it('refuses duplicate keys with CodecError', () => {
    expect(() => new MerkleizedMap([...entries, [fromHex('02'), fromHex('dd')]])).toThrow(
      expect.objectContaining({ code: 'E_CODEC', message: 'merkleized map: expected distinct keys, got a duplicate' }),
    );
  });
});
