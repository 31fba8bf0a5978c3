// FROST sessions through the coordinator (docs/coordinator.md §2.5, docs/frost.md): the same
// end-to-end sealed routing as MuSig2, with these steps after hello/roster:
//
//   dkg/1      everyone -> everyone: the round-1 package (commitment, proof, DKG encryption key)
//   dkg/2      each -> each: the DKG share for that party, sealed to its signer's encryption key
//   keyset     everyone -> everyone: the key-set ID each derived; all must agree
//   psbt/K     initiator -> the other signers of spend K: {signers, psbt}
//   commit/K   signer -> signers: the FROST nonce commitment
//   share/K    signer -> signers: the signature share; every signer verifies every one
//   final/K    signer -> signers: the aggregate signature; all must agree
//
// Party p is FROST participant p + 1. A spend is a key-path spend of the BIP-86 output of the group
// key; each signer computes the BIP-341 sighash itself from the PSBT it received.

import { schnorr } from '@noble/curves/secp256k1.js';
import { base64 } from '@scure/base';
import { p2tr, TEST_NETWORK, Transaction } from '@scure/btc-signer';
import { equal, fromHex, toHex, utf8 } from '../../apdu/bytes.ts';
import { CodecError } from '../../apdu/errors.ts';
import {
  decodeEncryptedShares,
  decodeKeyPackage,
  decodeRound1Package,
  encodeEncryptedShares,
  encodeKeyPackage,
  encodeNonceCommitment,
  encodeRound1Package,
  groupKeyXOnly,
  keyPackageHash,
  NONCE_COMMITMENT_LENGTH,
  type EncryptedShare,
  type FrostKeyPackage,
  type FrostRound1Package,
} from '../../apdu/tap-app/frost-data.ts';
import { ByteReader } from '../../apdu/bytes.ts';
import { signingKeyXOnly } from '../../bitcoin/frost/key-package.ts';
import { runFrostSign, type FrostCommitted, type FrostSigner, type FrostSigningSession } from '../../host/frost/index.ts';
import type { Cosigner, FrostCosigner } from './cosigners.ts';
import { CoordinatorLayerError } from '../errors.ts';
import type { CosignParty, SignResult } from './party.ts';

const BIP86 = { kind: 'bip86' } as const;

export interface FrostKeySetResult {
  scheme: 'frost';
  threshold: number;
  parties: number;
  /** x-only group key, and the BIP-86 Taproot output key spends sign for. */
  groupKey: string;
  taprootKey: string;
  /** The key-set ID: SHA-256 of the key package, the same at every party. */
  keySet: string;
  /** The BIP-86 output's testnet address. */
  address: string;
}

function frostOf(signer: Cosigner): FrostCosigner {
  if (!signer.frost) throw new CoordinatorLayerError('E_COSIGN', `${signer.name}: cannot take part in a FROST session (use the Taproot Assets app: --app tap)`);
  return signer.frost;
}

function decoded<T>(from: number, what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof CodecError) throw new CoordinatorLayerError('E_COSIGN', `party ${from}: sent ${what} that does not decode: ${err.message}`);
    throw err;
  }
}

function keySetResult(party: CosignParty, pkg: FrostKeyPackage): FrostKeySetResult {
  const taprootKey = signingKeyXOnly(pkg, BIP86);
  return {
    scheme: 'frost',
    threshold: pkg.threshold,
    parties: pkg.verifyingShares.length,
    groupKey: toHex(groupKeyXOnly(pkg)),
    taprootKey: toHex(taprootKey),
    keySet: toHex(keyPackageHash(pkg)),
    address: p2tr(groupKeyXOnly(pkg), undefined, TEST_NETWORK).address!,
  };
}

