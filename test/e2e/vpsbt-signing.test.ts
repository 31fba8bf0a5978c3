// vPSBT signing end to end: TapAppClient streams the packet to the emulated Taproot Assets app
// (SIGN_VPSBT), the signatures are put into the packet (applyVpsbtSignatures) and the signed root
// asset is run through the asset VM port (assets/vtx/verify.ts) together with its split outputs;
// each signature is also checked with @noble/curves against the script key over the
// virtual-transaction sighash from assets/. Packets: tapd's tappsbt vector (packet.hex) with its
// input re-keyed to keys we hold, and generated ones. A 2-of-2 MuSig2 script key is signed here
// through the MuSig2 commands (blind signing); vpsbt-musig.test.ts spends one through SIGN_VPSBT.

import { readFileSync } from 'node:fs';
import { schnorr } from '@noble/curves/secp256k1.js';
import { p2tr } from '@scure/btc-signer';
import { keyAggExport, keyAggregate, sortKeys } from '@scure/btc-signer/musig2.js';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex } from '../../apdu/bytes.ts';
import { parsePath } from '../../apdu/path.ts';
import { decodeVPacket, encodeVPacket } from '../../assets/vpsbt/codec.ts';
import type { VPacket } from '../../assets/vpsbt/packet.ts';
import { verifyStateTransition } from '../../assets/vtx/verify.ts';
import { taprootTweak } from '../../bitcoin/taptree.ts';
import { SoftwareSigner, TapAppMusigSigner, runMusigSession } from '../../host/musig2/index.ts';
import { applyVpsbtSignatures, signedOutput, vpsbtInputSighash, vpsbtSplits } from '../../host/tap-app/index.ts';
import { transferPacket } from '../unit/tap-app/vpsbt-fixture.ts';
import { SEEDS, softwareKey, tapDevice } from './helpers.ts';

const DEVICE_PATH = "m/1017'/1'/212'/0/0";
const FINGERPRINT = fromHex('f5acc2fd');

function vectorPacket(): VPacket {
  return decodeVPacket(fromHex(readFileSync(new URL('../vectors/taproot-assets/tappsbt/testdata/packet.hex', import.meta.url), 'utf8').trim()));
}

/**
 * Re-keys input 0 of tapd's vector packet to `scriptKey` (33 bytes): the input asset, its PrevID,
 * the root asset's prev witness and the copies of the root that split assets carry (as tapd keeps
 * them). Split outputs commit to the zero PrevID, so their split commitment proofs stay valid.
 */
function rekey(p: VPacket, scriptKey: Uint8Array, derivation?: { internal: Uint8Array; path: string }): VPacket {
  const vin = p.inputs[0]!;
  vin.asset!.scriptKey = scriptKey;
  vin.prevId = { ...vin.prevId, scriptKey };
  const root = signedOutput(p);
  root.asset!.prevWitnesses[0]!.prevId = vin.prevId;
  for (const a of [root.splitAsset, ...p.outputs.map((o) => o.asset)]) {
    const sc = a?.prevWitnesses[0]?.splitCommitment;
    if (sc) sc.rootAsset = structuredClone(root.asset!);
  }
  vin.bip32Derivation = [];
  vin.trBip32Derivation = derivation
    ? [{ xOnlyPubKey: derivation.internal.subarray(1), leafHashes: [], fingerprint: FINGERPRINT, path: parsePath(derivation.path) }]
    : [];
  if (derivation) vin.trInternalKey = derivation.internal.subarray(1);
  else delete vin.trInternalKey;
  return p;
}

function verifyPacket(p: VPacket) {
  verifyStateTransition(
    signedOutput(p).asset!,
    vpsbtSplits(p),
    p.inputs.map((vin) => ({ prevId: vin.prevId, asset: vin.asset! })),
  );
}

