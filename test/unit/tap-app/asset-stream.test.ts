import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concat, toHex, u32be, u64be } from '../../../apdu/bytes.ts';
import { CodecError } from '../../../apdu/errors.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { assetLeafValue, decodeAsset, encodeAsset, type Asset } from '../../../assets/asset/leaf.ts';
import { MSSMT_DEPTH, leafNode, type MssmtNode } from '../../../assets/mssmt/node.ts';
import { encodeCompressedProof, type CompressedMssmtProof } from '../../../assets/mssmt/proof.ts';
import { stripWitnesses } from '../../../assets/vtx/virtual-tx.ts';
import { pullAsset, type AssetStreamOptions, type StreamedAsset } from '../../firmware/asset-stream.ts';
import { PullStream, pullWhole } from '../../firmware/pull.ts';
import { transferPacket } from './vpsbt-fixture.ts';

/** Parses `bytes` pushed in pieces of `size` bytes (0: whole), as the host's client-command replies deliver them. */
function streamed(bytes: Uint8Array, size: number, opts: AssetStreamOptions = {}): { asset: StreamedAsset; peak: number } {
  const s = new PullStream(bytes.length, 'asset', (p) => pullAsset(p, 'asset', opts));
  const step = size || bytes.length;
  for (let i = 0; i < bytes.length; i += step) s.push(bytes.subarray(i, i + step));
  return { asset: s.finish(), peak: s.peak };
}

const stripped = (a: Asset): Uint8Array => pullWhole(encodeAsset(a), 'root', (p) => pullAsset(p, 'root', { stripped: true })).stripped!;

/** The split leaf as tapd's vm.validateSplit builds it, with assets/: the root's lock times, the witness without its split commitment. */
function splitLeafNode(s: Asset, root: Asset): MssmtNode {
  const w = s.prevWitnesses[0]!;
  const witness = { ...(w.prevId ? { prevId: w.prevId } : {}), txWitness: [], unknownOddTypes: w.unknownOddTypes };
  return leafNode(assetLeafValue({ ...s, lockTime: root.lockTime, relativeLockTime: root.relativeLockTime, prevWitnesses: [witness] }), s.amount);
}

const odd = (type: number, ...bytes: number[]) => ({ type: BigInt(type), value: Uint8Array.from(bytes) });

function fixtures() {
  const p = transferPacket({ recipients: 2 });
  const root = p.outputs[0]!.asset!;
  const recipient = p.outputs[1]!.asset!;
  const sw = recipient.prevWitnesses[0]!;
  // A root with lock times, a group key, tx witnesses and records tapd does not know; a split of it
  // with its own lock times and unknown records on both sides of its split commitment.
  const richRoot: Asset = {
    ...root,
    version: 1,
    lockTime: 800_000n,
    relativeLockTime: 144n,
    groupKey: p.inputs[0]!.prevId.scriptKey,
    unknownOddTypes: [odd(21, 1, 2, 3)],
    prevWitnesses: root.prevWitnesses.map((w, i) => ({ ...w, txWitness: [new Uint8Array(64).fill(i + 1), Uint8Array.of(1)], unknownOddTypes: [odd(9, 7)] })),
  };
  const richSplit: Asset = {
    ...recipient,
    version: 1,
    lockTime: 5n,
    unknownOddTypes: [odd(19, 0xaa)],
    prevWitnesses: [{ ...sw, unknownOddTypes: [odd(7, 1), odd(11, 2, 2)], splitCommitment: { ...sw.splitCommitment!, rootAsset: richRoot } }],
  };
  return { p, root, recipient, rootSplit: p.outputs[0]!.splitAsset!, input: p.inputs[0]!.asset!, richRoot, richSplit };
}