/** The DKG of a FROST session, every round routed sealed between the parties; the signer keeps the secrets. */
export async function frostKeyGen(party: CosignParty, signer: Cosigner): Promise<FrostKeySetResult> {
  const s = party.state;
  if (s.scheme !== 'frost' || s.threshold === undefined) throw new CoordinatorLayerError('E_COSIGN', `session ${s.session} is a ${s.scheme} session, not a FROST one`);
  const t = s.threshold;
  const n = s.parties;
  const dkg = frostOf(signer).participant();
  await party.authenticateRoster();

  const own = await dkg.round1(t, n, s.party + 1);
  await party.broadcast('dkg/1', encodeRound1Package(own));
  const packages: FrostRound1Package[] = new Array(n);
  packages[s.party] = own;
  for (const [from, bytes] of await party.receive('dkg/1', party.others())) {
    const p = decoded(from, 'a round-1 package', () => decodeRound1Package(bytes, t, n));
    if (p.index !== from + 1) throw new CoordinatorLayerError('E_COSIGN', `party ${from}: sent the round-1 package of participant ${p.index}, expected ${from + 1}`);
    packages[from] = p;
  }
  const transcript = { threshold: t, packages };

  const shares = await dkg.round2(transcript);
  if (shares.length !== n - 1 || shares.some((x) => x.from !== s.party + 1 || x.to === s.party + 1))
    throw new CoordinatorLayerError('E_COSIGN', `${signer.name}: returned shares that are not one for each other participant`);
  await party.send('dkg/2', new Map(shares.map((x) => [x.to - 1, encodeEncryptedShares([x])])));
  const inbox: EncryptedShare[] = [];
  for (const [from, bytes] of await party.receive('dkg/2', party.others())) {
    const got = decoded(from, 'a DKG share', () => decodeEncryptedShares(bytes, n));
    if (got.length !== 1 || got[0]!.from !== from + 1 || got[0]!.to !== s.party + 1)
      throw new CoordinatorLayerError('E_COSIGN', `party ${from}: sent a share that is not from participant ${from + 1} to participant ${s.party + 1}`);
    inbox.push(got[0]!);
  }
  const outcome = await dkg.round3(transcript, inbox);

  const id = keyPackageHash(outcome.keyPackage);
  await party.broadcast('keyset', id);
  for (const [from, theirs] of await party.receive('keyset', party.others()))
    if (!equal(theirs, id)) throw new CoordinatorLayerError('E_COSIGN', `party ${from}: derived key set ${toHex(theirs)}, this party ${toHex(id)}`);
  s.frost = { keyPackage: toHex(encodeKeyPackage(outcome.keyPackage)), share: toHex(outcome.share) };
  await party.home.save(s);
  return keySetResult(party, outcome.keyPackage);
}

/** The one input of `psbt` that spends the key set's BIP-86 output, and its BIP-341 sighash. */
export function frostSpendOf(psbt: Uint8Array, taprootKey: Uint8Array): { tx: Transaction; inputIndex: number; sighash: Uint8Array } {
  let tx: Transaction;
  try {
    tx = Transaction.fromPSBT(psbt, { allowUnknown: true, allowUnknownInputs: true, allowUnknownOutputs: true });
  } catch (err) {
    throw new CoordinatorLayerError('E_COSIGN', `party 0: sent a PSBT that does not parse: ${(err as Error).message}`);
  }
  const prevouts = Array.from({ length: tx.inputsLength }, (_, i) => tx.getInput(i).witnessUtxo);
  if (prevouts.some((p) => !p)) throw new CoordinatorLayerError('E_COSIGN', 'party 0: every input needs its witness UTXO (BIP-341 signs all amounts and scripts)');
  const ours = prevouts.flatMap((p, i) => (p!.script.length === 34 && p!.script[0] === 0x51 && equal(p!.script.subarray(2), taprootKey) ? [i] : []));
  if (ours.length !== 1) throw new CoordinatorLayerError('E_COSIGN', `party 0: expected a PSBT with exactly one input spending the key set's output, got ${ours.length}`);
  const inputIndex = ours[0]!;
  const sighash = tx.preimageWitnessV1(inputIndex, prevouts.map((p) => p!.script), 0, prevouts.map((p) => p!.amount));
  return { tx, inputIndex, sighash };
}

function decodeCommitment(from: number, bytes: Uint8Array) {
  return decoded(from, 'a nonce commitment', () => {
    const r = new ByteReader(bytes, 'commitment');
    const c = { index: r.u8('index'), hiding: r.bytesN(33, 'hiding').slice(), binding: r.bytesN(33, 'binding').slice() };
    r.end();
    if (bytes.length !== NONCE_COMMITMENT_LENGTH || c.index !== from + 1) throw new CodecError(`expected participant ${from + 1}'s commitment, got participant ${c.index}'s`);
    return c;
  });
}

/**
 * One spend: the initiator names the signers (itself among them; default the first t parties) and
 * the PSBT; every signer commits and signs through the coordinator, and every signer checks every
 * share (RFC 9591 verify_signature_share, naming the faulty party) and the aggregate.
 */