describe('SIGN_VPSBT through TapAppClient: single-key script keys', () => {
  it("tapd's vector packet (split transfer, regtest) re-keyed to the device's BIP-86 script key", async () => {
    const { client } = tapDevice();
    const internal = (await client.getKey(DEVICE_PATH)).pubkey;
    const scriptKey = concat(Uint8Array.of(2), p2tr(internal.subarray(1)).tweakedPubkey);
    const packet = rekey(vectorPacket(), scriptKey, { internal, path: DEVICE_PATH });
    const yields = await client.signVpsbt(encodeVPacket(packet));
    expect(yields).toHaveLength(1);
    const y = yields[0]!;
    if (y.type !== 'partialSignature') throw new Error(`expected a signature, got ${y.type}`);
    expect(toHex(y.pubkey)).toBe(toHex(scriptKey.subarray(1)));
    expect(schnorr.verify(y.signature, vpsbtInputSighash(packet, 0), scriptKey.subarray(1))).toBe(true);
    const signed = applyVpsbtSignatures(packet, yields);
    verifyPacket(signed);
    // the split output carries the signed root, as tapd expects
    const split = signed.outputs.find((o) => o.type === 0)!;
    expect(split.asset!.prevWitnesses[0]!.splitCommitment!.rootAsset.prevWitnesses[0]!.txWitness).toEqual([y.signature]);
    // and the packet still encodes and decodes to the same thing
    expect(decodeVPacket(encodeVPacket(signed))).toEqual(signed);
  });

  it.each([
    ['one input, one recipient', { inputs: [1000n], recipients: 1 }],
    ['two inputs, three recipients', { inputs: [600_000n, 400_000n], recipients: 3 }],
  ])('generated packet: %s', async (_name, opts) => {
    const { client } = tapDevice();
    const packet = transferPacket(opts);
    const yields = await client.signVpsbt(packet);
    expect(yields.map((y) => y.inputIndex)).toEqual(opts.inputs.map((_, i) => i));
    verifyPacket(applyVpsbtSignatures(packet, yields));
  });

  it('a signature that does not verify is refused with the input named', async () => {
    const { client } = tapDevice();
    const packet = transferPacket({ inputs: [1000n], recipients: 1 });
    const [y] = await client.signVpsbt(packet);
    if (y?.type !== 'partialSignature') throw new Error('expected a signature');
    const bad = { ...y, signature: y.signature.map((b, i) => (i === 10 ? b ^ 1 : b)) };
    expect(() => applyVpsbtSignatures(packet, [bad])).toThrow(/vpsbt\.inputs\[0\]: the device's signature does not verify/);
  });
});

describe('2-of-2 MuSig2 asset script key (device + software) through the MuSig2 commands', () => {
  it("tapd's vector packet re-keyed to the BIP-86-tweaked aggregate", async () => {
    const device = await TapAppMusigSigner.open(tapDevice().client, DEVICE_PATH, { name: 'device' });
    const soft = new SoftwareSigner(softwareKey(SEEDS.abandon, DEVICE_PATH).privateKey!, 'software');
    const participants = sortKeys([device.publicKey, soft.publicKey]);
    // the aggregate as internal key, BIP-86 tweaked (no tapscript root): the x-only taptweak
    const internal = keyAggExport(keyAggregate(participants));
    const tweak = taprootTweak(internal);
    const key = { participants, tweaks: [tweak], isXonly: [true] };
    const outputKey = p2tr(internal).tweakedPubkey;
    const packet = rekey(vectorPacket(), concat(Uint8Array.of(2), outputKey));
    const sighash = vpsbtInputSighash(packet, 0);
    const r = await runMusigSession(key, sighash, [device, soft]);
    expect(toHex(r.session.aggregateXOnly)).toBe(toHex(outputKey));
    const signed = applyVpsbtSignatures(packet, [{ type: 'partialSignature', inputIndex: 0, pubkey: outputKey, signature: r.signature }]);
    verifyPacket(signed);
  });
});
