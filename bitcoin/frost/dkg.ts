// One participant's side of the FROST DKG (docs/frost.md §2), shared by the emulated device and
// software participants: @noble/curves' schnorr_FROST rounds 1-3, round-1 packages extended with
// the participant's DKG encryption key, round-2 shares sealed to their receivers (cipher.ts).
// The state holds the secret polynomial; callers keep it in RAM only and wipe it (dkgWipe).

import { schnorr_FROST } from '@noble/curves/secp256k1.js';
import type { DKG_Round1 as NobleRound1, DKG_Round2 as NobleRound2, DKG_Secret } from '@noble/curves/abstract/frost.js';
import type { TArg } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equal } from '../../apdu/bytes.ts';
import {
  encodeDkgTranscript,
  encodeRound1Package,
  frostIdentifier,
  type DkgTranscript,
  type EncryptedShare,
  type FrostKeyPackage,
  type FrostRound1Package,
} from '../../apdu/tap-app/frost-data.ts';
import { openShare, sealShare } from './cipher.ts';
import { FrostDkgError } from './errors.ts';
import { fromFrostPublic, type FrostSecret } from './key-package.ts';

type DKG_Round1 = TArg<NobleRound1>;
type DKG_Round2 = TArg<NobleRound2>;
/** A source of randomness (the device's, or crypto.getRandomValues). */
export type Rng = TArg<(bytesLength?: number) => Uint8Array>;

export interface DkgState {
  readonly index: number;
  readonly threshold: number;
  readonly participants: number;
  readonly own: FrostRound1Package;
  readonly secret: DKG_Secret;
  step: 1 | 2 | 'done';
  /** SHA-256 of the transcript round 2 ran on; round 3 must present the same. */
  transcriptHash?: Uint8Array;
}

export interface DkgResult {
  keyPackage: FrostKeyPackage;
  secret: FrostSecret;
  transcriptHash: Uint8Array;
}

/** Round 1: a fresh random polynomial (never derived from the seed), its commitment and proof. */
export function dkgRound1(index: number, threshold: number, participants: number, encryptionKey: Uint8Array, rng: Rng): { state: DkgState; round1: FrostRound1Package } {
  const r = schnorr_FROST.DKG.round1(frostIdentifier(index), { min: threshold, max: participants }, undefined, rng);
  const own: FrostRound1Package = { index, encryptionKey, commitment: r.public.commitment, proofOfKnowledge: r.public.proofOfKnowledge };
  return { state: { index, threshold, participants, own, secret: r.secret, step: 1 }, round1: own };
}

/** Best-effort erasure of the polynomial (noble's DKG.clean), and the state can no longer advance. */
export function dkgWipe(state: DkgState): void {
  schnorr_FROST.DKG.clean(state.secret);
  state.step = 'done';
}

function others(state: DkgState, t: DkgTranscript): DKG_Round1[] {
  if (t.threshold !== state.threshold || t.packages.length !== state.participants)
    throw new FrostDkgError('transcript', `expected a ${state.threshold}-of-${state.participants} transcript, got ${t.threshold}-of-${t.packages.length}`);
  const mine = t.packages[state.index - 1]!;
  if (!equal(encodeRound1Package(mine), encodeRound1Package(state.own)))
    throw new FrostDkgError('transcript', `the transcript does not carry this participant's round-1 package as participant ${state.index}`);
  return t.packages
    .filter((p) => p.index !== state.index)
    .map((p) => ({ identifier: frostIdentifier(p.index), commitment: p.commitment, proofOfKnowledge: p.proofOfKnowledge }));
}

/**
 * Whether a round-1 package's proof of knowledge and commitment verify, checked alone: a throwaway
 * t-party round 2 of noble's own whose other packages are fresh and valid (identifiers from 1000
 * on, never a participant's), so a refusal can only be this package's.
 */
export function round1PackageVerifies(p: FrostRound1Package, threshold: number, rng: Rng): boolean {
  const signers = { min: threshold, max: threshold };
  const probes = Array.from({ length: threshold - 2 }, (_, k) => schnorr_FROST.DKG.round1(frostIdentifier(1000 + k), signers, undefined, rng));
  const own = schnorr_FROST.DKG.round1(frostIdentifier(1000 + threshold), signers, undefined, rng);
  const packages = [{ identifier: frostIdentifier(p.index), commitment: p.commitment, proofOfKnowledge: p.proofOfKnowledge }, ...probes.map((x) => x.public)];
  try {
    schnorr_FROST.DKG.round2(own.secret, packages);
    return true;
  } catch {
    return false;
  } finally {
    for (const x of [own, ...probes]) schnorr_FROST.DKG.clean(x.secret);
  }
}

