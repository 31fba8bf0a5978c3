// Group virtual PSBTs signed by the emulated device — through the Bitcoin app (wallet policy,
// registration once, SIGN_PSBT) and through the Taproot Assets app (SIGN_GROUP_GENESIS) — and
// checked with assets/'s group-witness verification (the state transition of the genesis asset).

import { describe, expect, it } from 'vitest';
import { base64 } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { concat, fromHex, toHex } from '../../apdu/bytes.ts';
import { decodeAsset, type Asset } from '../../assets/asset/leaf.ts';
import { tapLeafHash } from '../../assets/crypto.ts';
import { encodeExtendedPublicKey } from '../../bitcoin/extended-key.ts';
import { verifyStateTransition } from '../../assets/vtx/verify.ts';
import type { EmulatedDevice } from '../../emulator/index.ts';
import { parseGroupVirtualPsbt, type GroupVirtualPsbt } from '../../host/tapd/group-psbt.ts';
import { MemoryPolicyHmacStore } from '../../host/tapd/policy-store.ts';
import { signGroupPsbtWithBitcoinApp, signGroupPsbtWithTapApp } from '../../host/tapd/sign.ts';
import { device, docs, generateGroupPsbt, ledgerDoc, master, reissuePsbt, tranche2Asset } from '../unit/tapd/fixtures.ts';

/** assets/'s group-witness check: the genesis asset with the signature as its group witness verifies. */
function expectGroupWitnessValid(asset: Asset, signature: Uint8Array): void {
  const withWitness: Asset = { ...asset, prevWitnesses: [{ ...asset.prevWitnesses[0]!, txWitness: [signature] }] };
  expect(() => verifyStateTransition(withWitness, [], [])).not.toThrow();
}

function expectSignedPsbt(g: GroupVirtualPsbt, signedPsbt: Uint8Array, signature: Uint8Array): void {
  const again = parseGroupVirtualPsbt(signedPsbt);
  expect(toHex(again.tx.getInput(0).tapKeySig!)).toBe(toHex(signature));
  expect(toHex(again.tx.unsignedTx)).toBe(toHex(g.tx.unsignedTx));
}

/** Rejects the review on the Nano S+ screen: pages right until a "Reject" page, then both buttons. */
async function rejectOnNano(dev: EmulatedDevice): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const texts = dev.currentScreen().map((e) => e.text);
    if (texts.some((t) => /^Reject/.test(t))) {
      dev.pressButton('both');
      return;
    }
    if (texts.length > 0) dev.pressButton('right');
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`no reject page; showing ${JSON.stringify(dev.currentScreen().map((e) => e.text))}`);
}

describe('docs/external-group-key.md with the emulator seeded with its mnemonic', () => {
  const asset1 = decodeAsset(fromHex(docs.tranche1.newAsset));

  it('Bitcoin app: registers tr(@0/**,pk(@1/**)) once, signs; the signature verifies against the document\'s tweaked group key', async () => {
    const { bitcoin } = device('bitcoin-test');
    const store = new MemoryPolicyHmacStore();
    const g = parseGroupVirtualPsbt(base64.decode(docs.tranche1.groupVirtualPsbt), { asset: asset1 });
    const shown: string[] = [];
    const r = await signGroupPsbtWithBitcoinApp(bitcoin, g, { store, onRegister: (p) => shown.push(p.descriptorTemplate) });
    expect(shown).toEqual(['tr(@0/**,pk(@1/**))']);
    expect(r.policy?.registered).toBe(true);
    expect(schnorr.verify(r.signature, g.sighash, fromHex(docs.tweakedGroupKey).subarray(1))).toBe(true);
    expect(toHex(r.groupKey)).toBe(docs.tweakedGroupKey.slice(2));
    expectGroupWitnessValid(g.asset!, r.signature);
    expectSignedPsbt(g, r.signedPsbt, r.signature);
    expect(store.entries.size).toBe(1);
    const [key, entry] = [...store.entries][0]!;
    expect(key).toBe(`10608bb9:${toHex(r.policy!.id)}`);
    expect(entry.hmac).toBe(toHex(r.policy!.hmac!));

    // Re-issuance into the same group (tranche 2): same policy, the cached HMAC, no registration.
    const t2 = tranche2Asset();
    const g2 = parseGroupVirtualPsbt(reissuePsbt(g, t2), { asset: t2, anchorAssetId: fromHex(docs.tranche1.assetId) });
    const r2 = await signGroupPsbtWithBitcoinApp(bitcoin, g2, { store, onRegister: () => shown.push('again') });
    expect(shown).toHaveLength(1);
    expect(r2.policy?.registered).toBe(false);
    expect(schnorr.verify(r2.signature, g2.sighash, fromHex(docs.tweakedGroupKey).subarray(1))).toBe(true);
    expectGroupWitnessValid(g2.asset!, r2.signature);
  });

  it('Taproot Assets app: SIGN_GROUP_GENESIS; new group and re-issuance verify against the document\'s key', async () => {
    const { tap } = device('tap');
    const g = parseGroupVirtualPsbt(base64.decode(docs.tranche1.groupVirtualPsbt), { asset: asset1 });
    const r = await signGroupPsbtWithTapApp(tap, g);
    expect(schnorr.verify(r.signature, g.sighash, fromHex(docs.tweakedGroupKey).subarray(1))).toBe(true);
    expectGroupWitnessValid(g.asset!, r.signature);
    const t2 = tranche2Asset();
    const g2 = parseGroupVirtualPsbt(reissuePsbt(g, t2), { asset: t2, anchorAssetId: fromHex(docs.tranche1.assetId) });
    const r2 = await signGroupPsbtWithTapApp(tap, g2);
    expectGroupWitnessValid(g2.asset!, r2.signature);
  });
});

