// Flows of wallet policies with a taptree whose device answers depend on Speculos's random stream:
// key-path BIP-340 signing of tr(@0/**,pk(@1/**)) (the tweak commits to the tree), and MuSig2 round 1
// and round 2 in a musig() leaf of a three-leaf tree. Recorded on real Speculos with
// `--deterministic-rng 42` by scripts/record.ts into test/vectors/speculos-taptree, and run again on
// the emulator by replay.test.ts: the transcripts must be equal byte for byte, nonces included.
//
// Everything the host sends is a function of the flow and of what the device answered, so the same
// flow on a device that draws the same random bytes produces the same transcript: the software
// cosigner's MuSig2 nonce comes from a fixed `rand`, not from fresh randomness.

import { schnorr } from '@noble/curves/secp256k1.js';
import { TEST_NETWORK, Transaction } from '@scure/btc-signer';
import { nonceAggregate, nonceGen, Session } from '@scure/btc-signer/musig2.js';
import { equal } from '../../apdu/bytes.ts';
import type { MusigPartialSignatureYield, MusigPubNonceYield, PartialSignatureYield } from '../../apdu/yields.ts';
import { policyOutput, type DerivedOutput } from '../../bitcoin/descriptor/scripts.ts';
import { parsePolicy } from '../../bitcoin/descriptor/template.ts';
import { aggregateFingerprint, musigContexts } from '../../bitcoin/musig/context.ts';
import { setMusigPubNonce } from '../../bitcoin/musig/psbt-fields.ts';
import { walletPolicy, type WalletPolicy } from '../../bitcoin/wallet-policy.ts';
import type { Transport } from '../../devices/transport.ts';
import { BitcoinAppClient } from '../../host/bitcoin-app/client.ts';
import { COSIGNER1, COSIGNER2, keyInfo, root, SPECULOS_SEED } from '../unit/emulator/local-flows.ts';

const H = 0x80000000;
const DEVICE_FINGERPRINT = 0xf5acc2fd;
/** A cosigner 2 key-path address: the spend's external output. */
const EXTERNAL = 'tb1p9y6pr3ec7jfdg6aaa282eu6pxn630ujlmkuwzvmdc6lam3t7dy7qrvhl3c';
/** The software cosigner's BIP-327 `rand`: fixed so that a flow sends the same bytes on every run. */
const COSIGNER_RAND = new Uint8Array(32).fill(0x5c);

export type Approve = <T>(call: Promise<T>) => Promise<T>;

/** `inner`, calling `after` once each exchange is answered: where the random stream stands then. */
export function afterEachAnswer(inner: Transport, after: () => void): Transport {
  return {
    get kind() {
      return inner.kind;
    },
    get busy() {
      return inner.busy;
    },
    async exchange(apdu, options) {
      const response = await inner.exchange(apdu, options);
      after();
      return response;
    },
    close: () => inner.close(),
    onDisconnect: (listener) => inner.onDisconnect(listener),
  };
}

export interface TaptreeFlow {
  about: string;
  run(transport: Transport, approve: Approve): Promise<void>;
}

interface Spent {
  change: boolean;
  index: number;
  amount: bigint;
}

const fingerprintOf = (mnemonic: string): number => root(mnemonic).fingerprint;
const fpNumber = (fp: Uint8Array): number => new DataView(fp.buffer, fp.byteOffset).getUint32(0);
const accountPath = (account: number, change: boolean, index: number): number[] => [86 + H, 1 + H, account + H, change ? 1 : 0, index];

function policyWith(name: string, template: string, keys: string[]): { policy: WalletPolicy; at: (change: boolean, index: number) => DerivedOutput } {
  const parsed = parsePolicy(template, keys);
  return { policy: walletPolicy(name, template, keys), at: (change, index) => policyOutput(parsed, change, index, 'testnet') };
}

