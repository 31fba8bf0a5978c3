// The data structures of the FROST commands (docs/frost.md §3), each with one codec shared by host,
// emulator and tests. Participants are numbered 1..n; participant i has the RFC 9591 identifier
// `i` (schnorr_FROST.Identifier.fromNumber). Keys are 33-byte compressed points.
//   round-1 package:   index:u8 || enc_key[33] || t × commitment[33] || proof_of_knowledge[64]
//   DKG transcript:    t:u8 || n:u8 || n × round-1 package (index 1..n in order)
//   encrypted shares:  count:u8 || count × (from:u8 || to:u8 || ciphertext[48])
//   key package:       t:u8 || n:u8 || t × commitment[33] || n × verifying_share[33] (index 1..n)
//   nonce commitments: count:u8 || count × (index:u8 || hiding[33] || binding[33]), indices increasing

import { schnorr_FROST } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, concat, encodeVarint } from '../bytes.ts';
import { RequestError, compressedKeyArg, field, readCompressedKey } from './spec.ts';

export const MIN_FROST_PARTICIPANTS = 2;
export const MAX_FROST_PARTICIPANTS = 16;
export const PROOF_OF_KNOWLEDGE_LENGTH = 64;
/** ChaCha20-Poly1305 of a 32-byte share: ciphertext and 16-byte tag. */
export const ENCRYPTED_SHARE_LENGTH = 48;

/** The RFC 9591 identifier (hex scalar, as @noble/curves names it) of participant `index`. */
export function frostIdentifier(index: number): string {
  return schnorr_FROST.Identifier.fromNumber(index);
}

function checkCounts(t: number, n: number, what: string): void {
  if (!Number.isInteger(n) || n < MIN_FROST_PARTICIPANTS || n > MAX_FROST_PARTICIPANTS)
    throw new RangeError(`${what}: expected ${MIN_FROST_PARTICIPANTS}..${MAX_FROST_PARTICIPANTS} participants, got ${n}`);
  if (!Number.isInteger(t) || t < 2 || t > n) throw new RangeError(`${what}: expected a threshold of 2..${n}, got ${t}`);
}

/** Reads `t:u8 || n:u8` and checks 2 <= t <= n <= 16 (6A80 otherwise). */
export function readThreshold(r: ByteReader): { threshold: number; participants: number } {
  const threshold = r.u8('t');
  const participants = r.u8('n');
  if (participants < MIN_FROST_PARTICIPANTS || participants > MAX_FROST_PARTICIPANTS)
    throw new RequestError(`${r.what}.n: expected ${MIN_FROST_PARTICIPANTS}..${MAX_FROST_PARTICIPANTS}, got ${participants}`);
  if (threshold < 2 || threshold > participants) throw new RequestError(`${r.what}.t: expected 2..${participants}, got ${threshold}`);
  return { threshold, participants };
}

export function encodeThreshold(threshold: number, participants: number, what: string): Uint8Array {
  checkCounts(threshold, participants, what);
  return Uint8Array.of(threshold, participants);
}

function readIndex(r: ByteReader, what: string, n: number): number {
  const i = r.u8(what);
  if (i < 1 || i > n) throw new RequestError(`${r.what}.${what}: expected a participant 1..${n}, got ${i}`);
  return i;
}

// --- DKG round 1 ---

export interface FrostRound1Package {
  index: number;
  /** The participant's DKG encryption key (docs/frost.md §2.2), derived from its seed. */
  encryptionKey: Uint8Array;
  /** VSS commitment: t points, the first commits to the participant's secret contribution. */
  commitment: Uint8Array[];
  proofOfKnowledge: Uint8Array;
}

export function encodeRound1Package(p: FrostRound1Package, what = 'round1'): Uint8Array {
  return concat(
    Uint8Array.of(p.index),
    compressedKeyArg(p.encryptionKey, `${what}.encryptionKey`),
    ...p.commitment.map((c, i) => compressedKeyArg(c, `${what}.commitment[${i}]`)),
    field(p.proofOfKnowledge, PROOF_OF_KNOWLEDGE_LENGTH, `${what}.proofOfKnowledge`),
  );
}

export function readRound1Package(r: ByteReader, threshold: number, participants: number, what = 'round1'): FrostRound1Package {
  const index = readIndex(r, `${what}.index`, participants);
  const encryptionKey = readCompressedKey(r, `${what}.encryptionKey`);
  const commitment: Uint8Array[] = [];
  for (let j = 0; j < threshold; j++) commitment.push(readCompressedKey(r, `${what}.commitment[${j}]`));
  const proofOfKnowledge = r.bytesN(PROOF_OF_KNOWLEDGE_LENGTH, `${what}.proofOfKnowledge`).slice();
  return { index, encryptionKey, commitment, proofOfKnowledge };
}

