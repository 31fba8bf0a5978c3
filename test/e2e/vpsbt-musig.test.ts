// A 2-of-2 MuSig2 asset script key spent through SIGN_VPSBT (docs/tap-app-protocol.md §5.5): the
// emulated Taproot Assets app takes part as the Ledger Bitcoin app does in SIGN_PSBT — round 1
// yields its pubnonce and keeps the session in NVRAM, round 2 (after the review) yields its partial
// signature over the virtual-transaction sighash it computed — with a software cosigner
// (@scure/btc-signer's musig2). The final BIP-340 signature verifies against the script key over
// assets/'s sighash and passes the asset VM port; replayed and tampered round 2s are refused.

import { schnorr } from '@noble/curves/secp256k1.js';
import { p2tr } from '@scure/btc-signer';
import { Session, keyAggExport, keyAggregate, nonceAggregate, sortKeys } from '@scure/btc-signer/musig2.js';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex } from '../../apdu/bytes.ts';
import { parsePath } from '../../apdu/path.ts';
import type { VPacket } from '../../assets/vpsbt/packet.ts';
import { verifyStateTransition } from '../../assets/vtx/verify.ts';
import { SoftwareSigner, TapAppVpsbtMusigSigner, musigSession, signVpsbtMusigInput, vpsbtMusigKey } from '../../host/musig2/index.ts';
import { applyVpsbtSignatures, signedOutput, vpsbtInputSighash, vpsbtSplits, withMusigParticipants, withMusigPubNonces } from '../../host/tap-app/index.ts';
import { transferPacket } from '../unit/tap-app/vpsbt-fixture.ts';
import { SEEDS, softwareKey, tapDevice } from './helpers.ts';

const DEVICE_PATH = "m/1017'/1'/212'/0/0";

function verifyPacket(p: VPacket) {
  verifyStateTransition(signedOutput(p).asset!, vpsbtSplits(p), p.inputs.map((vin) => ({ prevId: vin.prevId, asset: vin.asset! })));
}

/** A transfer whose input 0 is locked to the BIP-86 tweak of the device + software aggregate (any further input: a device BIP-86 key). */
async function setUp(opts: { courier?: string; inputs?: bigint[] } = {}) {
  const { client, device } = tapDevice();
  const devicePk = (await client.getKey(DEVICE_PATH)).pubkey;
  const soft = new SoftwareSigner(softwareKey(SEEDS.abandon, DEVICE_PATH).privateKey!, 'software cosigner');
  const participants = sortKeys([devicePk, soft.publicKey]);
  const outputKey = p2tr(keyAggExport(keyAggregate(participants))).tweakedPubkey;
  const base = transferPacket({ inputs: [1000n], recipients: 2, inputScriptKeys: [concat(Uint8Array.of(2), outputKey)], ...opts });
  const derivation = { xOnlyPubKey: devicePk.subarray(1), leafHashes: [], fingerprint: fromHex('f5acc2fd'), path: parsePath(DEVICE_PATH) };
  const packet = withMusigParticipants(base, 0, participants, [derivation]);
  return { client, device, devicePk, soft, participants, outputKey, packet };
}

