// MuSig2 end to end: the emulated Bitcoin app as one signer (through our host client over a
// loopback transport) and a software cosigner (@scure/btc-signer's musig2) as the other, for a
// tr(musig(@0,@1)/**) key-path spend and for a musig() leaf spent by script path. Round 1, round 2,
// partial-signature checks, aggregation, BIP-340 verification against the key in the output; then a
// replayed round 2 must fail with B007 and yield nothing. Every review is approved explicitly on the
// device's screens (harness.ts): registration and round 2 show one, round 1 none. A wrong HMAC is
// refused with B008 before anything is shown.

import { schnorr } from '@noble/curves/secp256k1.js';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { TEST_NETWORK, Transaction } from '@scure/btc-signer';
import { nonceAggregate, nonceGen, Session } from '@scure/btc-signer/musig2.js';
import { describe, expect, it } from 'vitest';
import { equal } from '../../../apdu/bytes.ts';
import { parsePolicy } from '../../../bitcoin/descriptor/template.ts';
import { policyOutput } from '../../../bitcoin/descriptor/scripts.ts';
import { aggregateFingerprint, musigContexts } from '../../../bitcoin/musig/context.ts';
import { setMusigPubNonce } from '../../../bitcoin/musig/psbt-fields.ts';
import { walletPolicy } from '../../../bitcoin/wallet-policy.ts';
import { LoopbackTransport } from '../../../devices/loopback.ts';
import { BitcoinAppClient } from '../../../host/bitcoin-app/client.ts';
import { bitcoinDevice } from './harness.ts';
import type { MusigPartialSignatureYield, MusigPubNonceYield } from '../../../apdu/yields.ts';

const ACCOUNT = "m/86'/1'/0'";
const cosigner = HDKey.fromMasterSeed(mnemonicToSeedSync('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'));
const other = HDKey.fromMasterSeed(mnemonicToSeedSync('legal winner thank year wave sausage worth useful legal winner thank yellow'));

function keyInfo(node: HDKey, path: string): string {
  const fp = node.fingerprint.toString(16).padStart(8, '0');
  const acct = node.derive(path);
  const tpub = new HDKey({ versions: { private: 0x04358394, public: 0x043587cf }, depth: acct.depth, index: acct.index, parentFingerprint: acct.parentFingerprint, chainCode: acct.chainCode!, publicKey: acct.publicKey! });
  return `[${fp}/${path.slice(2)}]${tpub.publicExtendedKey}`;
}

async function setup(name: string, template: string, internalKey: string | undefined) {
  const { device, person } = bitcoinDevice({ model: 'nanosp' });
  const client = new BitcoinAppClient(new LoopbackTransport(device));
  const ours = `[f5acc2fd/86'/1'/0']${await client.getExtendedPubkey(ACCOUNT)}`;
  // BIP-388 numbers placeholders in order of first appearance: a separate internal key comes first
  const keys = internalKey ? [internalKey, ours, keyInfo(cosigner, ACCOUNT)] : [ours, keyInfo(cosigner, ACCOUNT)];
  const policy = walletPolicy(name, template, keys);
  person.answer(true);
  const { hmac } = await client.registerWallet(policy);
  expect(person.prompts.map((p) => [p.flow?.intro, p.approved])).toEqual([[expect.stringMatching(/register/i), true]]);
  const out = policyOutput(parsePolicy(template, keys), false, 0, 'testnet');
  return { client, person, policy, hmac, out };
}

