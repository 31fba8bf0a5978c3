// The FROST orchestrator (docs/frost.md §5) over any mix of devices and software participants.
// DKG: collects round-1 packages (each checked: index, shape, proof of knowledge), builds the
// transcript, routes each sealed share to its receiver, and accepts the key set only when every
// participant derived the same key package. Signing: collects t or more commitments, every
// signature share is checked with RFC 9591 verify_signature_share — naming a faulty participant —
// then aggregates and checks the result with BIP-340 verify against the (tweaked) key.

import { schnorr, schnorr_FROST } from '@noble/curves/secp256k1.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { toHex } from '../../apdu/bytes.ts';
import {
  MAX_FROST_PARTICIPANTS,
  encodeKeyPackage,
  frostIdentifier,
  type DkgTranscript,
  type EncryptedShare,
  type FrostKeyPackage,
  type FrostNonceCommitment,
  type FrostRound1Package,
} from '../../apdu/tap-app/frost-data.ts';
import type { FrostTweak } from '../../apdu/tap-app/frost.ts';
import { round1PackageVerifies } from '../../bitcoin/frost/dkg.ts';
import { signatureShareVerifies, signingKeyXOnly, toNonceCommitments, tweakedPublic } from '../../bitcoin/frost/key-package.ts';
import { FrostAggregateError, FrostParticipantError, FrostSessionError, InvalidSignatureShareError } from './errors.ts';
import type { FrostCommitted, FrostDkgParticipant, FrostSigner, FrostSigningSession } from './participant.ts';

export interface FrostDkgResult {
  keyPackage: FrostKeyPackage;
  /** signers[i] signs as participant i + 1. */
  signers: FrostSigner[];
  transcript: DkgTranscript;
}

