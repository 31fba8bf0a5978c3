import { describe, expect, it } from 'vitest';
import { base64 } from '@scure/base';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { Transaction } from '@scure/btc-signer';
import { concat, fromHex, toHex } from '../../../apdu/bytes.ts';
import { parseRawPsbt, serializeRawPsbt } from '../../../bitcoin/psbtv2.ts';
import { PSBT_IN } from '../../../bitcoin/psbt-fields.ts';
import { decodeAsset } from '../../../assets/asset/leaf.ts';
import { assetId } from '../../../assets/asset/genesis.ts';
import { tapLeafHash } from '../../../assets/crypto.ts';
import { groupKeyTapscriptRoot, NonSpendLeafVersion, pedersenLeafKey } from '../../../assets/group/group-key.ts';
import { verifyStateTransition } from '../../../assets/vtx/verify.ts';
import { GlobalKey } from '../../../assets/vpsbt/fields.ts';
import { parseGroupVirtualPsbt, verifyGroupSignature, withGroupSignature } from '../../../host/tapd/group-psbt.ts';
import { groupKeyPolicy } from '../../../host/tapd/policy.ts';
import { docs, generateGroupPsbt, ledgerDoc, numsXpub, reissuePsbt, tranche2Asset } from './fixtures.ts';

const psbtOf = (b64: string) => base64.decode(b64);
/** The witness of tapd's asset_witness JSON field: varint count (1) || varint len (64) || signature. */
const witnessSig = (hex: string) => {
  const w = fromHex(hex);
  expect([w[0], w[1]]).toEqual([1, 64]);
  return w.subarray(2);
};

