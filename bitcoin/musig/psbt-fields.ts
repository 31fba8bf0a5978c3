// BIP-373 MuSig2 PSBT fields on @scure/btc-signer's Transaction, which already codes them
// (musig2ParticipantPubkeys 0x1a / output 0x08, musig2PubNonce 0x1b, musig2PartialSig 0x1c).
// These helpers name the parts, check lengths and points before anything is written, and replace an
// existing entry for the same keydata instead of duplicating it.

import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Transaction } from '@scure/btc-signer';
import { concat, equal } from '../../apdu/bytes.ts';
import { BitcoinError } from '../errors.ts';

/** The keydata of PUB_NONCE and PARTIAL_SIG: participant33 || aggregate33 [|| leafHash32]. */
export interface MusigKeyRef {
  readonly participant: Uint8Array;
  readonly aggregate: Uint8Array;
  readonly leafHash?: Uint8Array | undefined;
}

export interface MusigPubNonce extends MusigKeyRef {
  readonly pubnonce: Uint8Array;
}

export interface MusigPartialSig extends MusigKeyRef {
  readonly partialSig: Uint8Array;
}

export interface MusigParticipants {
  readonly aggregate: Uint8Array;
  readonly participants: readonly Uint8Array[];
}

function point(b: Uint8Array, what: string): Uint8Array {
  if (b.length !== 33) throw new BitcoinError('E_MUSIG', `BIP-373 ${what}: expected a 33-byte compressed key, got ${b.length} bytes`);
  try {
    secp256k1.Point.fromBytes(b);
  } catch {
    throw new BitcoinError('E_MUSIG', `BIP-373 ${what}: not a point on secp256k1`);
  }
  return b;
}

function checkRef(ref: MusigKeyRef): void {
  point(ref.participant, 'participant key');
  point(ref.aggregate, 'aggregate key');
  if (ref.leafHash !== undefined && ref.leafHash.length !== 32)
    throw new BitcoinError('E_MUSIG', `BIP-373 leaf hash: expected 32 bytes, got ${ref.leafHash.length}`);
}

export function encodeMusigKeydata(ref: MusigKeyRef): Uint8Array {
  checkRef(ref);
  return concat(ref.participant, ref.aggregate, ref.leafHash ?? new Uint8Array());
}

export function decodeMusigKeydata(keydata: Uint8Array): MusigKeyRef {
  if (keydata.length !== 66 && keydata.length !== 98)
    throw new BitcoinError('E_MUSIG', `BIP-373 keydata: expected 66 or 98 bytes, got ${keydata.length}`);
  const ref = {
    participant: keydata.slice(0, 33),
    aggregate: keydata.slice(33, 66),
    leafHash: keydata.length === 98 ? keydata.slice(66) : undefined,
  };
  checkRef(ref);
  return ref;
}

const sameRef = (a: MusigKeyRef, b: MusigKeyRef) =>
  equal(a.participant, b.participant) &&
  equal(a.aggregate, b.aggregate) &&
  (a.leafHash === undefined ? b.leafHash === undefined : b.leafHash !== undefined && equal(a.leafHash, b.leafHash));

function toRef(k: { participantPubkey: Uint8Array; aggregatePubkey: Uint8Array; leafHash?: Uint8Array | undefined }): MusigKeyRef {
  return { participant: k.participantPubkey, aggregate: k.aggregatePubkey, leafHash: k.leafHash };
}

function fromRef(r: MusigKeyRef) {
  return r.leafHash
    ? { participantPubkey: r.participant, aggregatePubkey: r.aggregate, leafHash: r.leafHash }
    : { participantPubkey: r.participant, aggregatePubkey: r.aggregate };
}

export function getMusigPubNonces(tx: Transaction, inputIndex: number): MusigPubNonce[] {
  return (tx.getInput(inputIndex).musig2PubNonce ?? []).map(([k, pubnonce]) => ({ ...toRef(k), pubnonce }));
}