/** vss_verify of a received share against its sender's commitment (RFC 9591 App. C.2), by noble. */
function shareMatches(sender: FrostRound1Package, receiver: number, share: Uint8Array): boolean {
  try {
    schnorr_FROST.validateSecret(
      { identifier: frostIdentifier(receiver), signingShare: share },
      { signers: { min: sender.commitment.length, max: Math.max(receiver, sender.commitment.length) }, commitments: sender.commitment, verifyingShares: {} },
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * Round 2: checks everyone's proof of knowledge, evaluates the polynomial at every other
 * participant and seals each value to that participant's encryption key. Runs once per state: a
 * second call (even with other encryption keys) is refused, so no host collects more evaluations.
 */
export function dkgRound2(state: DkgState, transcript: DkgTranscript, encryptionSecret: Uint8Array, rng: Rng): EncryptedShare[] {
  if (state.step !== 1) throw new FrostDkgError('state', 'round 2 already ran for this DKG (or it ended)');
  const list = others(state, transcript);
  const transcriptHash = sha256(encodeDkgTranscript(transcript));
  let shares: Record<string, { signingShare: Uint8Array }>;
  try {
    shares = schnorr_FROST.DKG.round2(state.secret, list);
  } catch (e) {
    throw new FrostDkgError('proof', `a round-1 package does not verify: ${(e as Error).message}`, transcript.packages.find((p) => !round1PackageVerifies(p, transcript.threshold, rng))?.index);
  }
  state.step = 2;
  state.transcriptHash = transcriptHash;
  const out: EncryptedShare[] = [];
  for (const p of transcript.packages) {
    if (p.index === state.index) continue;
    const share = shares[frostIdentifier(p.index)]!.signingShare;
    out.push({ from: state.index, to: p.index, ciphertext: sealShare(encryptionSecret, p.encryptionKey, transcriptHash, state.index, p.index, share) });
    share.fill(0);
  }
  return out;
}

/** Round 3: opens the shares sent to this participant, checks each against its sender's commitment, and derives the key set. */
export function dkgRound3(state: DkgState, transcript: DkgTranscript, shares: readonly EncryptedShare[], encryptionSecret: Uint8Array): DkgResult {
  if (state.step !== 2 || !state.transcriptHash) throw new FrostDkgError('state', 'round 3 needs round 2 of this DKG first');
  const list = others(state, transcript);
  const transcriptHash = sha256(encodeDkgTranscript(transcript));
  if (!equal(transcriptHash, state.transcriptHash)) throw new FrostDkgError('transcript', 'the transcript differs from the one round 2 ran on');
  const received: DKG_Round2[] = [];
  for (const p of transcript.packages) {
    if (p.index === state.index) continue;
    const from = shares.filter((s) => s.from === p.index && s.to === state.index);
    if (from.length !== 1) throw new FrostDkgError('share', `expected one share for participant ${state.index}, got ${from.length}`, p.index);
    const share = openShare(encryptionSecret, p.encryptionKey, transcriptHash, p.index, state.index, from[0]!.ciphertext);
    if (!share) throw new FrostDkgError('share', 'the encrypted share does not authenticate', p.index);
    if (!shareMatches(p, state.index, share)) {
      share.fill(0);
      throw new FrostDkgError('share', "the share does not match the sender's round-1 commitment", p.index);
    }
    received.push({ identifier: frostIdentifier(p.index), signingShare: share });
  }
  if (shares.length !== received.length) throw new FrostDkgError('share', `expected ${received.length} shares, got ${shares.length}`);
  let key;
  try {
    key = schnorr_FROST.DKG.round3(state.secret, list, received);
  } catch (e) {
    throw new FrostDkgError('share', `round 3 refused: ${(e as Error).message}`);
  } finally {
    for (const r of received) r.signingShare.fill(0);
  }
  state.step = 'done';
  return { keyPackage: fromFrostPublic(key.public), secret: key.secret, transcriptHash };
}