export async function frostSign(party: CosignParty, signer: Cosigner, psbt?: Uint8Array, chosen?: readonly number[]): Promise<SignResult> {
  const s = party.state;
  if (!s.frost || s.threshold === undefined) throw new CoordinatorLayerError('E_COSIGN', `session ${s.session}: the FROST key generation has not completed; run cosign start or join first`);
  const keyPackage = decodeKeyPackage(fromHex(s.frost.keyPackage));
  let round: number;
  let signers: number[];
  if (s.party === 0) {
    if (!psbt) throw new CoordinatorLayerError('E_COSIGN', 'the initiator (party 0) proposes the spend: give the PSBT');
    signers = [...(chosen ?? Array.from({ length: s.threshold }, (_, i) => i))].sort((a, b) => a - b);
    if (signers[0] !== 0 || new Set(signers).size !== signers.length || signers.length < s.threshold || signers.some((p) => !Number.isInteger(p) || p >= s.parties))
      throw new CoordinatorLayerError('E_COSIGN', `signers: expected ${s.threshold} to ${s.parties} distinct parties including 0, got [${signers}]`);
    round = s.rounds + 1;
    await party.send(`psbt/${round}`, new Map(signers.filter((p) => p !== 0).map((p) => [p, utf8.encode(JSON.stringify({ signers, psbt: base64.encode(psbt!) }))])));
  } else {
    if (psbt) throw new CoordinatorLayerError('E_COSIGN', `party ${s.party}: only the initiator (party 0) proposes a spend; run sign without a PSBT`);
    round = await nextRound(party);
    const proposal = JSON.parse(utf8.decode((await party.receive(`psbt/${round}`, [0])).get(0)!)) as { signers?: unknown; psbt?: unknown };
    if (!Array.isArray(proposal.signers) || !proposal.signers.includes(s.party) || typeof proposal.psbt !== 'string')
      throw new CoordinatorLayerError('E_COSIGN', `party 0: sent a spend proposal without this party among its signers`);
    signers = (proposal.signers as number[]).slice().sort((a, b) => a - b);
    if (signers.length < s.threshold || signers.some((p) => !Number.isInteger(p) || p < 0 || p >= s.parties))
      throw new CoordinatorLayerError('E_COSIGN', `party 0: named signers [${signers}], expected at least ${s.threshold} parties of ${s.parties}`);
    psbt = base64.decode(proposal.psbt);
  }

  const taprootKey = signingKeyXOnly(keyPackage, BIP86);
  const { tx, inputIndex, sighash } = frostSpendOf(psbt, taprootKey);
  const local = frostOf(signer).signer(s.party + 1, keyPackage, fromHex(s.frost.share));
  const peers = signers.filter((p) => p !== s.party);
  const relay = (p: number): FrostSigner =>
    p === s.party
      ? {
          name: signer.name,
          index: p + 1,
          async commit(session: FrostSigningSession): Promise<FrostCommitted> {
            const c = await local.commit(session);
            await party.send(`commit/${round}`, new Map(peers.map((q) => [q, encodeNonceCommitment(c.commitment)])));
            return {
              commitment: c.commitment,
              async sign(list) {
                const share = await c.sign(list);
                await party.send(`share/${round}`, new Map(peers.map((q) => [q, share])));
                return share;
              },
            };
          },
        }
      : {
          name: `party ${p}`,
          index: p + 1,
          async commit(): Promise<FrostCommitted> {
            const commitment = decodeCommitment(p, (await party.receive(`commit/${round}`, [p])).get(p)!);
            return { commitment, sign: async () => (await party.receive(`share/${round}`, [p])).get(p)! };
          },
        };
  let result;
  try {
    result = await runFrostSign(keyPackage, sighash, signers.map(relay), BIP86);
  } catch (err) {
    throw new CoordinatorLayerError('E_COSIGN', `spend ${round}: ${(err as Error).message}`, { cause: err });
  }
  if (!schnorr.verify(result.signature, sighash, taprootKey)) throw new CoordinatorLayerError('E_COSIGN', `the aggregate signature does not verify against ${toHex(taprootKey)}`);
  await party.send(`final/${round}`, new Map(peers.map((q) => [q, result.signature])));
  for (const [from, theirs] of await party.receive(`final/${round}`, peers))
    if (!equal(theirs, result.signature)) throw new CoordinatorLayerError('E_COSIGN', `party ${from}: aggregated ${toHex(theirs)}, this party ${toHex(result.signature)}`);

  s.rounds = round;
  await party.home.save(s);
  const out: SignResult = { signature: toHex(result.signature), round };
  if (s.party === 0) {
    tx.updateInput(inputIndex, { tapKeySig: result.signature });
    tx.finalize();
    out.psbt = base64.encode(tx.toPSBT());
    out.txid = tx.id;
  }
  return out;
}

/** The latest spend proposal addressed to this party beyond those it signed (it may have sat some out). */
async function nextRound(party: CosignParty): Promise<number> {
  const deadline = Date.now() + party.stepTimeoutMs;
  let min = 1;
  for (;;) {
    const { messages } = await party.client.messages(party.session, { prefix: 'psbt/' }, min, Math.min(20_000, Math.max(0, deadline - Date.now())));
    const rounds = messages.filter((m) => m.from === 0 && /^psbt\/\d+$/.test(m.step)).map((m) => Number(m.step.slice(5)));
    const next = Math.max(0, ...rounds.filter((k) => k > party.state.rounds));
    if (next > 0) return next;
    if (Date.now() >= deadline) throw new CoordinatorLayerError('E_COSIGN', `step psbt: no spend proposal from party 0 within ${party.stepTimeoutMs} ms`);
    // Proposals this party already signed are there; wait for one more than those.
    min = rounds.length + 1;
  }
}
