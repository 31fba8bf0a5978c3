import { describe, expect, it } from 'vitest';
import { base64 } from '@scure/base';
import { toHex } from '../../../apdu/bytes.ts';
import { decodeAsset, encodeAsset, type Asset, type Witness } from '../../../assets/asset/leaf.ts';
import { decodeVPacket, encodeVPacket } from '../../../assets/vpsbt/codec.ts';
import type { VInput, VOutput, VPacket } from '../../../assets/vpsbt/packet.ts';
import { MssmtTree } from '../../../assets/mssmt/tree.ts';
import { compressProof } from '../../../assets/mssmt/proof.ts';
import { Point } from '../../../assets/crypto.ts';
import { prng, vector, type Prng } from './helpers.ts';

const key33 = (r: Prng): Uint8Array => Point.BASE.multiply(BigInt(1 + r.int(2 ** 30)) * 7919n + 1n).toBytes(true);
const pick = <T,>(r: Prng, xs: T[]): T => xs[r.int(xs.length)]!;

function randWitness(r: Prng, depth: number): Witness {
  const w: Witness = { txWitness: [], unknownOddTypes: [] };
  if (r.bool()) w.prevId = { outPoint: { txid: r.bytes(32), index: r.int(2 ** 32) }, assetId: r.bytes(32), scriptKey: key33(r) };
  if (r.bool()) w.txWitness = Array.from({ length: 1 + r.int(3) }, () => r.bytes(r.int(80)));
  if (depth === 0 && r.int(4) === 0) {
    const tree = new MssmtTree().insert(r.bytes(32), r.bytes(8), BigInt(r.int(1000))).insert(r.bytes(32), r.bytes(8), BigInt(r.int(1000)));
    w.splitCommitment = { proof: compressProof(tree.proof(r.bytes(32))), rootAsset: randAsset(r, depth + 1) };
  }
  if (r.int(5) === 0) w.unknownOddTypes = [{ type: 7n + 2n * BigInt(r.int(100)), value: r.bytes(r.int(5)) }];
  return w;
}

function randAsset(r: Prng, depth = 0): Asset {
  const a: Asset = {
    version: r.int(2),
    genesis: { firstPrevOut: { txid: r.bytes(32), index: r.int(2 ** 32) }, tag: pick(r, ['', 'usd', 'a longer asset name ✓']), metaHash: r.bytes(32), outputIndex: r.int(2 ** 32), type: r.int(2) },
    amount: r.bool() ? BigInt(r.int(1000)) : r.bigint64(),
    lockTime: r.bool() ? 0n : BigInt(1 + r.int(2 ** 31)),
    relativeLockTime: r.bool() ? 0n : BigInt(1 + r.int(65535)),
    prevWitnesses: Array.from({ length: r.int(3) }, () => randWitness(r, depth)),
    scriptVersion: r.int(2),
    scriptKey: key33(r),
    unknownOddTypes: r.int(4) === 0 ? [{ type: 19n + 2n * BigInt(r.int(1000)), value: r.bytes(r.int(10)) }] : [],
  };
  if (r.bool()) a.splitCommitmentRoot = { hash: r.bytes(32), sum: r.bigint64() };
  if (r.bool()) a.groupKey = key33(r);
  return a;
}