describe('docs/external-group-key-ledger.md, unsigned PSBT (raw key of the same seed)', () => {
  const u = ledgerDoc.unsigned;
  const g = parseGroupVirtualPsbt(base64.decode(u.groupVirtualPsbt), { asset: decodeAsset(fromHex(u.newAsset)) });

  it('Bitcoin app: refused before the device is asked, no policy can reproduce its root', async () => {
    const { bitcoin, dev } = device('bitcoin-test');
    dev.clearEvents();
    await expect(signGroupPsbtWithBitcoinApp(bitcoin, g, { store: new MemoryPolicyHmacStore() })).rejects.toMatchObject({ code: 'E_GROUP_KEY_SHAPE' });
  });

  // Its tapscript root is not the non-spendable leaf over its asset ID (the document mixes runs,
  // vectors README): the tree may hold leaves no review shows, so the app refuses it (§5.6).
  it('Taproot Assets app: refused (6A80), its tapscript root is not the bare non-spendable leaf', async () => {
    const { tap } = device('tap');
    await expect(signGroupPsbtWithTapApp(tap, g)).rejects.toMatchObject({ code: 'E_INCORRECT_DATA' });
  });
});

describe('generated group virtual PSBTs signed by the emulator', () => {
  // A custom subtree: one leaf `pk(X/0/0)` of a cosigner's xpub, given to the Bitcoin app as pk(@0/**).
  const cosignerRoot = master('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about');
  const cosigner = cosignerRoot.derive("m/86'/1'/7'");
  const cosignerInfo = `[${cosignerRoot.fingerprint.toString(16).padStart(8, '0')}/86'/1'/7']${encodeExtendedPublicKey(cosigner, 'test')}`;
  const cosignerLeafKey = cosigner.deriveChild(0).deriveChild(0).publicKey!;
  const customRoot = tapLeafHash(concat(Uint8Array.of(0x20), cosignerLeafKey.subarray(1), Uint8Array.of(0xac)));

  it('V1 Pedersen through the Bitcoin app', async () => {
    const gen = generateGroupPsbt({ version: 1 });
    const g = parseGroupVirtualPsbt(gen.psbt, { asset: gen.newAsset });
    const r = await signGroupPsbtWithBitcoinApp(device('bitcoin-test').bitcoin, g, { store: new MemoryPolicyHmacStore() });
    expectGroupWitnessValid(gen.asset, r.signature);
  });

  it('V1 Pedersen with a custom subtree through the Bitcoin app (subtree given as a policy fragment)', async () => {
    const gen = generateGroupPsbt({ version: 1, customRoot });
    const g = parseGroupVirtualPsbt(gen.psbt, { asset: gen.newAsset, customSubtreeRoot: customRoot });
    const r = await signGroupPsbtWithBitcoinApp(device('bitcoin-test').bitcoin, g, { store: new MemoryPolicyHmacStore(), subtree: { template: 'pk(@0/**)', keys: [cosignerInfo] } });
    expect(r.policy?.descriptorTemplate).toBe('tr(@0/**,{pk(@1/**),{pk(@2/**),pk(@3/**)}})');
    expectGroupWitnessValid(gen.asset, r.signature);
  });

  it('mainnet (coin type 0\') through the "Bitcoin" app', async () => {
    const gen = generateGroupPsbt({ version: 1, path: "m/86'/0'/0'/0/0" });
    const g = parseGroupVirtualPsbt(gen.psbt, { asset: gen.newAsset });
    expect(g.network).toBe('mainnet');
    const r = await signGroupPsbtWithBitcoinApp(device('bitcoin').bitcoin, g, { store: new MemoryPolicyHmacStore() });
    expectGroupWitnessValid(gen.asset, r.signature);
  });

  it.each([
    ['V1 Pedersen', { version: 1 as const }],
    ['V1 Pedersen at /0/3', { version: 1 as const, path: "m/86'/1'/0'/0/3" }],
    ['V0', { version: 0 as const, path: "m/86'/1'/0'/0/1" }],
  ])('%s through the Taproot Assets app', async (_, opts) => {
    const gen = generateGroupPsbt(opts);
    const g = parseGroupVirtualPsbt(gen.psbt, { asset: gen.newAsset });
    const r = await signGroupPsbtWithTapApp(device('tap').tap, g);
    expectGroupWitnessValid(gen.asset, r.signature);
  });

  // Its review cannot show the leaves of such a tree: the app refuses it (§5.6), the Bitcoin app above shows them as a policy.
  it.each([
    ['V1 Pedersen with a custom subtree', { version: 1 as const, customRoot }],
    ['V0 with a tapscript root', { version: 0 as const, path: "m/86'/1'/0'/0/2", v0Root: fromHex('22'.repeat(32)) }],
  ])('%s: refused by the Taproot Assets app (6A80)', async (_, opts) => {
    const gen = generateGroupPsbt(opts);
    const g = parseGroupVirtualPsbt(gen.psbt, { asset: gen.newAsset, ...('customRoot' in opts ? { customSubtreeRoot: opts.customRoot } : {}) });
    await expect(signGroupPsbtWithTapApp(device('tap').tap, g)).rejects.toMatchObject({ code: 'E_INCORRECT_DATA' });
  });
});

