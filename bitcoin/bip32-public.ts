// BIP-32 public child derivation (CKDpub) that also returns I_L, the scalar added to the parent key.
// MuSig2 needs that scalar: BIP-328 applies each I_L to the aggregate as a plain (non-x-only) tweak.
// @scure/bip32 derives the same keys but does not expose I_L.

import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { concat, u32be } from '../apdu/bytes.ts';
import { HARDENED } from '../apdu/path.ts';
import { BitcoinError } from './errors.ts';

const Point = secp256k1.Point;
const N = Point.Fn.ORDER;

export interface PublicNode {
  /** Compressed public key, 33 bytes. */
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array;
}

export interface PublicChild extends PublicNode {
  /** I_L of this step: child = parent + I_L·G. */
  readonly tweak: Uint8Array;
}

export function derivePublicChild(parent: PublicNode, index: number): PublicChild {
  if (!Number.isInteger(index) || index < 0 || index >= HARDENED)
    throw new BitcoinError('E_KEY_INFO', `public derivation: expected an unhardened index below 2^31, got ${index}`);
  const I = hmac(sha512, parent.chainCode, concat(parent.publicKey, u32be(index)));
  const tweak = I.slice(0, 32);
  const t = bytesToNumberBE(tweak);
  // BIP-32: such an index yields no valid key (probability below 2^-127); the caller must skip it.
  if (t >= N) throw new BitcoinError('E_KEY_INFO', `public derivation: I_L >= n at index ${index}, derive the next index`);
  const child = Point.fromBytes(parent.publicKey).add(Point.BASE.multiply(t === 0n ? N : t));
  if (child.equals(Point.ZERO)) throw new BitcoinError('E_KEY_INFO', `public derivation: child at index ${index} is infinity`);
  return { publicKey: child.toBytes(true), chainCode: I.slice(32), tweak };
}

export function derivePublicPath(node: PublicNode, path: readonly number[]): { node: PublicNode; tweaks: Uint8Array[] } {
  const tweaks: Uint8Array[] = [];
  let cur: PublicNode = node;
  for (const i of path) {
    const c = derivePublicChild(cur, i);
    tweaks.push(c.tweak);
    cur = c;
  }
  return { node: cur, tweaks };
}