async function step<T>(p: { name: string }, index: number, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new FrostParticipantError(p.name, index, what, `failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Runs the DKG for a `threshold`-of-`participants.length` key set; participant i + 1 is participants[i]. */
export async function runFrostDkg(threshold: number, participants: readonly FrostDkgParticipant[]): Promise<FrostDkgResult> {
  const n = participants.length;
  if (n < 2 || n > MAX_FROST_PARTICIPANTS) throw new FrostSessionError(`participants: expected 2..${MAX_FROST_PARTICIPANTS}, got ${n}`);
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > n) throw new FrostSessionError(`threshold: expected 2..${n}, got ${threshold}`);

  const packages: FrostRound1Package[] = [];
  for (const [i, p] of participants.entries()) {
    const pkg = await step(p, i + 1, 'DKG round 1', () => p.round1(threshold, n, i + 1));
    if (pkg.index !== i + 1 || pkg.commitment.length !== threshold)
      throw new FrostParticipantError(p.name, i + 1, 'DKG round 1', `returned participant ${pkg.index} with ${pkg.commitment.length} commitment points, expected participant ${i + 1} with ${threshold}`);
    if (!round1PackageVerifies(pkg, threshold, randomBytes))
      throw new FrostParticipantError(p.name, i + 1, 'DKG round 1', 'returned a proof of knowledge that does not verify');
    packages.push(pkg);
  }
  const transcript: DkgTranscript = { threshold, packages };

  const inbox: EncryptedShare[][] = participants.map(() => []);
  for (const [i, p] of participants.entries()) {
    const shares = await step(p, i + 1, 'DKG round 2', () => p.round2(transcript));
    const to = shares.map((s) => s.to).sort((a, b) => a - b);
    const expected = packages.map((q) => q.index).filter((k) => k !== i + 1);
    if (shares.some((s) => s.from !== i + 1) || to.join() !== expected.join())
      throw new FrostParticipantError(p.name, i + 1, 'DKG round 2', `returned shares for [${to}], expected one for each of [${expected}] from participant ${i + 1}`);
    for (const s of shares) inbox[s.to - 1]!.push(s);
  }

  const results = [];
  for (const [i, p] of participants.entries()) {
    results.push(await step(p, i + 1, 'DKG round 3', () => p.round3(transcript, inbox[i]!)));
  }
  // Every honest participant derives the same package; one that differs from the majority is named.
  const encoded = results.map((r) => toHex(encodeKeyPackage(r.keyPackage)));
  const majority = encoded.find((e) => encoded.filter((x) => x === e).length * 2 > n);
  const odd = encoded.findIndex((e) => e !== (majority ?? encoded[0]));
  if (odd >= 0)
    throw new FrostParticipantError(participants[odd]!.name, odd + 1, 'DKG round 3', 'derived a key package that differs from the other participants\'');
  results.forEach((r, i) => {
    if (r.signer.index !== i + 1) throw new FrostParticipantError(participants[i]!.name, i + 1, 'DKG round 3', `returned a signer for participant ${r.signer.index}`);
  });
  return { keyPackage: results[0]!.keyPackage, signers: results.map((r) => r.signer), transcript };
}

export interface FrostSignResult {
  /** 64-byte BIP-340 signature, valid for `signingKey` and the message. */
  signature: Uint8Array;
  /** x-only key the signature verifies against: the group key, or its Taproot output key under the tweak. */
  signingKey: Uint8Array;
  commitments: FrostNonceCommitment[];
  shares: Uint8Array[];
}

/**
 * One signing session of `keyPackage` over `message` (32 bytes) by `signers` — at least t of them,
 * distinct participants; signers run one after another.
 */
export async function runFrostSign(
  keyPackage: FrostKeyPackage,
  message: Uint8Array,
  signers: readonly FrostSigner[],
  tweak: FrostTweak = { kind: 'none' },
  source: Pick<FrostSigningSession, 'vpsbt' | 'groupGenesis'> = {},
): Promise<FrostSignResult> {
  if (message.length !== 32) throw new FrostSessionError(`message: expected 32 bytes, got ${message.length}`);
  const n = keyPackage.verifyingShares.length;
  const ordered = [...signers].sort((a, b) => a.index - b.index);
  if (ordered.length < keyPackage.threshold)
    throw new FrostSessionError(`signers: expected at least ${keyPackage.threshold} of ${n}, got ${ordered.length}`);
  ordered.forEach((s, k) => {
    if (!Number.isInteger(s.index) || s.index < 1 || s.index > n) throw new FrostSessionError(`signer "${s.name}": expected a participant 1..${n}, got ${s.index}`);
    if (k > 0 && s.index === ordered[k - 1]!.index) throw new FrostSessionError(`signers "${ordered[k - 1]!.name}" and "${s.name}" are both participant ${s.index}`);
  });
  const session: FrostSigningSession = { keyPackage, message, tweak, ...source };

  const rounds: FrostCommitted[] = [];
  for (const s of ordered) {
    const r = await step(s, s.index, 'commit', () => s.commit(session));
    if (r.commitment.index !== s.index)
      throw new FrostParticipantError(s.name, s.index, 'commit', `returned a commitment of participant ${r.commitment.index}`);
    rounds.push(r);
  }
  const commitments = rounds.map((r) => r.commitment);

  const shares: Uint8Array[] = [];
  for (const [k, s] of ordered.entries()) {
    const share = await step(s, s.index, 'sign', () => rounds[k]!.sign(commitments));
    if (!(share instanceof Uint8Array) || share.length !== 32)
      throw new FrostParticipantError(s.name, s.index, 'sign', `returned a signature share of ${share?.length} bytes, expected 32`);
    shares.push(share);
  }

  const faulty = ordered
    .map((s) => ({ participant: s.name, index: s.index }))
    .filter((s, k) => !signatureShareVerifies(keyPackage, tweak, commitments, message, s.index, shares[k]!));
  if (faulty.length > 0) throw new InvalidSignatureShareError(faulty);
  const pub = tweakedPublic(keyPackage, tweak);
  const list = toNonceCommitments(commitments);

  const byId: Record<string, Uint8Array> = {};
  ordered.forEach((s, k) => (byId[frostIdentifier(s.index)] = shares[k]!));
  const signature = schnorr_FROST.aggregate(pub, list, message, byId);
  const signingKey = signingKeyXOnly(keyPackage, tweak);
  if (!schnorr.verify(signature, message, signingKey)) throw new FrostAggregateError(`aggregate signature does not verify against ${toHex(signingKey)}`);
  return { signature, signingKey, commitments, shares };
}