/** tr(@0/**,pk(@1/**)), @0 the device: two inputs and a change output, all with the tree's tweak. */
async function keyPathWithLeaf(transport: Transport, approve: Approve): Promise<void> {
  const { policy, at } = policyWith('Taproot key plus leaf', 'tr(@0/**,pk(@1/**))', [keyInfo(SPECULOS_SEED, "86'/1'/0'"), keyInfo(COSIGNER1, "86'/1'/0'")]);
  const client = new BitcoinAppClient(transport);
  const { hmac } = await approve(client.registerWallet(policy));
  const spent: Spent[] = [
    { change: false, index: 0, amount: 100_000n },
    { change: true, index: 3, amount: 50_000n },
  ];
  const tx = new Transaction({ version: 2 });
  const prevouts = spent.map((s) => at(s.change, s.index));
  spent.forEach((s, i) => {
    const out = prevouts[i]!;
    const tr = out.taproot!;
    const leaf = tr.tree!.leaves[0]!;
    tx.addInput({
      txid: new Uint8Array(32).fill(0x21 + i),
      index: i,
      witnessUtxo: { script: out.scriptPubKey, amount: s.amount },
      tapInternalKey: tr.internalKey,
      tapMerkleRoot: tr.tree!.root,
      tapBip32Derivation: [
        [tr.internalKey, { hashes: [], der: { fingerprint: DEVICE_FINGERPRINT, path: accountPath(0, s.change, s.index) } }],
        [tr.leafKeys[0]![0]!.publicKey.slice(1), { hashes: [leaf.leafHash], der: { fingerprint: fingerprintOf(COSIGNER1), path: accountPath(0, s.change, s.index) } }],
      ],
    });
  });
  tx.addOutputAddress(EXTERNAL, 120_000n, TEST_NETWORK);
  const change = at(true, 1).taproot!;
  tx.addOutput({
    script: at(true, 1).scriptPubKey,
    amount: 29_000n,
    tapInternalKey: change.internalKey,
    tapBip32Derivation: [[change.internalKey, { hashes: [], der: { fingerprint: DEVICE_FINGERPRINT, path: accountPath(0, true, 1) } }]],
  });
  const yields = (await approve(client.signPsbt(tx.toPSBT(), policy, hmac))) as PartialSignatureYield[];
  if (yields.length !== spent.length) throw new Error(`expected ${spent.length} signatures, got ${yields.length}`);
  // each signature verifies against the input's output key (the internal key tweaked with the tree)
  for (const y of yields) {
    const msg = tx.preimageWitnessV1(y.inputIndex, prevouts.map((o) => o.scriptPubKey), 0, spent.map((s) => s.amount));
    if (!schnorr.verify(y.signature, msg, prevouts[y.inputIndex]!.scriptPubKey.slice(2))) throw new Error(`input ${y.inputIndex}: signature does not verify`);
  }
}

/**
 * tr(@0/**,{pk(@1/**),{pk(musig(@2,@3)/**),pk(@4/**)}}), @2 the device and @3 a software cosigner,
 * the other keys external: round 1 yields the device's pubnonce for the musig() leaf, round 2 its
 * partial signature, checked with BIP-327 PartialSigVerify and aggregated into a signature that
 * verifies against the leaf's aggregate key.
 */
