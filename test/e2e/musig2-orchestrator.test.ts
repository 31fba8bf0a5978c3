// The MuSig2 orchestrator driving emulated devices (Taproot Assets app and Bitcoin app) and
// software keys: every signature is checked with @noble/curves' BIP-340 verify; a corrupted
// partial signature is caught by PartialSigVerify with the faulty signer named.

import { schnorr } from '@noble/curves/secp256k1.js';
import { HDKey } from '@scure/bip32';
import { TEST_NETWORK, Transaction } from '@scure/btc-signer';
import { keyAggExport, keyAggregate, sortKeys } from '@scure/btc-signer/musig2.js';
import { describe, expect, it } from 'vitest';
import { equal, toHex } from '../../apdu/bytes.ts';
import { parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { policyOutput } from '../../bitcoin/descriptor/scripts.ts';
import { aggregateFingerprint, musigContexts } from '../../bitcoin/musig/context.ts';
import { walletPolicy } from '../../bitcoin/wallet-policy.ts';
import { LoopbackTransport } from '../../devices/loopback.ts';
import { EmulatedDevice, deviceOptions } from '../../emulator/index.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import {
  BitcoinAppMusigSigner,
  SoftwareSigner,
  TapAppMusigSigner,
  runMusigSession,
  type MusigSession,
  type MusigSigner,
} from '../../host/musig2/index.ts';
import { SEEDS, softwareKey, tapDevice } from './helpers.ts';

const SCRIPT_PATH = "m/1017'/1'/212'/0/1";
const message = schnorr.utils.taggedHash('e2e', new TextEncoder().encode('orchestrator'));

/** A signer that flips one bit of its partial signature: a faulty (or malicious) participant. */
function corrupting(inner: MusigSigner): MusigSigner {
  return {
    name: `${inner.name} (corrupted)`,
    publicKey: inner.publicKey,
    async round1(session: MusigSession) {
      const r = await inner.round1(session);
      return {
        pubnonce: r.pubnonce,
        async round2(input) {
          const psig = await r.round2(input);
          psig[31] = psig[31]! ^ 1;
          return psig;
        },
      };
    },
  };
}

describe('MuSig2 orchestrator with the Taproot Assets app', () => {
  it('2-of-2: one emulated device and one software key', async () => {
    const dev = await TapAppMusigSigner.open(tapDevice().client, SCRIPT_PATH);
    const soft = new SoftwareSigner(softwareKey(SEEDS.abandon, SCRIPT_PATH).privateKey!, 'cosigner');
    const participants = sortKeys([dev.publicKey, soft.publicKey]);
    const r = await runMusigSession({ participants, tweaks: [], isXonly: [] }, message, [soft, dev]);
    expect(toHex(r.session.aggregateXOnly)).toBe(toHex(keyAggExport(keyAggregate(participants))));
    expect(schnorr.verify(r.signature, message, r.session.aggregateXOnly)).toBe(true);
  });

  it('3 participants (two devices, one software key) with a plain and an x-only tweak', async () => {
    const a = await TapAppMusigSigner.open(tapDevice().client, SCRIPT_PATH, { name: 'device A' });
    const b = await TapAppMusigSigner.open(tapDevice({ seed: SEEDS.legal }).client, SCRIPT_PATH, { name: 'device B' });
    const c = new SoftwareSigner(softwareKey(SEEDS.abandon, SCRIPT_PATH).privateKey!, 'software C');
    const tweaks = [new Uint8Array(32).fill(3), schnorr.utils.taggedHash('TapTweak', new Uint8Array(32).fill(9))];
    const key = { participants: sortKeys([a.publicKey, b.publicKey, c.publicKey]), tweaks, isXonly: [false, true] };
    const r = await runMusigSession(key, message, [a, b, c]);
    expect(toHex(r.session.aggregateXOnly)).toBe(toHex(keyAggExport(keyAggregate([...key.participants], tweaks, [false, true]))));
    expect(schnorr.verify(r.signature, message, r.session.aggregateXOnly)).toBe(true);
  });

  it('names the signer whose partial signature does not verify', async () => {
    const dev = await TapAppMusigSigner.open(tapDevice().client, SCRIPT_PATH, { name: 'device A' });
    const soft = new SoftwareSigner(softwareKey(SEEDS.abandon, SCRIPT_PATH).privateKey!, 'software B');
    const key = { participants: sortKeys([dev.publicKey, soft.publicKey]), tweaks: [], isXonly: [] };
    const index = (s: MusigSigner) => key.participants.findIndex((p) => equal(p, s.publicKey));
    await expect(runMusigSession(key, message, [corrupting(dev), soft])).rejects.toMatchObject({
      code: 'E_INVALID_PARTIAL_SIGNATURE',
      signer: 'device A (corrupted)',
      participantIndex: index(dev),
    });
    await expect(runMusigSession(key, message, [dev, corrupting(soft)])).rejects.toMatchObject({
      code: 'E_INVALID_PARTIAL_SIGNATURE',
      signer: 'software B (corrupted)',
      participantIndex: index(soft),
    });
  });

  it('names the device that refuses round 2 (blind signing off), and a missing signer', async () => {
    const dev = await TapAppMusigSigner.open(tapDevice({ blindSigning: false }).client, SCRIPT_PATH, { name: 'device A' });
    const soft = new SoftwareSigner(softwareKey(SEEDS.abandon, SCRIPT_PATH).privateKey!, 'software B');
    const key = { participants: sortKeys([dev.publicKey, soft.publicKey]), tweaks: [], isXonly: [] };
    const err = await runMusigSession(key, message, [dev, soft]).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_MUSIG_SIGNER', signer: 'device A', round: 2 });
    expect(err.cause).toMatchObject({ code: 'E_BLIND_SIGNING_DISABLED', statusCode: 0xb012 });
    await expect(runMusigSession(key, message, [soft])).rejects.toMatchObject({ code: 'E_MUSIG_SESSION' });
  });
});