async function spend(template: string, scriptPath: boolean) {
  const internal = scriptPath ? keyInfo(other, ACCOUNT) : undefined;
  const { client, person, policy, hmac, out } = await setup(scriptPath ? 'Musig leaf' : 'Musig key', template, internal);
  const contexts = musigContexts(out);
  const mctx = scriptPath ? contexts.find((c) => c.leafHash)! : contexts[0]!;
  const tr = out.taproot!;
  const leaf = scriptPath ? tr.tree!.leaves.find((l) => equal(l.leafHash, mctx.leafHash!))! : undefined;
  const derivedXonly = scriptPath ? mctx.aggregatePubkey.slice(1) : tr.internalKey;

  const tx = new Transaction({ version: 2, allowUnknownOutputs: true });
  const fp = aggregateFingerprint(mctx.aggregate);
  tx.addInput({
    txid: new Uint8Array(32).fill(7),
    index: 1,
    witnessUtxo: { script: out.scriptPubKey, amount: 100_000n },
    tapInternalKey: tr.internalKey,
    ...(tr.tree ? { tapMerkleRoot: tr.tree.root } : {}),
    tapBip32Derivation: [
      [derivedXonly, { hashes: leaf ? [leaf.leafHash] : [], der: { fingerprint: new DataView(fp.buffer, fp.byteOffset).getUint32(0), path: [0, 0] } }],
    ],
  });
  tx.addOutputAddress('tb1p9y6pr3ec7jfdg6aaa282eu6pxn630ujlmkuwzvmdc6lam3t7dy7qrvhl3c', 99_000n, TEST_NETWORK);

  // a wrong HMAC: refused before any review, nothing yielded
  const forged = Uint8Array.from(hmac);
  forged[31]! ^= 1;
  await expect(client.signPsbt(tx.toPSBT(), policy, forged)).rejects.toMatchObject({ name: 'SignatureFailError', statusCode: 0xb008 });
  await expect(client.getWalletAddress(policy, forged, false, 0)).rejects.toMatchObject({ name: 'SignatureFailError', statusCode: 0xb008 });
  expect(person.prompts).toHaveLength(1);

  // round 1: no pubnonces in the PSBT -> the device yields its pubnonce, no review
  const r1 = await client.signPsbt(tx.toPSBT(), policy, hmac);
  expect(person.prompts).toHaveLength(1);
  expect(r1).toHaveLength(1);
  const mine = r1[0] as MusigPubNonceYield;
  expect(mine.type).toBe('musigPubNonce');
  expect(mine.aggregatePubkey).toEqual(mctx.aggregatePubkey);
  expect(mine.tapleafHash).toEqual(mctx.leafHash);

  const coPriv = cosigner.derive(ACCOUNT).privateKey!;
  const coPub = cosigner.derive(ACCOUNT).publicKey!;
  const coNonce = nonceGen(coPub, coPriv, mctx.aggregatePubkey.slice(1));
  const ref = { aggregate: mctx.aggregatePubkey, leafHash: mctx.leafHash };
  setMusigPubNonce(tx, 0, { ...ref, participant: mine.participantPubkey, pubnonce: mine.pubnonce });
  setMusigPubNonce(tx, 0, { ...ref, participant: coPub, pubnonce: coNonce.public });
  const round2Psbt = tx.toPSBT();

  // round 2: review, then the device's partial signature
  person.answer(true);
  const r2 = await client.signPsbt(round2Psbt, policy, hmac);
  expect(person.prompts.map((p) => [p.kind, p.approved])).toEqual([['review', true], ['review', true]]);
  const psig = r2.find((y) => y.type === 'musigPartialSignature') as MusigPartialSignatureYield;
  expect(psig).toBeDefined();

  const msg = tx.preimageWitnessV1(0, [out.scriptPubKey], 0, [100_000n], -1, leaf?.script, leaf?.version);
  const participants = [...mctx.participants];
  const nonces = participants.map((p) => (equal(p, coPub) ? coNonce.public : mine.pubnonce));
  const session = new Session(nonceAggregate(nonces), participants, msg, [...mctx.tweaks], [...mctx.isXonly]);
  const deviceIndex = participants.findIndex((p) => equal(p, mine.participantPubkey));
  expect(session.partialSigVerify(psig.partialSignature, nonces, deviceIndex)).toBe(true);
  const coSig = session.sign(coNonce.secret, coPriv);
  const sig = session.partialSigAgg(participants.map((p) => (equal(p, coPub) ? coSig : psig.partialSignature)));
  const verifyKey = scriptPath ? mctx.aggregatePubkey.slice(1) : tr.output.outputKey;
  expect(schnorr.verify(sig, msg, verifyKey)).toBe(true);
  if (!scriptPath) expect(verifyKey).toEqual(out.scriptPubKey.slice(2));

  // the session was deleted before signing: the same round 2 again is reviewed (the emulated app
  // looks the session up when it signs, after the review) and refused, with no signature
  person.answer(true);
  await expect(client.signPsbt(round2Psbt, policy, hmac)).rejects.toMatchObject({ statusCode: 0xb007 });
  expect(person.unexpected).toEqual([]);
  expect(person.pending).toBe(0);
}

describe('MuSig2 with the emulated Bitcoin app and a software cosigner', () => {
  it('tr(musig(@0,@1)/**) key path', () => spend('tr(musig(@0,@1)/**)', false));
  it('musig() leaf by script path: tr(@0/**,pk(musig(@1,@2)/**))', () => spend('tr(@0/**,pk(musig(@1,@2)/**))', true));
});
