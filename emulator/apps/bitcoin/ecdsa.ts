// ECDSA as the app signs (crypto_ecdsa_sign_sha256_hash_with_key): RFC 6979 nonces, low-S, over a
// 32-byte digest that is not hashed again.

import { secp256k1 } from '@noble/curves/secp256k1.js';

/** Returns the DER signature and the parity of R's y coordinate (CX_ECCINFO_PARITY_ODD). */
export function ecdsaSign(digest: Uint8Array, secretKey: Uint8Array): { der: Uint8Array; compact: Uint8Array; oddY: boolean } {
  const rec = secp256k1.sign(digest, secretKey, { prehash: false, format: 'recovered' });
  const sig = secp256k1.Signature.fromBytes(rec, 'recovered');
  return { der: sig.toBytes('der'), compact: rec.slice(1), oddY: (rec[0]! & 1) === 1 };
}