describe('tapd docs: docs/external-group-key.md (regtest, chantools)', () => {
  const asset = decodeAsset(fromHex(docs.tranche1.newAsset));
  const g = parseGroupVirtualPsbt(psbtOf(docs.tranche1.groupVirtualPsbt), { asset });

  it('is recognised: raw key, derivation, account xpub, Pedersen xpub with the fake fingerprint, root', () => {
    expect(toHex(g.internalKey)).toBe(docs.groupInternalKey);
    expect(toHex(g.groupKey)).toBe(docs.tweakedGroupKey);
    expect(g.derivation.fingerprint.toString(16)).toBe(docs.masterFingerprint);
    expect(g.derivation.path).toEqual([0x80000056, 0x80000001, 0x80000000, 0, 0]);
    expect(g.accountXpub?.xpub).toBe(docs.accountXpub);
    expect(toHex(g.tapscriptRoot!)).toBe(docs.tapscriptRoot);
    expect(g.network).toBe('test');
    expect(g.shape).toMatchObject({ version: 1, leaf: 'pedersen' });
    if (g.shape.version !== 1 || g.shape.leaf !== 'pedersen') throw new Error('unreachable');
    expect(g.shape.pedersen.fingerprint.toString(16)).toBe('7a9a55e7');
    expect(toHex(g.shape.pedersen.leafHash)).toBe(docs.tapscriptRoot);
  });

  it("the PSBT's transaction is the group virtual tx tapd printed, and assets/ computes it from new_asset", () => {
    expect(toHex(g.tx.unsignedTx)).toBe(docs.tranche1.groupVirtualTx);
    expect(toHex(assetId(asset.genesis))).toBe(docs.tranche1.assetId);
    const plain = parseGroupVirtualPsbt(psbtOf(docs.tranche1.groupVirtualPsbt));
    expect(toHex(plain.sighash)).toBe(toHex(g.sighash));
  });

  it("tapd's recorded group witness verifies over our sighash and passes assets/'s group-witness check", () => {
    const sig = witnessSig(docs.tranche1.assetWitness);
    expect(verifyGroupSignature(g, sig)).toBe(true);
    expect(schnorr.verify(sig, g.sighash, fromHex(docs.tweakedGroupKey).subarray(1))).toBe(true);
    verifyStateTransition({ ...g.asset!, prevWitnesses: [{ ...g.asset!.prevWitnesses[0]!, txWitness: [sig] }] }, [], []);
    const flipped = sig.slice();
    flipped[5]! ^= 1;
    expect(verifyGroupSignature(g, flipped)).toBe(false);
  });

  it('derives the policy tr(@0/**,pk(@1/**)) whose output is the tweaked group key', () => {
    const p = groupKeyPolicy(g, docs.accountXpub);
    expect(p.policy.descriptorTemplate).toBe('tr(@0/**,pk(@1/**))');
    expect(p.policy.keys).toEqual([`[10608bb9/86'/1'/0']${docs.accountXpub}`, `[7a9a55e7/86'/1'/0']${g.shape.version === 1 && g.shape.leaf === 'pedersen' ? g.shape.pedersen.xpub : ''}`]);
    expect(p.policy.name).toBe('tapd group b283955acc482b1a');
    expect(p.needsRegistration).toBe(true);
  });

  it("the Pedersen xpub is assetID·G + lnd's TaprootNUMSKey (02dca094…), child 0/0", () => {
    // Independent of assets/: tapd's pedersen.DefaultNUMS is lnd input.TaprootNUMSKey.
    const lndNums = secp256k1.Point.fromHex('02dca094751109d0bd055d03565874e8276dd53e926b44e3bd1bb6bf4bc130a279');
    const commit = secp256k1.Point.BASE.multiply(BigInt(`0x${docs.tranche1.assetId}`)).add(lndNums).toBytes(true);
    const key = numsXpub(commit).deriveChild(0).deriveChild(0).publicKey!;
    expect(toHex(tapLeafHash(concat(Uint8Array.of(0x20), key.subarray(1), Uint8Array.of(0xac))))).toBe(docs.tapscriptRoot);
  });

  it('assets/ derives the same Pedersen leaf key and group tapscript root as tapd', () => {
    expect(toHex(groupKeyTapscriptRoot(NonSpendLeafVersion.pedersen, fromHex(docs.tranche1.assetId)))).toBe(docs.tapscriptRoot);
    expect(toHex(pedersenLeafKey(fromHex(docs.tranche1.assetId)))).toBe('030a6c52d98de0b1ad6bcb016159e7c7e22c7a19138361bbf802f4a39fc260f146');
  });

  it('re-issuance (tranche 2): the group virtual PSBT rebuilt from the asset listing binds, and tapd\'s witness verifies', () => {
    const t2 = tranche2Asset();
    expect(toHex(assetId(t2.genesis))).toBe(docs.tranche2.assetId);
    // Same group key as tranche 1 (the Pedersen leaf commits to the anchor's ID), new virtual tx.
    const rebuilt = reissuePsbt(g, t2);
    const g2 = parseGroupVirtualPsbt(rebuilt, { asset: t2, anchorAssetId: fromHex(docs.tranche1.assetId) });
    expect(toHex(g2.groupKey)).toBe(docs.tweakedGroupKey);
    expect(g2.shape).toMatchObject({ version: 1, leaf: 'pedersen' });
    expect(verifyGroupSignature(g2, witnessSig(docs.tranche2.assetWitness))).toBe(true);
    expect(verifyGroupSignature(g2, witnessSig(docs.tranche1.assetWitness))).toBe(false);
  });
});