describe('re-issuance into a V0 group through the Taproot Assets app', () => {
  it("the group key is tweaked with the anchor's asset ID; the new asset's group witness passes assets/'s check", async () => {
    const anchor = generateGroupPsbt({ version: 0, path: "m/86'/1'/0'/0/4", tag: 'tranche 1' });
    const anchorAssetId = anchor.anchorAssetId;
    const gen = generateGroupPsbt({ version: 0, path: "m/86'/1'/0'/0/4", tag: 'tranche 2', amount: 500n, anchorAssetId });
    expect(toHex(gen.groupKey)).toBe(toHex(anchor.groupKey));
    const g = parseGroupVirtualPsbt(gen.psbt, { asset: gen.newAsset, anchorAssetId });
    expect(g.shape).toEqual({ version: 0 });
    const r = await signGroupPsbtWithTapApp(device('tap').tap, g);
    expect(toHex(r.groupKey)).toBe(toHex(anchor.groupKey.subarray(1)));
    expectGroupWitnessValid(gen.asset, r.signature);
  });
});

describe('typed errors', () => {
  const g = parseGroupVirtualPsbt(base64.decode(docs.tranche1.groupVirtualPsbt));

  it('wrong network: a regtest PSBT with the mainnet "Bitcoin" app', async () => {
    await expect(signGroupPsbtWithBitcoinApp(device('bitcoin').bitcoin, g, { store: new MemoryPolicyHmacStore() })).rejects.toMatchObject({
      code: 'E_WRONG_NETWORK',
      message: expect.stringContaining('"Bitcoin Test"'),
    });
  });

  it('a group key the device does not hold (the Speculos default seed), on both apps', async () => {
    const speculos = 'glory promote mansion idle axis finger extra february uncover one trip resource lawn turtle enact monster seven myth punch hobby comfort wild raise skin';
    await expect(signGroupPsbtWithBitcoinApp(device('bitcoin-test', { seed: speculos }).bitcoin, g, { store: new MemoryPolicyHmacStore() })).rejects.toMatchObject({
      code: 'E_GROUP_KEY_NOT_HELD',
      message: expect.stringContaining('10608bb9'),
    });
    const withAsset = parseGroupVirtualPsbt(base64.decode(docs.tranche1.groupVirtualPsbt), { asset: decodeAsset(fromHex(docs.tranche1.newAsset)) });
    await expect(signGroupPsbtWithTapApp(device('tap', { seed: speculos }).tap, withAsset)).rejects.toMatchObject({ code: 'E_GROUP_KEY_NOT_HELD' });
  });

  it('the Taproot Assets app needs the genesis asset', async () => {
    await expect(signGroupPsbtWithTapApp(device('tap').tap, g)).rejects.toMatchObject({ code: 'E_GROUP_KEY_SHAPE' });
  });

  it('a refused registration: UserRefusedError, nothing cached', async () => {
    const { bitcoin, dev } = device('bitcoin-test', { autoApprove: false });
    const store = new MemoryPolicyHmacStore();
    const signing = signGroupPsbtWithBitcoinApp(bitcoin, g, { store });
    const outcome = expect(signing).rejects.toMatchObject({ code: 'E_USER_REFUSED' });
    await rejectOnNano(dev);
    await outcome;
    expect(store.entries.size).toBe(0);
  });
});