/** xorshift32: the mutations are the same on every run. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe("test/firmware asset-stream: an asset leaf parsed as it streams (the firmware parser's reference, test/firmware/vectors.ts)", () => {
  it('reads what decodeAsset reads, whatever the piece sizes', () => {
    const f = fixtures();
    for (const a of [f.root, f.recipient, f.rootSplit, f.input, f.richRoot, f.richSplit]) {
      const bytes = encodeAsset(a);
      const d = decodeAsset(bytes);
      for (const size of [1, 2, 7, 40, 138, 253, 0]) {
        const { asset: s } = streamed(bytes, size);
        expect(toHex(s.assetId)).toBe(toHex(assetId(d.genesis)));
        expect(s.amount).toBe(d.amount);
        expect(toHex(s.scriptKey)).toBe(toHex(d.scriptKey));
        expect(s.version).toBe(d.version);
        expect(s.witnessCount).toBe(d.prevWitnesses.length);
        expect(s.firstWitness?.txWitness ?? false).toBe((d.prevWitnesses[0]?.txWitness.length ?? 0) > 0);
        expect(s.firstWitness?.splitCommitment !== undefined).toBe(d.prevWitnesses[0]?.splitCommitment !== undefined);
      }
    }
  });

  it("hashes the split leaf vm.validateSplit builds: the root's lock times, the witness without its split commitment", () => {
    const f = fixtures();
    const cases: [Asset, Asset][] = [
      [f.recipient, f.root],
      [f.rootSplit, f.root],
      [f.richSplit, f.richRoot],
      [f.richSplit, f.root],
    ];
    for (const [split, root] of cases)
      for (const size of [1, 13, 0]) {
        const { asset: s } = streamed(encodeAsset(split), size, { splitLeaf: { lockTime: root.lockTime, relativeLockTime: root.relativeLockTime } });
        const expected = splitLeafNode(split, root);
        expect(s.splitLeafProblem).toBeUndefined();
        expect(toHex(s.splitLeaf!.hash)).toBe(toHex(expected.hash));
        expect(s.splitLeaf!.sum).toBe(split.amount);
      }
  });

  it('a split with a tx witness, two witnesses or no split commitment has no split leaf, and says why', () => {
    const f = fixtures();
    const w = f.recipient.prevWitnesses[0]!;
    const opts = { splitLeaf: { lockTime: 0n, relativeLockTime: 0n } };
    const problem = (a: Asset) => streamed(encodeAsset(a), 0, opts).asset.splitLeafProblem;
    expect(problem({ ...f.recipient, prevWitnesses: [{ ...w, txWitness: [Uint8Array.of(1)] }] })).toBe('a split output carries a tx witness');
    expect(problem({ ...f.recipient, prevWitnesses: [w, w] })).toBe('a split output carries 2 prev witnesses');
    expect(problem({ ...f.recipient, prevWitnesses: [{ ...w, splitCommitment: undefined }] })).toBe('a split output carries no split commitment');
    expect(problem({ ...f.recipient, prevWitnesses: [] })).toBe('a split output carries no prev witness');
    expect(problem({ ...f.recipient, version: 2 })).toBe('expected asset version 0 or 1 to build a commitment leaf, got 2');
  });

  it('keeps of the embedded proof only its bit map and SHA256(00 || nodes); the root asset as its stripped digest', () => {
    const f = fixtures();
    for (const split of [f.recipient, f.richSplit]) {
      const sc = streamed(encodeAsset(split), 5).asset.firstWitness!.splitCommitment!;
      const proof = split.prevWitnesses[0]!.splitCommitment!.proof;
      expect(sc.nodeCount).toBe(proof.nodes.length);
      expect(toHex(sc.nodesHash)).toBe(toHex(sha256(concat(Uint8Array.of(0), ...proof.nodes.flatMap((n) => [n.hash, u64be(n.sum)])))));
      expect(toHex(sc.bits)).toBe(toHex(encodeCompressedProof(proof).subarray(-MSSMT_DEPTH / 8)));
      expect(toHex(sc.rootAsset)).toBe(toHex(stripped(split.prevWitnesses[0]!.splitCommitment!.rootAsset)));
    }
  });

  it('the stripped digest of a root: equal once tx witnesses are stripped, different for any other change', () => {
    const { richRoot } = fixtures();
    const d = toHex(stripped(richRoot));
    expect(toHex(stripped(stripWitnesses(richRoot)))).toBe(d);
    expect(toHex(stripped({ ...richRoot, amount: richRoot.amount + 1n }))).not.toBe(d);
    expect(toHex(stripped({ ...richRoot, relativeLockTime: 0n }))).not.toBe(d);
    expect(toHex(stripped({ ...richRoot, prevWitnesses: richRoot.prevWitnesses.slice(1) }))).not.toBe(d);
    expect(toHex(stripped({ ...richRoot, prevWitnesses: richRoot.prevWitnesses.map((w) => ({ ...w, unknownOddTypes: [] })) }))).not.toBe(d);
    // A root that would move a witness' record into the next witness cannot collide: witnesses are terminated.
    const [w0, w1] = richRoot.prevWitnesses;
    expect(toHex(stripped({ ...richRoot, prevWitnesses: [{ ...w0!, unknownOddTypes: [] }, { ...w1!, unknownOddTypes: [odd(9, 7), odd(13, 7)] }] }))).not.toBe(d);
  });

  it('holds as much for a proof of 200 nodes as for one of 1 node', () => {
    const { recipient } = fixtures();
    const withNodes = (count: number): Uint8Array => {
      const proof: CompressedMssmtProof = {
        nodes: Array.from({ length: count }, (_, i) => ({ hash: sha256(u32be(i)), sum: BigInt(i) })),
        bits: Array.from({ length: MSSMT_DEPTH }, (_, i) => i >= count),
      };
      const w = recipient.prevWitnesses[0]!;
      return encodeAsset({ ...recipient, prevWitnesses: [{ ...w, splitCommitment: { ...w.splitCommitment!, proof } }] });
    };
    const opts = { splitLeaf: { lockTime: 0n, relativeLockTime: 0n } };
    const small = streamed(withNodes(1), 253, opts);
    const large = streamed(withNodes(200), 253, opts);
    expect(withNodes(200).length - withNodes(1).length).toBeGreaterThanOrEqual(199 * 40);
    expect(large.asset.firstWitness!.splitCommitment!.nodeCount).toBe(200);
    expect(large.peak).toBe(small.peak);
  });

  it('refuses exactly what decodeAsset refuses (3,000 mutated encodings), with a CodecError', () => {
    const f = fixtures();
    const next = rng(0x7a9);
    const pick = (n: number) => Math.floor(next() * n);
    let refused = 0;
    for (const base of [f.richSplit, f.recipient, f.richRoot, f.rootSplit]) {
      const bytes = encodeAsset(base);
      for (let i = 0; i < 750; i++) {
        const at = pick(bytes.length);
        const kind = pick(4);
        const m =
          kind === 0
            ? Uint8Array.from(bytes, (b, j) => (j === at ? pick(256) : b))
            : kind === 1
              ? bytes.slice(0, at)
              : kind === 2
                ? concat(bytes.subarray(0, at), Uint8Array.of(pick(256)), bytes.subarray(at))
                : concat(bytes.subarray(0, at), bytes.subarray(at + 1));
        let decoded: Asset | Error;
        try {
          decoded = decodeAsset(m);
        } catch (e) {
          decoded = e as Error;
        }
        let pulled: StreamedAsset | Error;
        try {
          pulled = streamed(m, 1 + pick(60)).asset;
        } catch (e) {
          pulled = e as Error;
        }
        const why = `${kind}@${at}: decodeAsset ${decoded instanceof Error ? decoded.message : 'ok'}, stream ${pulled instanceof Error ? pulled.message : 'ok'}`;
        expect(pulled instanceof Error, why).toBe(decoded instanceof Error);
        if (pulled instanceof Error) {
          expect(pulled, why).toBeInstanceOf(CodecError);
          refused++;
        } else if (!(decoded instanceof Error)) {
          expect(toHex(pulled.assetId)).toBe(toHex(assetId(decoded.genesis)));
          expect(pulled.amount).toBe(decoded.amount);
          expect(toHex(pulled.scriptKey)).toBe(toHex(decoded.scriptKey));
        }
      }
    }
    expect(refused).toBeGreaterThan(1000);
  });
});
