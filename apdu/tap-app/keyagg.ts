// The MuSig2 key-aggregation context of MUSIG_ROUND1 / MUSIG_ROUND2 (§5.4):
//   n:u8 (2..16) || n × participant[33] || t:u8 (0..8) || t × (kind:u8 || tweak[32]) || own_path
// Participants are used in the order given; tweaks (kind 00 plain, 01 x-only) apply in order
// after KeyAgg; own_path derives the device's key, which must be one of the participants.

import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, concat, encodeVarint } from '../bytes.ts';
import { RequestError, compressedKeyArg, encodeTapPath, field, readCompressedKey, readTapPath } from './spec.ts';

export const MIN_PARTICIPANTS = 2;
export const MAX_PARTICIPANTS = 16;
export const MAX_TWEAKS = 8;

export interface KeyAggTweak {
  xOnly: boolean;
  tweak: Uint8Array;
}

export interface KeyAggContext {
  participants: Uint8Array[];
  tweaks: KeyAggTweak[];
  ownPath: number[];
}

export function encodeKeyAgg(ctx: KeyAggContext): Uint8Array {
  const n = ctx.participants.length;
  if (n < MIN_PARTICIPANTS || n > MAX_PARTICIPANTS)
    throw new RangeError(`keyagg.participants: expected ${MIN_PARTICIPANTS}..${MAX_PARTICIPANTS} keys, got ${n}`);
  if (ctx.tweaks.length > MAX_TWEAKS) throw new RangeError(`keyagg.tweaks: expected at most ${MAX_TWEAKS}, got ${ctx.tweaks.length}`);
  return concat(
    Uint8Array.of(n),
    ...ctx.participants.map((p, i) => compressedKeyArg(p, `keyagg.participants[${i}]`)),
    Uint8Array.of(ctx.tweaks.length),
    ...ctx.tweaks.map((t, i) => concat(Uint8Array.of(t.xOnly ? 1 : 0), field(t.tweak, 32, `keyagg.tweaks[${i}]`))),
    encodeTapPath(ctx.ownPath, 'keyagg.ownPath'),
  );
}

export function readKeyAgg(r: ByteReader): KeyAggContext {
  const n = r.u8('keyagg.n');
  if (n < MIN_PARTICIPANTS || n > MAX_PARTICIPANTS)
    throw new RequestError(`${r.what}.keyagg: expected ${MIN_PARTICIPANTS}..${MAX_PARTICIPANTS} participants, got ${n}`);
  const participants: Uint8Array[] = [];
  for (let i = 0; i < n; i++) participants.push(readCompressedKey(r, `keyagg.participants[${i}]`));
  const t = r.u8('keyagg.t');
  if (t > MAX_TWEAKS) throw new RequestError(`${r.what}.keyagg: expected at most ${MAX_TWEAKS} tweaks, got ${t}`);
  const tweaks: KeyAggTweak[] = [];
  for (let i = 0; i < t; i++) {
    const kind = r.u8(`keyagg.tweaks[${i}].kind`);
    if (kind > 1) throw new RequestError(`${r.what}.keyagg.tweaks[${i}]: expected kind 00 (plain) or 01 (x-only), got ${kind}`);
    tweaks.push({ xOnly: kind === 1, tweak: r.bytesN(32, `keyagg.tweaks[${i}].tweak`).slice() });
  }
  return { participants, tweaks, ownPath: readTapPath(r, 'keyagg.ownPath') };
}

export function decodeKeyAgg(data: Uint8Array): KeyAggContext {
  const r = new ByteReader(data, 'keyagg');
  const ctx = readKeyAgg(r);
  r.end();
  return ctx;
}

/** Longest encoded context: 16 participants, 8 tweaks, a 10-step path. */
export const MAX_KEYAGG_LENGTH = 1 + MAX_PARTICIPANTS * 33 + 1 + MAX_TWEAKS * 33 + 1 + 10 * 4;

/**
 * What the MuSig2 commands carry instead of the context itself (§5.4): its length and SHA-256. A
 * context of more than two participants does not fit a short APDU, so the device fetches it with
 * GET_PREIMAGE and checks it against this commitment.
 */
export interface KeyAggCommitment {
  length: number;
  hash: Uint8Array;
}

export function commitKeyAgg(ctx: KeyAggContext): { preimage: Uint8Array; commitment: KeyAggCommitment } {
  const preimage = encodeKeyAgg(ctx);
  return { preimage, commitment: { length: preimage.length, hash: sha256(preimage) } };
}

export function encodeKeyAggCommitment(c: KeyAggCommitment, what: string): Uint8Array {
  if (!Number.isInteger(c.length) || c.length < 1 || c.length > MAX_KEYAGG_LENGTH)
    throw new RangeError(`${what}.length: expected 1..${MAX_KEYAGG_LENGTH}, got ${c.length}`);
  return concat(encodeVarint(c.length), field(c.hash, 32, `${what}.hash`));
}

export function readKeyAggCommitment(r: ByteReader): KeyAggCommitment {
  const length = r.varint('keyagg_len');
  const hash = r.bytesN(32, 'keyagg_hash').slice();
  if (length < 1n || length > BigInt(MAX_KEYAGG_LENGTH))
    throw new RequestError(`${r.what}.keyagg_len: expected 1..${MAX_KEYAGG_LENGTH}, got ${length}`);
  return { length: Number(length), hash };
}