async function musigLeafInTree(transport: Transport, approve: Approve): Promise<void> {
  const keys = [
    keyInfo(COSIGNER2, "86'/1'/0'"),
    keyInfo(COSIGNER2, "86'/1'/1'"),
    keyInfo(SPECULOS_SEED, "86'/1'/0'"),
    keyInfo(COSIGNER1, "86'/1'/0'"),
    keyInfo(COSIGNER1, "86'/1'/1'"),
  ];
  const { policy, at } = policyWith('Musig leaf in a tree', 'tr(@0/**,{pk(@1/**),{pk(musig(@2,@3)/**),pk(@4/**)}})', keys);
  const client = new BitcoinAppClient(transport);
  const { hmac } = await approve(client.registerWallet(policy));
  const out = at(false, 2);
  const tr = out.taproot!;
  const mctx = musigContexts(out).find((c) => c.leafHash)!;
  const leaf = tr.tree!.leaves.find((l) => equal(l.leafHash, mctx.leafHash!))!;
  const amount = 80_000n;
  const tx = new Transaction({ version: 2 });
  tx.addInput({
    txid: new Uint8Array(32).fill(0x42),
    index: 0,
    witnessUtxo: { script: out.scriptPubKey, amount },
    tapInternalKey: tr.internalKey,
    tapMerkleRoot: tr.tree!.root,
    tapBip32Derivation: [[mctx.aggregatePubkey.slice(1), { hashes: [leaf.leafHash], der: { fingerprint: fpNumber(aggregateFingerprint(mctx.aggregate)), path: [0, 2] } }]],
  });
  tx.addOutputAddress(EXTERNAL, 79_000n, TEST_NETWORK);

  const round1 = await client.signPsbt(tx.toPSBT(), policy, hmac);
  const mine = round1[0] as MusigPubNonceYield | undefined;
  if (round1.length !== 1 || mine?.type !== 'musigPubNonce') throw new Error(`round 1: expected one pubnonce, got ${round1.length} yields`);
  // BIP-390: the participants are the account keys; the path below the aggregate is a tweak
  const cosigner = root(COSIGNER1).derive("m/86'/1'/0'");
  const coNonce = nonceGen(cosigner.publicKey!, cosigner.privateKey!, mctx.aggregatePubkey.slice(1), undefined, undefined, COSIGNER_RAND);
  const ref = { aggregate: mctx.aggregatePubkey, leafHash: mctx.leafHash };
  setMusigPubNonce(tx, 0, { ...ref, participant: mine.participantPubkey, pubnonce: mine.pubnonce });
  setMusigPubNonce(tx, 0, { ...ref, participant: cosigner.publicKey!, pubnonce: coNonce.public });

  const round2 = await approve(client.signPsbt(tx.toPSBT(), policy, hmac));
  const psig = round2.find((y): y is MusigPartialSignatureYield => y.type === 'musigPartialSignature');
  if (round2.length !== 1 || !psig) throw new Error(`round 2: expected one partial signature, got ${round2.length} yields`);
  const msg = tx.preimageWitnessV1(0, [out.scriptPubKey], 0, [amount], -1, leaf.script, leaf.version);
  const participants = [...mctx.participants];
  const nonces = participants.map((p) => (equal(p, cosigner.publicKey!) ? coNonce.public : mine.pubnonce));
  const session = new Session(nonceAggregate(nonces), participants, msg, [...mctx.tweaks], [...mctx.isXonly]);
  const deviceIndex = participants.findIndex((p) => equal(p, mine.participantPubkey));
  if (!session.partialSigVerify(psig.partialSignature, nonces, deviceIndex)) throw new Error('round 2: the partial signature does not verify');
  const sigs = participants.map((p) => (equal(p, cosigner.publicKey!) ? session.sign(coNonce.secret, cosigner.privateKey!) : psig.partialSignature));
  if (!schnorr.verify(session.partialSigAgg(sigs), msg, mctx.aggregatePubkey.slice(1))) throw new Error('the aggregate signature does not verify');
}

export const TAPTREE_FLOWS: Record<string, TaptreeFlow> = {
  'taptree-keypath': {
    about: 'Bitcoin app: tr(@0/**,pk(@1/**)) registered, then a key-path spend of two inputs with change, approved',
    run: keyPathWithLeaf,
  },
  'taptree-musig-leaf': {
    about: 'Bitcoin app: MuSig2 rounds 1 and 2 in the musig() leaf of a three-leaf tree, with a software cosigner',
    run: musigLeafInTree,
  },
};
