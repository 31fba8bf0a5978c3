// How a DKG share travels (docs/frost.md §2.2): ChaCha20-Poly1305 under a key only its sender and
// its receiver can compute, so neither the host nor a coordinator ever sees a share.
//   key = HKDF-SHA256(ikm = x(ECDH(sender_enc_secret, receiver_enc_key)), salt = SHA-256(transcript),
//                     info = "TAP-FROST-DKG-share" || from:u8 || to:u8)
// The transcript holds the sender's fresh round-1 commitment, so no two DKG runs share a key and the
// all-zero nonce is used once per key; the sender encrypts each share once (round 2 runs once).

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from '../../apdu/bytes.ts';

const INFO = utf8.encode('TAP-FROST-DKG-share');
const NONCE = new Uint8Array(12);

function shareKey(ownSecret: Uint8Array, peerKey: Uint8Array, transcriptHash: Uint8Array, from: number, to: number): Uint8Array {
  const shared = secp256k1.getSharedSecret(ownSecret, peerKey, true);
  const key = hkdf(sha256, shared.subarray(1), transcriptHash, concat(INFO, Uint8Array.of(from, to)), 32);
  shared.fill(0);
  return key;
}

export function sealShare(senderSecret: Uint8Array, receiverKey: Uint8Array, transcriptHash: Uint8Array, from: number, to: number, share: Uint8Array): Uint8Array {
  const key = shareKey(senderSecret, receiverKey, transcriptHash, from, to);
  try {
    return chacha20poly1305(key, NONCE).encrypt(share);
  } finally {
    key.fill(0);
  }
}

/** The 32-byte share, or undefined when the ciphertext does not authenticate. */
export function openShare(receiverSecret: Uint8Array, senderKey: Uint8Array, transcriptHash: Uint8Array, from: number, to: number, sealed: Uint8Array): Uint8Array | undefined {
  const key = shareKey(receiverSecret, senderKey, transcriptHash, from, to);
  try {
    return chacha20poly1305(key, NONCE).decrypt(sealed);
  } catch {
    return undefined;
  } finally {
    key.fill(0);
  }
}