describe('MuSig2 orchestrator with the Bitcoin app', () => {
  const ACCOUNT = "m/86'/1'/0'";
  const TPUB = { private: 0x04358394, public: 0x043587cf };

  function keyInfo(seed: string, node: HDKey): string {
    const root = softwareKey(seed, 'm');
    const tpub = new HDKey({ versions: TPUB, depth: node.depth, index: node.index, parentFingerprint: node.parentFingerprint, chainCode: node.chainCode!, publicKey: node.publicKey! });
    return `[${root.fingerprint.toString(16).padStart(8, '0')}/${ACCOUNT.slice(2)}]${tpub.publicExtendedKey}`;
  }

  it('tr(musig(@0,@1,@2)/**) key path: the Bitcoin app, the Taproot Assets app and a software key in one session', async () => {
    const btcDevice = new EmulatedDevice({ ...deviceOptions({ app: 'bitcoin-test', autoApprove: true }) });
    const btc = new BitcoinAppClient(new LoopbackTransport(btcDevice));
    const tap = tapDevice({ seed: SEEDS.legal });
    const tapSigner = await TapAppMusigSigner.open(tap.client, ACCOUNT, { name: 'tap device' });
    const soft = softwareKey(SEEDS.abandon, ACCOUNT);

    const keys = [
      `[f5acc2fd/86'/1'/0']${await btc.getExtendedPubkey(ACCOUNT)}`,
      keyInfo(SEEDS.legal, softwareKey(SEEDS.legal, ACCOUNT)),
      keyInfo(SEEDS.abandon, soft),
    ];
    const template = 'tr(musig(@0,@1,@2)/**)';
    const policy = walletPolicy('Three-party MuSig2', template, keys);
    const { hmac } = await btc.registerWallet(policy);
    const out = policyOutput(parsePolicy(template, keys), false, 3, 'testnet');
    const ctx = musigContexts(out)[0]!;
    const tr = out.taproot!;

    const tx = new Transaction({ version: 2, allowUnknownOutputs: true });
    const fp = aggregateFingerprint(ctx.aggregate);
    tx.addInput({
      txid: new Uint8Array(32).fill(5),
      index: 0,
      witnessUtxo: { script: out.scriptPubKey, amount: 50_000n },
      tapInternalKey: tr.internalKey,
      tapBip32Derivation: [[tr.internalKey, { hashes: [], der: { fingerprint: new DataView(fp.buffer, fp.byteOffset).getUint32(0), path: [0, 3] } }]],
    });
    tx.addOutputAddress('tb1p9y6pr3ec7jfdg6aaa282eu6pxn630ujlmkuwzvmdc6lam3t7dy7qrvhl3c', 49_000n, TEST_NETWORK);
    const sighash = tx.preimageWitnessV1(0, [out.scriptPubKey], 0, [50_000n]);

    const devicePub = HDKey.fromExtendedKey(await btc.getExtendedPubkey(ACCOUNT), TPUB).publicKey!;
    const btcSigner = new BitcoinAppMusigSigner(btc, devicePub, { psbt: tx.toPSBT(), policy, hmac, inputIndex: 0 }, 'bitcoin device');
    const softSigner = new SoftwareSigner(soft.privateKey!, 'software');
    const r = await runMusigSession(ctx, sighash, [softSigner, tapSigner, btcSigner]);
    expect(toHex(r.session.aggregatePubkey)).toBe(toHex(ctx.aggregatePubkey));
    expect(toHex(r.session.aggregateXOnly)).toBe(toHex(out.scriptPubKey.slice(2)));
    expect(schnorr.verify(r.signature, sighash, out.scriptPubKey.slice(2))).toBe(true);

    // a session over another message: the Bitcoin app signs the sighash it computes from the
    // PSBT, so its partial signature fails PartialSigVerify and the device is named
    const wrong = await runMusigSession(ctx, new Uint8Array(32).fill(1), [softSigner, tapSigner, btcSigner]).catch((e) => e);
    expect(wrong).toMatchObject({ code: 'E_INVALID_PARTIAL_SIGNATURE', signer: 'bitcoin device' });
    expect(wrong.faulty).toHaveLength(1);

    // the witness finalizes the transaction (btc-signer checks the key-path signature's shape)
    tx.updateInput(0, { tapKeySig: r.signature });
    tx.finalize();
    expect(tx.getInput(0).finalScriptWitness).toEqual([r.signature]);
  });
});