export function decodeRound1Package(data: Uint8Array, threshold: number, participants: number): FrostRound1Package {
  const r = new ByteReader(data, 'round1 package');
  const p = readRound1Package(r, threshold, participants);
  r.end();
  return p;
}

/** Everyone's round-1 package: what DKG rounds 2 and 3 run on, and what the key set's review names. */
export interface DkgTranscript {
  threshold: number;
  packages: FrostRound1Package[];
}

export function encodeDkgTranscript(t: DkgTranscript): Uint8Array {
  const n = t.packages.length;
  const head = encodeThreshold(t.threshold, n, 'transcript');
  t.packages.forEach((p, i) => {
    if (p.index !== i + 1) throw new RangeError(`transcript.packages[${i}]: expected participant ${i + 1}, got ${p.index}`);
    if (p.commitment.length !== t.threshold)
      throw new RangeError(`transcript.packages[${i}]: expected ${t.threshold} commitment points, got ${p.commitment.length}`);
  });
  return concat(head, ...t.packages.map((p, i) => encodeRound1Package(p, `transcript.packages[${i}]`)));
}

export function decodeDkgTranscript(data: Uint8Array): DkgTranscript {
  const r = new ByteReader(data, 'transcript');
  const { threshold, participants } = readThreshold(r);
  const packages: FrostRound1Package[] = [];
  for (let i = 1; i <= participants; i++) {
    const p = readRound1Package(r, threshold, participants, `packages[${i - 1}]`);
    if (p.index !== i) throw new RequestError(`transcript.packages[${i - 1}]: expected participant ${i}, got ${p.index}`);
    packages.push(p);
  }
  r.end();
  return { threshold, packages };
}

export const maxTranscriptLength = (n = MAX_FROST_PARTICIPANTS): number => 2 + n * (1 + 33 + n * 33 + PROOF_OF_KNOWLEDGE_LENGTH);

// --- DKG round 2 ---

export interface EncryptedShare {
  from: number;
  to: number;
  ciphertext: Uint8Array;
}

export function encodeEncryptedShares(shares: readonly EncryptedShare[]): Uint8Array {
  if (shares.length > MAX_FROST_PARTICIPANTS - 1)
    throw new RangeError(`shares: expected at most ${MAX_FROST_PARTICIPANTS - 1}, got ${shares.length}`);
  return concat(
    Uint8Array.of(shares.length),
    ...shares.map((s, i) => concat(Uint8Array.of(s.from, s.to), field(s.ciphertext, ENCRYPTED_SHARE_LENGTH, `shares[${i}].ciphertext`))),
  );
}

export function decodeEncryptedShares(data: Uint8Array, participants: number): EncryptedShare[] {
  const r = new ByteReader(data, 'shares');
  const count = r.u8('count');
  if (count > participants - 1) throw new RequestError(`shares.count: expected at most ${participants - 1}, got ${count}`);
  const out: EncryptedShare[] = [];
  for (let i = 0; i < count; i++) {
    const from = readIndex(r, `[${i}].from`, participants);
    const to = readIndex(r, `[${i}].to`, participants);
    out.push({ from, to, ciphertext: r.bytesN(ENCRYPTED_SHARE_LENGTH, `[${i}].ciphertext`).slice() });
  }
  r.end();
  return out;
}

export const MAX_SHARES_LENGTH = 1 + (MAX_FROST_PARTICIPANTS - 1) * (2 + ENCRYPTED_SHARE_LENGTH);

// --- The key set ---

/** The public key package of a key set (RFC 9591 PublicKeyPackage), as every participant holds it. */
export interface FrostKeyPackage {
  threshold: number;
  /** t points; commitments[0] is the group key. */
  commitments: Uint8Array[];
  /** verifyingShares[i - 1] is participant i's. */
  verifyingShares: Uint8Array[];
}

export function encodeKeyPackage(p: FrostKeyPackage): Uint8Array {
  const head = encodeThreshold(p.threshold, p.verifyingShares.length, 'keyPackage');
  if (p.commitments.length !== p.threshold)
    throw new RangeError(`keyPackage.commitments: expected ${p.threshold} points, got ${p.commitments.length}`);
  return concat(
    head,
    ...p.commitments.map((c, i) => compressedKeyArg(c, `keyPackage.commitments[${i}]`)),
    ...p.verifyingShares.map((v, i) => compressedKeyArg(v, `keyPackage.verifyingShares[${i}]`)),
  );
}

