// Script keys the device signs for (§5.5 step 4): a PSBT_*_TAP_BIP32_DERIVATION with this device's
// fingerprint on a standard script-key path, whose key tweaked as tapd tweaks it (BIP-86 without a
// PSBT_IN_TAP_MERKLE_ROOT, else the taptweak with that value, any length) is the script key.

import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { equal } from '../../../apdu/bytes.ts';
import { CURVE_ORDER, Point, taggedHash, taprootTweak } from '../../../assets/crypto.ts';
import type { TaprootBip32Derivation } from '../../../assets/vpsbt/derivation.ts';
import type { AppContext } from '../../app.ts';
import type { TapChainParams } from '../../../assets/address/params.ts';
import { HARDENED } from '../../../apdu/path.ts';
import { incorrectData } from './errors.ts';
import { isScriptKeyPath, isStandardTapPath, masterFingerprintBytes, privateKeyAt, publicKeyAt } from './keys.ts';

export interface HeldScriptKey {
  path: number[];
  /** x-only tweaked script key. */
  scriptKey: Uint8Array;
  tweak: Uint8Array;
  /** A plain scalar added to the raw key before the taptweak (V0 group keys: the asset ID). */
  preTweak?: bigint;
}

/**
 * Refuses a derivation of this device on a standard path whose coin type is not the network's:
 * "Network testnet" must not be shown while mainnet (0') keys sign, or are called this signer's change.
 */
export function checkCoinTypes(ctx: AppContext, net: TapChainParams, derivations: readonly TaprootBip32Derivation[], what: string): void {
  const fp = masterFingerprintBytes(ctx);
  for (const d of derivations)
    if (equal(d.fingerprint, fp) && isStandardTapPath(d.path) && d.path[1] !== net.coinType + HARDENED)
      throw incorrectData(`${what}: expected coin type ${net.coinType}' on ${net.name}, got ${d.path[1]! - HARDENED}'`);
}

/** The derivation among `derivations` that gives `scriptKeyXOnly` on this device, if any. */
export function heldScriptKey(
  ctx: AppContext,
  derivations: readonly TaprootBip32Derivation[],
  scriptKeyXOnly: Uint8Array,
  tweak: Uint8Array = new Uint8Array(),
): HeldScriptKey | undefined {
  const fp = masterFingerprintBytes(ctx);
  for (const d of derivations) {
    if (!equal(d.fingerprint, fp) || d.leafHashes.length !== 0 || !isScriptKeyPath(d.path)) continue;
    const internal = publicKeyAt(ctx, d.path);
    if (!equal(internal.subarray(1), d.xOnlyPubKey)) continue;
    const tweaked = taprootTweak(Point.fromBytes(internal), tweak).toBytes(true).subarray(1);
    if (equal(tweaked, scriptKeyXOnly)) return { path: d.path, scriptKey: tweaked, tweak };
  }
  return undefined;
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
