import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { describe, expect, it } from 'vitest';
import { schnorr } from '@noble/curves/secp256k1.js';
import { fromHex, toHex } from '../../../apdu/bytes.ts';
import { assetFromJson } from '../../../assets/json/asset-json.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { ZERO_PREV_ID } from '../../../assets/asset/prev-id.ts';
import type { Asset } from '../../../assets/asset/leaf.ts';
import {
  NonSpendLeafVersion,
  groupKeyTapscriptRoot,
  groupPubKeyV0,
  groupPubKeyV1,
  nonSpendableLeafScript,
} from '../../../assets/group/group-key.ts';
import { genesisPrevOut, virtualTx, virtualTxSighash } from '../../../assets/vtx/virtual-tx.ts';
import { verifyStateTransition } from '../../../assets/vtx/verify.ts';
import { CURVE_ORDER, Point, taggedHash } from '../../../assets/crypto.ts';
import { vector } from './helpers.ts';

const proofs = (vector('proof/testdata/proof_tlv_encoding_generated.json').valid_test_cases as any[]).filter((t) => t.proof.group_key_reveal);

describe('group key V0', () => {
  it.each(proofs.map((t) => [t.comment, t]))('%s: raw key + genesis ID give the asset group key', (_c, t) => {
    const a = assetFromJson(t.proof.asset);
    const gkr = t.proof.group_key_reveal;
    const root = gkr.tapscript_root ? fromHex(gkr.tapscript_root) : undefined;
    expect(toHex(groupPubKeyV0(fromHex(gkr.raw_key), assetId(a.genesis), root))).toBe(toHex(a.groupKey!));
  });
});

describe('group key V1', () => {
  const id = fromHex('11'.repeat(32));
  it('OP_RETURN leaf commits to the asset ID; empty leaf is a bare OP_RETURN', () => {
    expect(toHex(nonSpendableLeafScript(NonSpendLeafVersion.opReturn, id))).toBe('6a20' + '11'.repeat(32));
    expect(toHex(nonSpendableLeafScript(NonSpendLeafVersion.opReturn))).toBe('6a');
  });
  it('Pedersen leaf is <32-byte key> OP_CHECKSIG and depends on the data', () => {
    const a = nonSpendableLeafScript(NonSpendLeafVersion.pedersen, id);
    const b = nonSpendableLeafScript(NonSpendLeafVersion.pedersen);
    expect(a).toHaveLength(34);
    expect([a[0], a[33]]).toEqual([0x20, 0xac]);
    expect(toHex(a)).not.toBe(toHex(b));
  });
  it('custom subtree changes the root; without it the root is the asset-ID leaf', () => {
    const plain = groupKeyTapscriptRoot(NonSpendLeafVersion.pedersen, id);
    const custom = groupKeyTapscriptRoot(NonSpendLeafVersion.pedersen, id, fromHex('22'.repeat(32)));
    expect(toHex(plain)).not.toBe(toHex(custom));
  });

  it('a V1 group witness made with the tweaked raw key verifies as a grouped genesis', () => {
    const sk = 0x1234567890abcdefn;
    const raw = Point.BASE.multiply(sk).toBytes(true);
    const genesis = { firstPrevOut: { txid: new Uint8Array(32).fill(7), index: 1 }, tag: 'grouped', metaHash: new Uint8Array(32), outputIndex: 0, type: 0 };
    const gid = assetId(genesis);
    const groupKey = groupPubKeyV1(raw, NonSpendLeafVersion.opReturn, gid);
    const asset: Asset = {
      version: 1,
      genesis,
      amount: 1000n,
      lockTime: 0n,
      relativeLockTime: 0n,
      prevWitnesses: [{ prevId: ZERO_PREV_ID, txWitness: [], unknownOddTypes: [] }],
      scriptVersion: 0,
      scriptKey: Point.BASE.multiply(99n).toBytes(true),
      groupKey,
      unknownOddTypes: [],
    };
    // BIP-341 key tweak of the raw secret with the group tapscript root
    const even = Point.BASE.multiply(sk).toBytes(true)[0] === 2 ? sk : CURVE_ORDER - sk;
    const t = bytesToNumberBE(taggedHash('TapTweak', raw.subarray(1), groupKeyTapscriptRoot(NonSpendLeafVersion.opReturn, gid)));
    const tweaked = numberToBytesBE((even + t) % CURVE_ORDER, 32);
    const msg = virtualTxSighash(virtualTx(asset, []), asset, 0, genesisPrevOut(asset));
    asset.prevWitnesses[0]!.txWitness = [schnorr.sign(msg, tweaked, new Uint8Array(32))];
    expect(() => verifyStateTransition(asset, [], [])).not.toThrow();
    asset.prevWitnesses[0]!.txWitness = [schnorr.sign(msg, numberToBytesBE(sk, 32), new Uint8Array(32))];
    expect(() => verifyStateTransition(asset, [], [])).toThrow(expect.objectContaining({ code: 'E_ASSET_VERIFY', field: 'asset.prevWitnesses[0].txWitness[0]' }));
  });
});