export function decodeKeyPackage(data: Uint8Array): FrostKeyPackage {
  const r = new ByteReader(data, 'keyPackage');
  const { threshold, participants } = readThreshold(r);
  const commitments: Uint8Array[] = [];
  for (let j = 0; j < threshold; j++) commitments.push(readCompressedKey(r, `commitments[${j}]`));
  const verifyingShares: Uint8Array[] = [];
  for (let i = 0; i < participants; i++) verifyingShares.push(readCompressedKey(r, `verifyingShares[${i}]`));
  r.end();
  return { threshold, commitments, verifyingShares };
}

export const MAX_KEY_PACKAGE_LENGTH = 2 + 2 * MAX_FROST_PARTICIPANTS * 33;

/** The key-set ID: SHA-256 of the encoded package; wrapped shares are bound to it. */
export const keyPackageHash = (p: FrostKeyPackage): Uint8Array => sha256(encodeKeyPackage(p));

/** The x-only group key: what a signature with no Taproot tweak verifies against. */
export const groupKeyXOnly = (p: FrostKeyPackage): Uint8Array => p.commitments[0]!.slice(1);

// --- Signing ---

export interface FrostNonceCommitment {
  index: number;
  hiding: Uint8Array;
  binding: Uint8Array;
}

export const NONCE_COMMITMENT_LENGTH = 1 + 33 + 33;

export function encodeNonceCommitment(c: FrostNonceCommitment, what = 'commitment'): Uint8Array {
  return concat(Uint8Array.of(c.index), compressedKeyArg(c.hiding, `${what}.hiding`), compressedKeyArg(c.binding, `${what}.binding`));
}

export function encodeNonceCommitments(list: readonly FrostNonceCommitment[]): Uint8Array {
  list.forEach((c, i) => {
    if (i > 0 && c.index <= list[i - 1]!.index) throw new RangeError(`commitments[${i}]: expected indices increasing, got ${c.index} after ${list[i - 1]!.index}`);
  });
  return concat(Uint8Array.of(list.length), ...list.map((c, i) => encodeNonceCommitment(c, `commitments[${i}]`)));
}

/** Commitments of a signing session: at least t, at most n, from distinct participants in increasing order. */
export function decodeNonceCommitments(data: Uint8Array, threshold: number, participants: number): FrostNonceCommitment[] {
  const r = new ByteReader(data, 'commitments');
  const count = r.u8('count');
  if (count < threshold || count > participants)
    throw new RequestError(`commitments.count: expected ${threshold}..${participants} signers, got ${count}`);
  const out: FrostNonceCommitment[] = [];
  for (let i = 0; i < count; i++) {
    const index = readIndex(r, `[${i}].index`, participants);
    if (i > 0 && index <= out[i - 1]!.index) throw new RequestError(`commitments[${i}]: expected indices increasing, got ${index} after ${out[i - 1]!.index}`);
    out.push({ index, hiding: readCompressedKey(r, `[${i}].hiding`), binding: readCompressedKey(r, `[${i}].binding`) });
  }
  r.end();
  return out;
}

export const MAX_NONCE_COMMITMENTS_LENGTH = 1 + MAX_FROST_PARTICIPANTS * NONCE_COMMITMENT_LENGTH;

// --- Large values by commitment ---

/**
 * What a command carries instead of a value too large for an APDU: `varint len || sha256`. The
 * device fetches the value with GET_PREIMAGE and checks it against this (as the MuSig2 keyagg).
 */
export interface PreimageCommitment {
  length: number;
  hash: Uint8Array;
}

export function commitPreimage(preimage: Uint8Array): PreimageCommitment {
  return { length: preimage.length, hash: sha256(preimage) };
}

export function encodePreimageCommitment(c: PreimageCommitment, max: number, what: string): Uint8Array {
  if (!Number.isInteger(c.length) || c.length < 1 || c.length > max) throw new RangeError(`${what}.length: expected 1..${max}, got ${c.length}`);
  return concat(encodeVarint(c.length), field(c.hash, 32, `${what}.hash`));
}

export function readPreimageCommitment(r: ByteReader, max: number, what: string): PreimageCommitment {
  const length = r.varint(`${what}_len`);
  const hash = r.bytesN(32, `${what}_hash`).slice();
  if (length < 1n || length > BigInt(max)) throw new RequestError(`${r.what}.${what}_len: expected 1..${max}, got ${length}`);
  return { length: Number(length), hash };
}