export function getMusigPartialSigs(tx: Transaction, inputIndex: number): MusigPartialSig[] {
  return (tx.getInput(inputIndex).musig2PartialSig ?? []).map(([k, partialSig]) => ({ ...toRef(k), partialSig }));
}

export function getMusigParticipants(tx: Transaction, inputIndex: number): MusigParticipants[] {
  return (tx.getInput(inputIndex).musig2ParticipantPubkeys ?? []).map(([aggregate, participants]) => ({ aggregate, participants }));
}

export function getOutputMusigParticipants(tx: Transaction, outputIndex: number): MusigParticipants[] {
  return (tx.getOutput(outputIndex).musig2ParticipantPubkeys ?? []).map(([aggregate, participants]) => ({ aggregate, participants }));
}

/** Writes PSBT_IN_MUSIG2_PUB_NONCE (0x1b), replacing an entry with the same keydata. */
export function setMusigPubNonce(tx: Transaction, inputIndex: number, entry: MusigPubNonce): void {
  checkRef(entry);
  if (entry.pubnonce.length !== 66) throw new BitcoinError('E_MUSIG', `BIP-373 pubnonce: expected 66 bytes, got ${entry.pubnonce.length}`);
  const kept = getMusigPubNonces(tx, inputIndex).filter((e) => !sameRef(e, entry));
  const all = [...kept, entry].map((e) => [fromRef(e), e.pubnonce] as [ReturnType<typeof fromRef>, Uint8Array]);
  // btc-signer merges key maps and refuses a changed value for an existing key: clear, then write
  tx.updateInput(inputIndex, { musig2PubNonce: undefined }, true);
  tx.updateInput(inputIndex, { musig2PubNonce: all }, true);
}

/** Writes PSBT_IN_MUSIG2_PARTIAL_SIG (0x1c), replacing an entry with the same keydata. */
export function setMusigPartialSig(tx: Transaction, inputIndex: number, entry: MusigPartialSig): void {
  checkRef(entry);
  if (entry.partialSig.length !== 32) throw new BitcoinError('E_MUSIG', `BIP-373 partial signature: expected 32 bytes, got ${entry.partialSig.length}`);
  const kept = getMusigPartialSigs(tx, inputIndex).filter((e) => !sameRef(e, entry));
  const all = [...kept, entry].map((e) => [fromRef(e), e.partialSig] as [ReturnType<typeof fromRef>, Uint8Array]);
  tx.updateInput(inputIndex, { musig2PartialSig: undefined }, true);
  tx.updateInput(inputIndex, { musig2PartialSig: all }, true);
}

function checkParticipants(p: MusigParticipants): void {
  point(p.aggregate, 'aggregate key');
  if (p.participants.length < 1) throw new BitcoinError('E_MUSIG', 'BIP-373 participants: expected at least one key');
  p.participants.forEach((k, i) => point(k, `participant ${i}`));
}

/** Writes PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS (0x1a): aggregate -> participants in KeyAgg order. */
export function setMusigParticipants(tx: Transaction, inputIndex: number, p: MusigParticipants): void {
  checkParticipants(p);
  const kept = getMusigParticipants(tx, inputIndex).filter((e) => !equal(e.aggregate, p.aggregate));
  tx.updateInput(inputIndex, { musig2ParticipantPubkeys: undefined }, true);
  tx.updateInput(inputIndex, { musig2ParticipantPubkeys: [...kept, p].map((e) => [e.aggregate, [...e.participants]]) }, true);
}

/** Writes PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS (0x08). */
export function setOutputMusigParticipants(tx: Transaction, outputIndex: number, p: MusigParticipants): void {
  checkParticipants(p);
  const kept = getOutputMusigParticipants(tx, outputIndex).filter((e) => !equal(e.aggregate, p.aggregate));
  tx.updateOutput(outputIndex, { musig2ParticipantPubkeys: undefined }, true);
  tx.updateOutput(outputIndex, { musig2ParticipantPubkeys: [...kept, p].map((e) => [e.aggregate, [...e.participants]]) }, true);
}
