// ECDSA as the app signs (crypto_ecdsa_sign_sha256_hash_with_key): RFC 6979 nonces, low-S, over a
// 32-byte digest that is not hashed again.

import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Meter } from '../common/keys.ts';

/**
 * Returns the DER signature and the parity of R's y coordinate (CX_ECCINFO_PARITY_ODD). The SDK's
 * cx_ecdsa_sign_no_throw computes k·G and blinds the inversion of k with a random scalar
 * (cx_bn_rng): the signature stays deterministic, but the device's randomness is consumed.
 */
export function ecdsaSign(digest: Uint8Array, secretKey: Uint8Array, meter?: Meter): { der: Uint8Array; compact: Uint8Array; oddY: boolean } {
  meter?.('point-mul');
  meter?.('scalar-rng');
  const rec = secp256k1.sign(digest, secretKey, { prehash: false, format: 'recovered' });
  const sig = secp256k1.Signature.fromBytes(rec, 'recovered');
  return { der: sig.toBytes('der'), compact: rec.slice(1), oddY: (rec[0]! & 1) === 1 };
}
