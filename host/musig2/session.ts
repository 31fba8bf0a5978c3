// The MuSig2 session orchestrator (BIP-327) over N signers behind one interface: KeyAgg with the
// tweaks, round 1 (collect pubnonces, each checked as a point pair), NonceAgg, round 2 (collect
// partial signatures), PartialSigVerify of every one of them — naming the faulty signer — then
// PartialSigAgg and a BIP-340 check of the result against the tweaked aggregate.

import { schnorr } from '@noble/curves/secp256k1.js';
import { InvalidContributionErr, Session, keyAggExport, keyAggregate, nonceAggregate } from '@scure/btc-signer/musig2.js';
import { equal, toHex } from '../../apdu/bytes.ts';
import type { MusigSession, MusigSessionKey, MusigSigner, SignerRound1 } from './signer.ts';
import { HostError, InvalidPartialSignatureError, MusigSignerError } from '../errors.ts';

export interface MusigResult {
  /** 64-byte BIP-340 signature, valid for `aggregateXOnly` and the message. */
  signature: Uint8Array;
  session: MusigSession;
  aggnonce: Uint8Array;
  /** In KeyAgg order, as are the partial signatures. */
  pubnonces: Uint8Array[];
  partialSignatures: Uint8Array[];
}

/** The session a key context and message define: the tweaked aggregate, compressed and x-only. */
export function musigSession(key: MusigSessionKey, message: Uint8Array): MusigSession {
  if (message.length !== 32) throw new HostError('E_MUSIG_SESSION', `message: expected 32 bytes, got ${message.length}`);
  if (key.tweaks.length !== key.isXonly.length)
    throw new HostError('E_MUSIG_SESSION', `tweaks: expected one mode per tweak, got ${key.tweaks.length} tweaks and ${key.isXonly.length} modes`);
  let ctx;
  try {
    ctx = keyAggregate([...key.participants], [...key.tweaks], [...key.isXonly]);
  } catch (err) {
    throw new HostError('E_MUSIG_SESSION', `key aggregation failed: ${(err as Error).message}`);
  }
  return {
    participants: key.participants,
    tweaks: key.tweaks,
    isXonly: key.isXonly,
    leafHash: key.leafHash,
    message,
    aggregatePubkey: ctx.aggPublicKey.toBytes(true),
    aggregateXOnly: keyAggExport(ctx),
  };
}

/** Assigns one signer to each participant by public key; every signer must be used. */
function assign(participants: readonly Uint8Array[], signers: readonly MusigSigner[]): MusigSigner[] {
  const free = [...signers];
  const out = participants.map((p, i) => {
    const k = free.findIndex((s) => equal(s.publicKey, p));
    if (k < 0) throw new HostError('E_MUSIG_SESSION', `participant ${i} (${toHex(p)}): expected a signer for this key, got none`);
    return free.splice(k, 1)[0]!;
  });
  if (free.length > 0)
    throw new HostError('E_MUSIG_SESSION', `signers ${free.map((s) => `"${s.name}"`).join(', ')}: their keys are not among the participants`);
  return out;
}

async function step<T>(signer: MusigSigner, index: number, round: 1 | 2, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new MusigSignerError(signer.name, index, round, `failed: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Runs one MuSig2 signing session: `key` names participants and tweaks, `message` the 32 bytes to
 * sign, `signers` one per participant (any order). Signers run one after another.
 */
export async function runMusigSession(key: MusigSessionKey, message: Uint8Array, signers: readonly MusigSigner[]): Promise<MusigResult> {
  const session = musigSession(key, message);
  const bySlot = assign(session.participants, signers);

  const rounds: SignerRound1[] = [];
  for (const [i, s] of bySlot.entries()) {
    const r = await step(s, i, 1, () => s.round1(session));
    if (!(r.pubnonce instanceof Uint8Array) || r.pubnonce.length !== 66)
      throw new MusigSignerError(s.name, i, 1, `returned a pubnonce of ${r.pubnonce?.length} bytes, expected 66`);
    rounds.push(r);
  }
  const pubnonces = rounds.map((r) => r.pubnonce);
  let aggnonce: Uint8Array;
  try {
    aggnonce = nonceAggregate(pubnonces);
  } catch (err) {
    if (err instanceof InvalidContributionErr)
      throw new MusigSignerError(bySlot[err.idx]!.name, err.idx, 1, 'returned a pubnonce that is not two curve points');
    throw err;
  }

  const partialSignatures: Uint8Array[] = [];
  for (const [i, s] of bySlot.entries()) {
    const psig = await step(s, i, 2, () => rounds[i]!.round2({ aggnonce, pubnonces }));
    if (!(psig instanceof Uint8Array) || psig.length !== 32)
      throw new MusigSignerError(s.name, i, 2, `returned a partial signature of ${psig?.length} bytes, expected 32`);
    partialSignatures.push(psig);
  }

  const verifier = new Session(aggnonce, [...session.participants], message, [...session.tweaks], [...session.isXonly]);
  const faulty = bySlot
    .map((s, i) => ({ signer: s.name, participantIndex: i }))
    .filter(({ participantIndex: i }) => {
      try {
        return !verifier.partialSigVerify(partialSignatures[i]!, pubnonces, i);
      } catch {
        return true;
      }
    });
  if (faulty.length > 0) throw new InvalidPartialSignatureError(faulty);

  const signature = verifier.partialSigAgg(partialSignatures);
  if (!schnorr.verify(signature, message, session.aggregateXOnly))
    throw new HostError('E_MUSIG_AGGREGATE', `aggregate signature does not verify against ${toHex(session.aggregateXOnly)}`);
  return { signature, session, aggnonce, pubnonces, partialSignatures };
}
