// What SIGN_PSBT yields (YIELD client command payloads, docs/bitcoin-app-protocol.md §6; doc/bitcoin.md;
// src/handler/sign_psbt.c and sign_psbt/musig_signing.c; Python client _decode_signpsbt_yielded_value).
// The payload starts with a varint that is an input index (<= 65535) or a tag:
//   input index: `pubkey_augm_len:u8 || pubkey_augm || signature`
//     pubkey_augm: 33-byte compressed key (legacy, segwit v0), 32-byte x-only key (taproot key
//     path) or x-only key || tapleaf hash (64 bytes, taproot script path); the signature as pushed
//     on the stack (sighash byte appended unless SIGHASH_DEFAULT).
//   0xFFFFFFFF: `varint input_index || pubnonce[66] || participant_pk[33] || aggregate_pk[33] || [tapleaf_hash[32]]`
//   0xFFFFFFFE: the same with `partial_signature[32]` in place of the pubnonce.

import { ByteReader, concat, encodeVarint } from './bytes.ts';
import { CodecError } from './errors.ts';
import { bytesField } from './command-spec.ts';

export const YIELD_MUSIG_PUBNONCE_TAG = 0xffffffff;
export const YIELD_MUSIG_PARTIAL_SIGNATURE_TAG = 0xfffffffe;
/** Larger plain input indexes than this cannot occur: the app signs at most 512 inputs. */
const MAX_INPUT_INDEX = 0xffff;

export interface PartialSignatureYield {
  type: 'partialSignature';
  inputIndex: number;
  /** 33-byte compressed key or 32-byte x-only key. */
  pubkey: Uint8Array;
  /** Present for a taproot script-path signature. */
  tapleafHash?: Uint8Array;
  signature: Uint8Array;
}

export interface MusigPubNonceYield {
  type: 'musigPubNonce';
  inputIndex: number;
  participantPubkey: Uint8Array;
  /** The fully tweaked aggregate key, compressed (§1.6). */
  aggregatePubkey: Uint8Array;
  tapleafHash?: Uint8Array;
  pubnonce: Uint8Array;
}

export interface MusigPartialSignatureYield {
  type: 'musigPartialSignature';
  inputIndex: number;
  participantPubkey: Uint8Array;
  aggregatePubkey: Uint8Array;
  tapleafHash?: Uint8Array;
  partialSignature: Uint8Array;
}

export type SignPsbtYield = PartialSignatureYield | MusigPubNonceYield | MusigPartialSignatureYield;

/** The two MuSig2 yields share one layout: their tag and the width of their value set them apart. */
const MUSIG_YIELDS = {
  musigPubNonce: { tag: YIELD_MUSIG_PUBNONCE_TAG, width: 66, what: 'MuSig2 pubnonce' },
  musigPartialSignature: { tag: YIELD_MUSIG_PARTIAL_SIGNATURE_TAG, width: 32, what: 'MuSig2 partial signature' },
} as const;

function musigYieldType(tag: bigint): keyof typeof MUSIG_YIELDS | undefined {
  if (tag === BigInt(YIELD_MUSIG_PUBNONCE_TAG)) return 'musigPubNonce';
  if (tag === BigInt(YIELD_MUSIG_PARTIAL_SIGNATURE_TAG)) return 'musigPartialSignature';
  return undefined;
}

function leaf(hash: Uint8Array | undefined): Uint8Array {
  return hash === undefined ? new Uint8Array() : bytesField(hash, 32, 'tapleaf hash');
}

/**
 * The YIELD payload for `y`. Under protocol version 0 (P2 = 0, apps before 2.1.0) a signature is
 * sent as `input_index || signature` without the key; only the emulated app writes that form (the
 * host client speaks version 1), and MuSig2 needs version 1.
 */
export function encodeSignPsbtYield(y: SignPsbtYield, protocolVersion = 1): Uint8Array {
  switch (y.type) {
    case 'partialSignature': {
      if (protocolVersion === 0) return concat(encodeVarint(checkIndex(y.inputIndex)), y.signature);
      if (y.pubkey.length !== 32 && y.pubkey.length !== 33)
        throw new RangeError(`partial signature pubkey: expected 32 or 33 bytes, got ${y.pubkey.length}`);
      if (y.tapleafHash !== undefined && y.pubkey.length !== 32)
        throw new RangeError('partial signature: a tapleaf hash goes with a 32-byte x-only key');
      const augm = concat(y.pubkey, leaf(y.tapleafHash));
      return concat(encodeVarint(checkIndex(y.inputIndex)), Uint8Array.of(augm.length), augm, y.signature);
    }
    case 'musigPubNonce':
    case 'musigPartialSignature': {
      const { tag, width, what } = MUSIG_YIELDS[y.type];
      return concat(
        encodeVarint(tag),
        encodeVarint(checkIndex(y.inputIndex)),
        bytesField(y.type === 'musigPubNonce' ? y.pubnonce : y.partialSignature, width, what),
        bytesField(y.participantPubkey, 33, 'MuSig2 participant pubkey'),
        bytesField(y.aggregatePubkey, 33, 'MuSig2 aggregate pubkey'),
        leaf(y.tapleafHash),
      );
    }
  }
}

function checkIndex(i: number): number {
  if (!Number.isInteger(i) || i < 0 || i > MAX_INPUT_INDEX)
    throw new RangeError(`yield input index: expected 0..${MAX_INPUT_INDEX}, got ${i}`);
  return i;
}

function optionalLeaf(r: ByteReader): Uint8Array | undefined {
  if (r.done) return undefined;
  const hash = r.bytesN(32, 'tapleafHash').slice();
  r.end();
  return hash;
}

/** Decodes a YIELD payload (the bytes after the 0x10 command code) from SIGN_PSBT. */
export function decodeSignPsbtYield(data: Uint8Array): SignPsbtYield {
  const r = new ByteReader(data, 'SIGN_PSBT yield');
  const tag = r.varint('tag');
  const musig = musigYieldType(tag);
  if (musig !== undefined) {
    const inputIndex = r.varintNumber('inputIndex', MAX_INPUT_INDEX);
    const value = r.bytesN(MUSIG_YIELDS[musig].width, 'value').slice();
    const participantPubkey = r.bytesN(33, 'participantPubkey').slice();
    const aggregatePubkey = r.bytesN(33, 'aggregatePubkey').slice();
    const tapleafHash = optionalLeaf(r);
    const common = { inputIndex, participantPubkey, aggregatePubkey, ...(tapleafHash ? { tapleafHash } : {}) };
    return musig === 'musigPubNonce' ? { type: musig, ...common, pubnonce: value } : { type: musig, ...common, partialSignature: value };
  }
  if (tag > BigInt(MAX_INPUT_INDEX)) throw new CodecError(`SIGN_PSBT yield: expected an input index or a MuSig2 tag, got ${tag}`);
  const inputIndex = Number(tag);
  const augmLength = r.u8('pubkeyLength');
  if (augmLength !== 32 && augmLength !== 33 && augmLength !== 64)
    throw new CodecError(`SIGN_PSBT yield.pubkey: expected 32, 33 or 64 bytes, got ${augmLength}`);
  const augm = r.bytesN(augmLength, 'pubkey');
  const signature = r.rest().slice();
  if (signature.length === 0) throw new CodecError('SIGN_PSBT yield.signature: expected a signature, got none');
  if (augmLength === 64)
    return { type: 'partialSignature', inputIndex, pubkey: augm.slice(0, 32), tapleafHash: augm.slice(32), signature };
  return { type: 'partialSignature', inputIndex, pubkey: augm.slice(), signature };
}
