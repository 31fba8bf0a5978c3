// The device's FROST secrets, all derived from its seed (docs/frost.md §2.2, §2.4), so the device
// keeps no FROST state beyond a command: the DKG encryption key pair at m/9591'/0' (published in
// round 1) and the share-wrapping key material at m/9591'/1' (purpose 9591', the RFC's number,
// which no wallet uses).
//   wrapped_share = index:u8 || ChaCha20-Poly1305(K, nonce = 0^12, aad = key_set_id).encrypt(signing_share[32])
//   K = HKDF-SHA256(ikm = key at m/9591'/1', salt = key_set_id, info = "TAP-FROST-wrap" || index:u8)
// K is unique per key set and participant, and a key set fixes the participant's share, so the
// zero nonce never encrypts two plaintexts under one key.

import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from '../../../../apdu/bytes.ts';
import { HARDENED } from '../../../../apdu/path.ts';
import { WRAPPED_SHARE_LENGTH } from '../../../../apdu/tap-app/frost.ts';
import type { AppContext } from '../../../app.ts';
import { privateKeyAt, publicKeyAt } from '../keys.ts';

const FROST_PURPOSE = 9591 + HARDENED;
const ENCRYPTION_PATH = [FROST_PURPOSE, 0 + HARDENED];
const WRAP_PATH = [FROST_PURPOSE, 1 + HARDENED];
const WRAP_INFO = utf8.encode('TAP-FROST-wrap');
const NONCE = new Uint8Array(12);

export const dkgEncryptionKey = (ctx: AppContext): Uint8Array => publicKeyAt(ctx, ENCRYPTION_PATH);

/** A copy of the DKG encryption secret; callers wipe it. */
export const dkgEncryptionSecret = (ctx: AppContext): Uint8Array => privateKeyAt(ctx, ENCRYPTION_PATH);

function wrapKey(ctx: AppContext, keySetId: Uint8Array, index: number): Uint8Array {
  const ikm = privateKeyAt(ctx, WRAP_PATH);
  try {
    return hkdf(sha256, ikm, keySetId, concat(WRAP_INFO, Uint8Array.of(index)), 32);
  } finally {
    ikm.fill(0);
  }
}

export function wrapShare(ctx: AppContext, keySetId: Uint8Array, index: number, share: Uint8Array): Uint8Array {
  const key = wrapKey(ctx, keySetId, index);
  try {
    return concat(Uint8Array.of(index), chacha20poly1305(key, NONCE, keySetId).encrypt(share));
  } finally {
    key.fill(0);
  }
}

/** The participant number and signing share, or undefined unless this seed wrapped it for this key set. */
export function unwrapShare(ctx: AppContext, keySetId: Uint8Array, wrapped: Uint8Array): { index: number; share: Uint8Array } | undefined {
  if (wrapped.length !== WRAPPED_SHARE_LENGTH) return undefined;
  const index = wrapped[0]!;
  const key = wrapKey(ctx, keySetId, index);
  try {
    return { index, share: chacha20poly1305(key, NONCE, keySetId).decrypt(wrapped.subarray(1)) };
  } catch {
    return undefined;
  } finally {
    key.fill(0);
  }
}