describe('tapd docs: docs/external-group-key-ledger.md', () => {
  it('the PSBT signed by a real Ledger (HWI fork): policy derived, the device\'s signature verifies over our sighash', () => {
    const g = parseGroupVirtualPsbt(psbtOf(ledgerDoc.signedByLedger.signedGroupPsbt));
    expect(g.derivation.fingerprint.toString(16)).toBe(ledgerDoc.signedByLedger.masterFingerprint);
    expect(g.accountXpub?.xpub).toBe(ledgerDoc.signedByLedger.accountXpub);
    expect(g.shape).toMatchObject({ version: 1, leaf: 'pedersen', pedersen: { fingerprint: 0 } });
    const p = groupKeyPolicy(g, ledgerDoc.signedByLedger.accountXpub);
    expect(p.policy.descriptorTemplate).toBe('tr(@0/**,pk(@1/**))');
    expect(p.policy.keys[0]).toBe(`[e5bf06e8/86'/1'/0']${ledgerDoc.signedByLedger.accountXpub}`);
    const sig = g.tx.getInput(0).tapKeySig!;
    expect(verifyGroupSignature(g, sig)).toBe(true);
  });

  it('the unsigned PSBT: its tx is the virtual tx of new_asset; its leaves are not revealed, so no policy', () => {
    const u = ledgerDoc.unsigned;
    const g = parseGroupVirtualPsbt(psbtOf(u.groupVirtualPsbt), { asset: decodeAsset(fromHex(u.newAsset)) });
    expect(toHex(g.tx.unsignedTx)).toBe(u.groupVirtualTx);
    expect(toHex(g.groupKey)).toBe(u.tweakedGroupKey);
    expect(toHex(assetId(g.asset!.genesis))).toBe(u.assetId);
    expect(g.shape).toEqual({ version: 1, leaf: 'unknown' });
    expect(g.accountXpub).toBeUndefined();
    expect(() => groupKeyPolicy(g, docs.accountXpub)).toThrow(expect.objectContaining({ code: 'E_GROUP_KEY_SHAPE', message: expect.stringContaining('--app tap') }));
  });
});

