// Signing with a script key the device holds (§5.5.3 signer items, §5.6): the key at a script-key
// path tweaked as tapd tweaks it (BIP-86 without a tapscript root, else the taptweak with that
// value, any length; V0 group keys add the asset ID first).

import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { CURVE_ORDER, Point, taggedHash } from '../../../assets/crypto.ts';
import type { AppContext } from '../../app.ts';
import { privateKeyAt } from './keys.ts';

export interface HeldScriptKey {
  path: number[];
  /** x-only tweaked script key. */
  scriptKey: Uint8Array;
  tweak: Uint8Array;
  /** A plain scalar added to the raw key before the taptweak (V0 group keys: the asset ID). */
  preTweak?: bigint;
}

/** BIP-340 signature by the tweaked key (BIP-341 taproot_tweak_seckey), fresh aux randomness. */
export function signWithScriptKey(ctx: AppContext, key: HeldScriptKey, msg: Uint8Array): Uint8Array {
  const sk = privateKeyAt(ctx, key.path);
  const raw = (bytesToNumberBE(sk) + (key.preTweak ?? 0n)) % CURVE_ORDER;
  sk.fill(0);
  const P = Point.BASE.multiply(raw);
  const d = P.y % 2n === 0n ? raw : CURVE_ORDER - raw;
  const t = bytesToNumberBE(taggedHash('TapTweak', P.toBytes(true).subarray(1), key.tweak));
  const tweakedSk = numberToBytesBE((d + t) % CURVE_ORDER, 32);
  const sig = schnorr.sign(msg, tweakedSk, ctx.random(32));
  tweakedSk.fill(0);
  return sig;
}