function randPacket(r: Prng): VPacket {
  const deriv = () => ({ pubKey: key33(r), fingerprint: r.bytes(4), path: [1017 + 0x80000000, 0x80000000, 212 + 0x80000000, 0, r.int(1000)] });
  const trDeriv = () => {
    const d = deriv();
    return { xOnlyPubKey: d.pubKey.subarray(1), leafHashes: r.bool() ? [] : [r.bytes(32)], fingerprint: d.fingerprint, path: d.path };
  };
  const inputs: VInput[] = Array.from({ length: 1 + r.int(2) }, () => {
    const vin: VInput = {
      prevId: { outPoint: { txid: r.bytes(32), index: r.int(4) }, assetId: r.bytes(32), scriptKey: key33(r) },
      anchor: { value: BigInt(r.int(100000)), pkScript: r.bytes(34), sigHashType: BigInt(r.int(4)), merkleRoot: r.bytes(32), tapscriptSibling: r.bool() ? new Uint8Array() : r.bytes(10), bip32Derivation: r.bool() ? [deriv()] : [], trBip32Derivation: r.bool() ? [trDeriv()] : [] },
      bip32Derivation: r.bool() ? [deriv()] : [],
      trBip32Derivation: [],
      other: [],
    };
    if (r.bool()) vin.asset = randAsset(r);
    if (r.bool()) vin.anchor.internalKey = key33(r);
    if (r.bool()) vin.trInternalKey = key33(r).subarray(1);
    if (r.bool()) vin.trMerkleRoot = r.bytes(r.int(33));
    if (r.bool()) vin.proof = r.bytes(1 + r.int(50));
    return vin;
  });
  const outputs: VOutput[] = Array.from({ length: 1 + r.int(3) }, () => {
    const o: VOutput = {
      amount: BigInt(r.int(2 ** 31)),
      scriptKey: key33(r).subarray(1),
      type: r.int(2),
      interactive: r.bool(),
      anchorOutputIndex: r.int(5),
      anchorOutputBip32Derivation: r.bool() ? [deriv(), deriv()] : [],
      anchorOutputTrBip32Derivation: r.bool() ? [trDeriv()] : [],
      assetVersion: r.int(2),
      bip32Derivation: r.bool() ? [deriv()] : [],
      trBip32Derivation: r.bool() ? [trDeriv()] : [],
      other: [],
    };
    if (r.bool()) o.lockTime = BigInt(r.int(1000));
    if (r.bool()) o.relativeLockTime = BigInt(r.int(1000));
    if (r.bool()) o.asset = randAsset(r);
    if (r.bool()) o.proofDeliveryAddress = 'authmailbox+universerpc://courier.example:10029';
    if (r.bool()) o.anchorOutputTapscriptSibling = { type: 0, preimage: Uint8Array.of(0xc0, 1, 0x51) };
    if (r.bool()) o.altLeaves = [{ prevWitnesses: [], scriptVersion: 0, scriptKey: key33(r), unknownOddTypes: [] }];
    return o;
  });
  return { version: r.int(2), chainHrp: pick(r, ['tapbc', 'taptb', 'taprt', 'tapsb']), inputs, outputs, globalOther: [] };
}

/** Flips one byte; decoding must then fail with a CodecError or give a packet that re-encodes to the flipped bytes. */
function flipCheck(r: Prng, bytes: Uint8Array, decode: (b: Uint8Array) => unknown, encode: (v: any) => Uint8Array): 'error' | 'changed' {
  const flipped = Uint8Array.from(bytes);
  const at = r.int(bytes.length);
  flipped[at] = flipped[at]! ^ (1 + r.int(255));
  let value: unknown;
  try {
    value = decode(flipped);
  } catch (e) {
    expect((e as Error).name, `flip at ${at}: ${(e as Error).message}`).toBe('CodecError');
    return 'error';
  }
  expect(toHex(encode(value))).toBe(toHex(flipped));
  return 'changed';
}

describe('property: random assets', () => {
  it('round-trip byte for byte', () => {
    const r = prng(1);
    for (let i = 0; i < 300; i++) {
      const bytes = encodeAsset(randAsset(r));
      expect(toHex(encodeAsset(decodeAsset(bytes)))).toBe(toHex(bytes));
    }
  });
  it('random byte flips fail with CodecError or decode to a different asset, never crash', () => {
    const r = prng(2);
    const seen = { error: 0, changed: 0 };
    for (let i = 0; i < 800; i++) seen[flipCheck(r, encodeAsset(randAsset(r)), decodeAsset, encodeAsset)]++;
    expect(seen.error).toBeGreaterThan(0);
    expect(seen.changed).toBeGreaterThan(0);
  });
});

describe('property: random vPSBTs', () => {
  it('round-trip byte for byte', () => {
    const r = prng(3);
    for (let i = 0; i < 150; i++) {
      const bytes = encodeVPacket(randPacket(r));
      expect(toHex(encodeVPacket(decodeVPacket(bytes)))).toBe(toHex(bytes));
    }
  });
  it('random byte flips of random and vector packets fail with CodecError or decode to a different packet', () => {
    const r = prng(4);
    const vectors = (vector('tappsbt/testdata/psbt_encoding_generated.json').valid_test_cases as any[]).map((t) => base64.decode(t.expected));
    const seen = { error: 0, changed: 0 };
    for (let i = 0; i < 400; i++) {
      const bytes = i % 2 ? encodeVPacket(randPacket(r)) : vectors[i % vectors.length]!;
      seen[flipCheck(r, bytes, decodeVPacket, encodeVPacket)]++;
    }
    expect(seen.error).toBeGreaterThan(0);
    expect(seen.changed).toBeGreaterThan(0);
  });
});