describe('2-of-2 MuSig2 asset script key through SIGN_VPSBT (device + software cosigner)', () => {
  it('round 1, round 2, aggregation: the signature verifies against the script key and passes the asset VM port', async () => {
    const s = await setUp();
    const device = new TapAppVpsbtMusigSigner(s.client, s.devicePk, { packet: s.packet, inputIndex: 0 }, 'device');
    const { packet, result } = await signVpsbtMusigInput(s.packet, 0, [device, s.soft]);
    expect(toHex(result.session.aggregateXOnly)).toBe(toHex(s.outputKey));
    expect(schnorr.verify(result.signature, vpsbtInputSighash(s.packet, 0), s.outputKey)).toBe(true);
    expect(() => verifyPacket(packet)).not.toThrow();
    expect(signedOutput(packet).asset!.prevWitnesses[0]!.txWitness).toEqual([result.signature]);
  });

  it('round 1 yields only a pubnonce (no review, no signature); a replayed round 2 -> B007 and no signature', async () => {
    const s = await setUp();
    const session = musigSession(vpsbtMusigKey(s.packet, 0), vpsbtInputSighash(s.packet, 0));
    const r1 = await s.client.signVpsbt(s.packet);
    expect(r1.map((y) => y.type)).toEqual(['musigPubNonce']);
    const own = r1[0]!;
    if (own.type !== 'musigPubNonce') throw new Error('expected a pubnonce');
    expect(toHex(own.aggregatePubkey)).toBe(toHex(session.aggregatePubkey));
    const softRound = await s.soft.round1(session);
    const byKey = (p: Uint8Array) => (toHex(p) === toHex(s.devicePk) ? own.pubnonce : softRound.pubnonce);
    const withNonces = withMusigPubNonces(s.packet, 0, session.aggregatePubkey, s.participants.map((participant) => ({ participant, pubnonce: byKey(participant) })));
    const r2 = await s.client.signVpsbt(withNonces);
    expect(r2.map((y) => y.type)).toEqual(['musigPartialSignature']);
    await expect(s.client.signVpsbt(withNonces)).rejects.toMatchObject({ statusCode: 0xb007 });
    // the partial signature verifies (BIP-327 PartialSigVerify) for the device's slot
    const psig = r2[0]!;
    if (psig.type !== 'musigPartialSignature') throw new Error('expected a partial signature');
    const pubnonces = s.participants.map(byKey);
    const verifier = new Session(nonceAggregate(pubnonces), s.participants, session.message, [...session.tweaks], [...session.isXonly]);
    expect(verifier.partialSigVerify(psig.partialSignature, pubnonces, s.participants.findIndex((p) => toHex(p) === toHex(s.devicePk)))).toBe(true);
  });

  // The session id digests the stream up to the signed root (docs/tap-app-protocol.md §5.5.7): what
  // the sighash depends on. A changed unsigned field (the courier) is simply what round 2 reviews.
  it('a vPSBT whose signed root changed between the rounds -> B007, no signature; the untouched session still signs', async () => {
    const s = await setUp({ courier: 'authmailbox+universerpc://courier.example:10029' });
    const session = musigSession(vpsbtMusigKey(s.packet, 0), vpsbtInputSighash(s.packet, 0));
    const [own] = await s.client.signVpsbt(s.packet);
    if (own?.type !== 'musigPubNonce') throw new Error('expected a pubnonce');
    const softRound = await s.soft.round1(session);
    const nonces = s.participants.map((participant) => ({ participant, pubnonce: toHex(participant) === toHex(s.devicePk) ? own.pubnonce : softRound.pubnonce }));
    const tampered = structuredClone(s.packet);
    const root = tampered.outputs.find((o) => o.type === 1)!;
    root.asset!.lockTime = 800_000n;
    for (const o of tampered.outputs) o.lockTime = 800_000n;
    await expect(s.client.signVpsbt(withMusigPubNonces(tampered, 0, session.aggregatePubkey, nonces))).rejects.toMatchObject({ statusCode: 0xb007 });
    const honest = await s.client.signVpsbt(withMusigPubNonces(s.packet, 0, session.aggregatePubkey, nonces));
    expect(honest.map((y) => y.type)).toEqual(['musigPartialSignature']);
  });

  // §5.5.7: round 1 streams the MuSig2 signer only (the device refuses a single-key signer there);
  // round 2 brings the BIP-86 signature and the partial signature together, after one review.
  it('a packet mixing the MuSig2 input with a BIP-86 input: round 1 a pubnonce, round 2 both inputs signed and verified', async () => {
    const s = await setUp({ inputs: [1000n, 500n] });
    const session = musigSession(vpsbtMusigKey(s.packet, 0), vpsbtInputSighash(s.packet, 0));
    const r1 = await s.client.signVpsbt(s.packet);
    expect(r1.map((y) => [y.type, y.inputIndex])).toEqual([['musigPubNonce', 0]]);
    const own = r1[0]!;
    if (own.type !== 'musigPubNonce') throw new Error('expected a pubnonce');
    const softRound = await s.soft.round1(session);
    const byKey = (p: Uint8Array) => (toHex(p) === toHex(s.devicePk) ? own.pubnonce : softRound.pubnonce);
    const pubnonces = s.participants.map(byKey);
    const withNonces = withMusigPubNonces(s.packet, 0, session.aggregatePubkey, s.participants.map((participant) => ({ participant, pubnonce: byKey(participant) })));
    const r2 = await s.client.signVpsbt(withNonces);
    expect(r2.map((y) => [y.type, y.inputIndex])).toEqual([['musigPartialSignature', 0], ['partialSignature', 1]]);
    const [psig, single] = r2;
    if (psig?.type !== 'musigPartialSignature' || single?.type !== 'partialSignature') throw new Error('expected a partial signature and a signature');
    const bip86Key = s.packet.inputs[1]!.asset!.scriptKey.subarray(1);
    expect(toHex(single.pubkey)).toBe(toHex(bip86Key));
    expect(schnorr.verify(single.signature, vpsbtInputSighash(s.packet, 1), bip86Key)).toBe(true);
    const verifier = new Session(nonceAggregate(pubnonces), s.participants, session.message, [...session.tweaks], [...session.isXonly]);
    const deviceAt = s.participants.findIndex((p) => toHex(p) === toHex(s.devicePk));
    expect(verifier.partialSigVerify(psig.partialSignature, pubnonces, deviceAt)).toBe(true);
    const softPsig = await softRound.round2({ aggnonce: nonceAggregate(pubnonces), pubnonces });
    const signature = verifier.partialSigAgg(s.participants.map((_, i) => (i === deviceAt ? psig.partialSignature : softPsig)));
    expect(schnorr.verify(signature, vpsbtInputSighash(s.packet, 0), s.outputKey)).toBe(true);
    const signed = applyVpsbtSignatures(s.packet, [{ type: 'partialSignature', inputIndex: 0, pubkey: s.outputKey, signature }, single]);
    expect(signedOutput(signed).asset!.prevWitnesses.map((w) => w.txWitness)).toEqual([[signature], [single.signature]]);
    expect(() => verifyPacket(signed)).not.toThrow();
  });

  it("a cosigner nonce that is not the device's own for its slot -> 6a80", async () => {
    const s = await setUp();
    const session = musigSession(vpsbtMusigKey(s.packet, 0), vpsbtInputSighash(s.packet, 0));
    await s.client.signVpsbt(s.packet);
    const softRound = await s.soft.round1(session);
    const nonces = s.participants.map((participant) => ({ participant, pubnonce: softRound.pubnonce }));
    await expect(s.client.signVpsbt(withMusigPubNonces(s.packet, 0, session.aggregatePubkey, nonces))).rejects.toMatchObject({ statusCode: 0x6a80 });
  });
});
