// BIP-340 signing as the Ledger SDK does it with CX_RND_TRNG (lib_cxng cx_ecschnorr_sign_no_throw):
// the nonce k is a fresh random scalar in ]0, n[ (cx_bn_rng: 32 random bytes, big-endian, drawn
// again while >= n), negated when R has an odd y; s = k + e·d. The result is a valid BIP-340
// signature, but not the BIP-340 default nonce derivation, so reproducing Speculos's signatures
// needs the same random bytes, not the same aux_rand. Around the nonce the SDK computes d·G before
// and k·G after, which the meter reports (they consume Speculos's randomness too).

import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat } from '../../../apdu/bytes.ts';
import type { Meter } from '../common/keys.ts';

const G = schnorr.Point.BASE;
const N = schnorr.Point.Fn.ORDER;

function challenge(rx: Uint8Array, px: Uint8Array, msg: Uint8Array): bigint {
  const tag = sha256(new TextEncoder().encode('BIP0340/challenge'));
  return bytesToNumberBE(sha256(concat(tag, tag, rx, px, msg))) % N;
}

export function schnorrSignRandomNonce(msg: Uint8Array, secretKey: Uint8Array, random: (n: number) => Uint8Array, meter?: Meter): Uint8Array {
  let d = bytesToNumberBE(secretKey);
  meter?.('point-mul');
  const P = G.multiply(d).toBytes(true);
  if (P[0] === 0x03) d = N - d;
  let k = 0n;
  while (k === 0n || k >= N) k = bytesToNumberBE(random(32));
  meter?.('point-mul');
  const R = G.multiply(k).toBytes(true);
  if (R[0] === 0x03) k = N - k;
  const rx = R.subarray(1);
  const e = challenge(rx, P.subarray(1), msg);
  return concat(rx, numberToBytesBE((k + e * d) % N, 32));
}