describe('generated group virtual PSBTs', () => {
  it('V1 Pedersen with a custom subtree is recognised when the subtree root is known', () => {
    const custom = fromHex('11'.repeat(32));
    const gen = generateGroupPsbt({ version: 1, customRoot: custom });
    expect(parseGroupVirtualPsbt(gen.psbt).shape).toEqual({ version: 1, leaf: 'unknown' });
    const g = parseGroupVirtualPsbt(gen.psbt, { customSubtreeRoot: custom, asset: gen.newAsset });
    expect(g.shape).toMatchObject({ version: 1, leaf: 'pedersen', customSubtreeRoot: custom });
    expect(() => groupKeyPolicy(g, g.accountXpub!.xpub)).toThrow(expect.objectContaining({ code: 'E_GROUP_KEY_SHAPE', message: expect.stringContaining('--subtree') }));
  });

  it('V0 needs the anchor asset ID; with it the key is recognised and the Bitcoin app refused', () => {
    const gen = generateGroupPsbt({ version: 0, path: "m/86'/1'/0'/0/1" });
    expect(() => parseGroupVirtualPsbt(gen.psbt)).toThrow(expect.objectContaining({ code: 'E_GROUP_KEY_SHAPE', message: expect.stringContaining('anchor asset ID') }));
    const g = parseGroupVirtualPsbt(gen.psbt, { asset: gen.newAsset });
    expect(g.shape).toEqual({ version: 0 });
    expect(toHex(g.groupKey)).toBe(toHex(gen.groupKey));
    expect(() => groupKeyPolicy(g, g.accountXpub!.xpub)).toThrow(expect.objectContaining({ code: 'E_GROUP_KEY_SHAPE', message: expect.stringContaining('V0') }));
  });

  it('a Pedersen key at another index cannot be a policy (the policy would derive the leaf at /0/i)', () => {
    const gen = generateGroupPsbt({ version: 1, path: "m/86'/1'/0'/0/3" });
    const g = parseGroupVirtualPsbt(gen.psbt);
    expect(() => groupKeyPolicy(g, g.accountXpub!.xpub)).toThrow(expect.objectContaining({ code: 'E_GROUP_KEY_SHAPE', message: expect.stringContaining('/0/0') }));
  });

  it('a policy whose output differs from the PSBT is refused before any device is asked', () => {
    const gen = generateGroupPsbt({ version: 1 });
    const g = parseGroupVirtualPsbt(gen.psbt);
    const other = generateGroupPsbt({ version: 1, mnemonic: 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about' });
    expect(() => groupKeyPolicy(g, parseGroupVirtualPsbt(other.psbt).accountXpub!.xpub)).toThrow(
      expect.objectContaining({ code: 'E_GROUP_KEY_SHAPE', message: expect.stringContaining('not signing') }),
    );
  });

  it('an asset that is not the PSBT\'s is refused naming the field', () => {
    const gen = generateGroupPsbt({ version: 1 });
    expect(() => parseGroupVirtualPsbt(gen.psbt, { asset: { ...gen.newAsset, amount: gen.newAsset.amount + 1n } })).toThrow(
      expect.objectContaining({ code: 'E_GROUP_ASSET_MISMATCH', message: expect.stringContaining('amount') }),
    );
    expect(() => parseGroupVirtualPsbt(gen.psbt, { asset: { ...gen.newAsset, scriptKey: gen.asset.groupKey! } })).toThrow(
      expect.objectContaining({ code: 'E_GROUP_ASSET_MISMATCH', message: expect.stringContaining('virtual input') }),
    );
  });

  it('withGroupSignature writes PSBT_IN_TAP_KEY_SIG and keeps everything else', () => {
    const gen = generateGroupPsbt({ version: 1 });
    const g = parseGroupVirtualPsbt(gen.psbt);
    const signed = withGroupSignature(g, new Uint8Array(64).fill(7));
    const before = parseRawPsbt(gen.psbt);
    const after = parseRawPsbt(signed);
    expect(after.global.map(([k]) => toHex(k)).sort()).toEqual(before.global.map(([k]) => toHex(k)).sort());
    expect(after.inputs[0]!.find(([k]) => k.length === 1 && k[0] === PSBT_IN.TAP_KEY_SIG)?.[1]).toEqual(new Uint8Array(64).fill(7));
    expect(after.inputs[0]!.length).toBe(before.inputs[0]!.length + 1);
  });
});

describe('not a group virtual PSBT', () => {
  const base = generateGroupPsbt({ version: 1 });
  const bad = (mutate: (raw: ReturnType<typeof parseRawPsbt>) => void) => {
    const raw = parseRawPsbt(base.psbt);
    mutate(raw);
    return serializeRawPsbt(raw);
  };
  it.each([
    ['random bytes', new Uint8Array([1, 2, 3]), 'expected a PSBT'],
    ['a vPSBT (global 0x70)', bad((r) => r.global.push([Uint8Array.of(GlobalKey.isVirtualTx), Uint8Array.of(1)])), 'vPSBT'],
    ['no witness UTXO', bad((r) => (r.inputs[0] = r.inputs[0]!.filter(([k]) => k[0] !== PSBT_IN.WITNESS_UTXO))), 'WITNESS_UTXO'],
    ['no internal key', bad((r) => (r.inputs[0] = r.inputs[0]!.filter(([k]) => k[0] !== PSBT_IN.TAP_INTERNAL_KEY))), 'TAP_INTERNAL_KEY'],
    ['no derivation', bad((r) => (r.inputs[0] = r.inputs[0]!.filter(([k]) => k[0] !== PSBT_IN.TAP_BIP32_DERIVATION))), 'TAP_BIP32_DERIVATION'],
  ])('%s', (_, bytes, msg) => {
    expect(() => parseGroupVirtualPsbt(bytes)).toThrow(expect.objectContaining({ code: 'E_NOT_GROUP_VIRTUAL_PSBT', message: expect.stringContaining(msg) }));
  });

  it('two outputs', () => {
    const tx = Transaction.fromPSBT(base.psbt, { allowUnknown: true, disableScriptCheck: true, allowUnknownOutputs: true });
    tx.addOutput({ script: concat(Uint8Array.of(0x51, 0x20), new Uint8Array(32)), amount: 1n });
    expect(() => parseGroupVirtualPsbt(tx.toPSBT(0))).toThrow(expect.objectContaining({ code: 'E_NOT_GROUP_VIRTUAL_PSBT', message: expect.stringContaining('one input and one output') }));
  });

  it('a coin type other than 0\' or 1\' is a wrong network', () => {
    const gen = generateGroupPsbt({ version: 1, path: "m/86'/2'/0'/0/0" });
    expect(() => parseGroupVirtualPsbt(gen.psbt)).toThrow(expect.objectContaining({ code: 'E_WRONG_NETWORK' }));
  });
});
